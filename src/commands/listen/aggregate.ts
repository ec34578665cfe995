import type { Output } from '../../cli/output.js';
import type { Subscriber } from '../../listen/observe.js';
import { HISTOGRAM_MS, RateGate, type Outcome, type SecondSummary } from '../../listen/rate-gate.js';
import type { Delivery, QueuedForward } from '../../listen/types.js';
import { clock } from './text.js';

/** A histogram bucket as people read it: the first is under a millisecond, the last everything slower. */
function bucketText(ms: number): string {
  if (ms <= 0) return '<1ms';
  return ms >= HISTOGRAM_MS ? `≥${HISTOGRAM_MS}ms` : `${ms}ms`;
}

function outcomeOf(delivery: Delivery): Outcome {
  if (delivery.duplicate) return 'duplicate';
  if (delivery.status === null || delivery.status >= 500 || (delivery.forward !== null && (delivery.forward.status === null || delivery.forward.status >= 300))) return 'failed';
  if (delivery.status >= 400) return 'rejected';
  return 'ok';
}

/**
 * The terminal view at any rate: a line per delivery while a person can read them; past that (see
 * RateGate), one line a second with the counts by outcome, the rate and p50/p99 of the answer
 * time, and lines again once it calms down. --json never comes here: it stays a record per delivery.
 */
export class RateAdaptiveView implements Subscriber {
  readonly needsHeaders: boolean;
  private readonly gate: RateGate;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly lines: Subscriber,
    private readonly output: Output,
    gate?: RateGate,
  ) {
    this.needsHeaders = lines.needsHeaders ?? false;
    this.gate = gate ?? new RateGate();
    this.timer = setInterval(() => this.tick(), 1000);
    this.timer.unref();
  }

  delivery(delivery: Delivery): void {
    const verdict = this.gate.delivery(outcomeOf(delivery), delivery.ms);
    if (verdict === 'line') this.lines.delivery?.(delivery);
    else if (verdict === 'start') this.output.line(this.output.color.dim(`${clock(new Date())}  busy: more than a line a person can read per delivery; one line a second until it calms down (--json keeps a record per delivery)`));
  }

  forward(forward: QueuedForward): void {
    if (forward.kept) return this.lines.forward?.(forward);
    if (!this.gate.forward(forward.delivered)) this.lines.forward?.(forward);
  }

  warning(message: string): void {
    this.lines.warning?.(message);
  }

  private tick(): void {
    const { summary, calm } = this.gate.tick();
    if (summary && summary.deliveries > 0) this.output.line(this.summaryLine(summary));
    if (calm) this.output.line(this.output.color.dim(`${clock(new Date())}  calm again: a line per delivery`));
  }

  private summaryLine(summary: SecondSummary): string {
    const c = this.output.color;
    const { counts } = summary;
    const parts = [c.green(`${counts.ok} ok`)];
    if (counts.duplicate) parts.push(c.yellow(`${counts.duplicate} duplicate`));
    if (counts.rejected) parts.push(c.yellow(`${counts.rejected} rejected`));
    if (counts.failed) parts.push(c.red(`${counts.failed} failed`));
    if (summary.forwarded || summary.forwardFailed) parts.push(`→ app ${summary.forwarded} delivered${summary.forwardFailed ? `, ${c.red(`${summary.forwardFailed} failed`)}` : ''}`);
    const times = summary.p50Ms === null ? '' : `  ${c.dim(`p50 ${bucketText(summary.p50Ms)} p99 ${bucketText(summary.p99Ms ?? 0)}`)}`;
    return `${c.dim(clock(new Date()))}  ${c.bold(`${summary.rate}/s`)}  ${parts.join(' · ')}${times}`;
  }

  /** At the stop: what the last part of a second aggregated, then no more ticks. */
  close(): void {
    clearInterval(this.timer);
    if (this.gate.aggregating) {
      const { summary } = this.gate.tick();
      if (summary) this.output.line(this.summaryLine(summary));
    }
  }
}
