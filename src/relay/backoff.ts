/**
 * Waits between reconnect attempts: exponential from `baseMs` to `maxMs`, with "equal jitter" (half
 * the wait fixed, half random) so a relay that comes back is not hit by every subscriber at once,
 * yet no wait collapses to zero. stripe-cli waits a fixed 10 s between websocket attempts and
 * svix-cli's relay backs off exponentially; a laptop waking up wants the first retry fast.
 */
export interface BackoffOptions {
  baseMs?: number;
  maxMs?: number;
  random?: () => number;
}

export class Backoff {
  private attempts = 0;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly random: () => number;

  constructor(options: BackoffOptions = {}) {
    this.baseMs = options.baseMs ?? 250;
    this.maxMs = options.maxMs ?? 30_000;
    this.random = options.random ?? Math.random;
  }

  /** Attempts since the last success. */
  get attempt(): number {
    return this.attempts;
  }

  /** The wait before the next attempt (and counts it). */
  next(): number {
    const ceiling = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(this.attempts, 30));
    this.attempts++;
    return Math.round(ceiling / 2 + this.random() * (ceiling / 2));
  }

  reset(): void {
    this.attempts = 0;
  }
}
