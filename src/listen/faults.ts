import type { FaultOptions } from './types.js';

export interface FaultDecision {
  status: number;
  note: string;
  retryAfterSeconds?: number;
}

/**
 * Fault injection for testing a sender: decides, per accepted delivery, whether to answer with a
 * failure instead. The --fail-first count is per event id, so every event sees its own N failures.
 */
export class Faults {
  private readonly options: FaultOptions;
  private readonly random: () => number;
  private readonly seen = new Map<string, number>();
  readonly active: boolean;

  constructor(options: FaultOptions = {}) {
    this.options = options;
    this.random = options.random ?? Math.random;
    this.active = Boolean(options.failFirst || options.failRate || (options.status !== undefined && !isSuccess(options.status)));
  }

  /** A failure to answer with, or undefined to process the delivery normally. */
  decide(key: string): FaultDecision | undefined {
    if (!this.active) return undefined;
    const { failFirst = 0, failRate = 0, status } = this.options;
    const failStatus = this.options.failStatus ?? 500;
    if (failFirst > 0) {
      const count = (this.seen.get(key) ?? 0) + 1;
      if (count <= failFirst) {
        this.seen.set(key, count);
        return this.failure(failStatus, `injected failure ${count} of ${failFirst} (--fail-first)`);
      }
    }
    if (failRate > 0 && this.random() < failRate) return this.failure(failStatus, `injected failure (--fail-rate ${failRate})`);
    if (status !== undefined && !isSuccess(status)) return this.failure(status, `fixed status (--status ${status})`);
    return undefined;
  }

  /** The status for a delivery that was processed. */
  successStatus(): number {
    const { status } = this.options;
    return status !== undefined && isSuccess(status) ? status : 200;
  }

  shouldReset(): boolean {
    const rate = this.options.resetRate ?? 0;
    return rate > 0 && this.random() < rate;
  }

  get delayMs(): number {
    return this.options.delayMs ?? 0;
  }

  private failure(status: number, note: string): FaultDecision {
    const decision: FaultDecision = { status, note };
    if (this.options.retryAfterMs !== undefined) decision.retryAfterSeconds = Math.ceil(this.options.retryAfterMs / 1000);
    return decision;
  }
}

export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}
