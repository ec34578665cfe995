/**
 * When a line per delivery stops being readable: counts deliveries per second and says when to
 * switch to one aggregate line per second (past `highPerSecond` within a second) and back (a whole
 * second under `lowPerSecond`). While aggregating, each delivery costs a few counter increments:
 * outcomes counted, times kept in a millisecond histogram for p50/p99. Knows no terminal.
 */

/** Deliveries a person can follow line by line; past this within one second, lines give way to a summary a second. */
export const DEFAULT_HIGH_PER_SECOND = 200;
/** A second with fewer than this goes back to a line per delivery. */
export const DEFAULT_LOW_PER_SECOND = 20;

export type Outcome = 'ok' | 'duplicate' | 'rejected' | 'failed';
export const OUTCOMES: readonly Outcome[] = ['ok', 'duplicate', 'rejected', 'failed'];

/** One second (or the part of one before a stop) while aggregating. */
export interface SecondSummary {
  deliveries: number;
  /** Deliveries per second over the span. */
  rate: number;
  counts: Record<Outcome, number>;
  forwarded: number;
  forwardFailed: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

/** Answer times are kept in whole-ms buckets up to this; the last bucket holds everything slower. */
export const HISTOGRAM_MS = 2000;

export class RateGate {
  /** Aggregating now. */
  aggregating = false;
  private windowCount = 0;
  private windowStart: number;
  private counts: Record<Outcome, number> = { ok: 0, duplicate: 0, rejected: 0, failed: 0 };
  private forwarded = 0;
  private forwardFailed = 0;
  /** Answer times in whole ms; the last bucket holds everything slower. */
  private readonly histogram = new Uint32Array(HISTOGRAM_MS + 1);
  private histogramCount = 0;

  constructor(
    private readonly highPerSecond = DEFAULT_HIGH_PER_SECOND,
    private readonly lowPerSecond = DEFAULT_LOW_PER_SECOND,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.windowStart = now();
  }

  /**
   * Counts one delivery. Returns 'line' (show it), 'start' (this one tips it over: start
   * aggregating, count it there) or 'count' (aggregating: counted).
   */
  delivery(outcome: Outcome, ms: number): 'line' | 'start' | 'count' {
    this.windowCount++;
    if (!this.aggregating) {
      if (this.windowCount <= this.highPerSecond) return 'line';
      this.aggregating = true;
      this.count(outcome, ms);
      return 'start';
    }
    this.count(outcome, ms);
    return 'count';
  }

  /** Counts a forward's end while aggregating; false when lines are shown (show it). */
  forward(delivered: boolean): boolean {
    if (!this.aggregating) return false;
    if (delivered) this.forwarded++;
    else this.forwardFailed++;
    return true;
  }

  private count(outcome: Outcome, ms: number): void {
    this.counts[outcome]++;
    this.histogram[ms < HISTOGRAM_MS ? (ms < 0 ? 0 : Math.floor(ms)) : HISTOGRAM_MS]!++;
    this.histogramCount++;
  }

  /**
   * The second is over (a timer calls it once a second): the summary of what was aggregated (or
   * undefined when lines were shown), and whether to go back to lines.
   */
  tick(): { summary?: SecondSummary; calm: boolean } {
    const now = this.now();
    const seconds = Math.max((now - this.windowStart) / 1000, 0.001);
    const deliveries = this.windowCount;
    this.windowCount = 0;
    this.windowStart = now;
    if (!this.aggregating) return { calm: false };
    const summary = this.summary(deliveries, seconds);
    const calm = deliveries / seconds < this.lowPerSecond;
    if (calm) this.aggregating = false;
    return { summary, calm };
  }

  private summary(deliveries: number, seconds: number): SecondSummary {
    const summary: SecondSummary = { deliveries, rate: Math.round(deliveries / seconds), counts: this.counts, forwarded: this.forwarded, forwardFailed: this.forwardFailed, p50Ms: this.percentile(0.5), p99Ms: this.percentile(0.99) };
    this.counts = { ok: 0, duplicate: 0, rejected: 0, failed: 0 };
    this.forwarded = 0;
    this.forwardFailed = 0;
    this.histogram.fill(0);
    this.histogramCount = 0;
    return summary;
  }

  private percentile(q: number): number | null {
    if (this.histogramCount === 0) return null;
    const rank = Math.ceil(q * this.histogramCount);
    let seen = 0;
    for (let ms = 0; ms <= HISTOGRAM_MS; ms++) {
      seen += this.histogram[ms]!;
      if (seen >= rank) return ms;
    }
    return HISTOGRAM_MS;
  }
}
