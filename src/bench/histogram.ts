import type { CdfPoints, LatencySummary } from './protocol.js';

/** Percentiles at which the CDF is sampled for the report: dense in the body, finer in the tail. */
const CDF_PERCENTILES = [
  ...Array.from({ length: 100 }, (_, i) => i),
  99.5, 99.9, 99.99, 100,
];

export interface LatencyRecorder {
  /** Records one latency in milliseconds. */
  record(ms: number): void;
  readonly count: number;
  summary(): LatencySummary | null;
  cdf(): CdfPoints;
}

/**
 * An HDR histogram of latencies in microseconds (3 significant digits, 1 µs .. 1 h). The mean is
 * kept exactly beside it; percentiles come from the histogram. hdr-histogram-js is imported here,
 * lazily, so only a bench run pays for loading it.
 */
export async function createLatencyRecorder(): Promise<LatencyRecorder> {
  const module = (await import('hdr-histogram-js')) as unknown as { build?: typeof import('hdr-histogram-js').build; default?: { build: typeof import('hdr-histogram-js').build } };
  const build = module.build ?? module.default!.build;
  const histogram = build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3, useWebAssembly: false });
  let count = 0;
  let sum = 0;
  let min = Infinity;
  let max = 0;
  return {
    record(ms: number) {
      count++;
      sum += ms;
      if (ms < min) min = ms;
      if (ms > max) max = ms;
      histogram.recordValue(Math.min(3_600_000_000, Math.max(1, Math.round(ms * 1000))));
    },
    get count() {
      return count;
    },
    summary() {
      if (count === 0) return null;
      // A percentile is reported as its bucket's upper edge, which can sit a hair above the exact
      // max; clamp so p50 ≤ p90 ≤ p99 ≤ max always holds in what we print.
      const at = (p: number) => Math.min(max, Math.max(min, histogram.getValueAtPercentile(p) / 1000));
      return { count, mean: sum / count, min, p50: at(50), p90: at(90), p99: at(99), max };
    },
    cdf() {
      if (count === 0) return [];
      const points: CdfPoints = [];
      for (const p of CDF_PERCENTILES) {
        const value = p === 100 ? max : p === 0 ? min : Math.min(max, Math.max(min, histogram.getValueAtPercentile(p) / 1000));
        points.push([value, p / 100]);
      }
      return points;
    },
  };
}
