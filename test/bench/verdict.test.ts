/** The bench's verdict follows its numbers, with a stated margin; "exceeded" only beyond the bound's slack. */
import { describe, expect, it } from 'vitest';
import { boundExceeded } from '../../src/bench/models.js';
import type { BenchResult, StrategyResult } from '../../src/bench/runner.js';
import { verdict } from '../../src/bench/verdict.js';

function strategy(name: StrategyResult['name'], p50: number, requests: number, extra: Partial<StrategyResult> = {}): StrategyResult {
  return {
    name,
    clients: 1,
    events: 100,
    delivered: 100,
    expectedDeliveries: 100,
    lost: 0,
    pending: 0,
    duplicates: 0,
    latencyMs: { mean: p50, p50, p90: p50 * 1.2, p99: p50 * 1.5, max: p50 * 2, min: p50 / 2 },
    requests,
    emptyResponses: 0,
    bytes: 0,
    serverCpuMs: 10,
    maxOpenConnections: 1,
    maxInFlight: 1,
    durationMs: 10_000,
    requestsPerSecond: requests / 10,
    saturation: [],
    ...extra,
  } as StrategyResult;
}

function run(strategies: StrategyResult[]): string {
  const result = { config: { rate: 50, intervalMs: 1000, latencyMs: 0 }, loopback: null, strategies, interrupted: false } as unknown as BenchResult;
  const text = verdict(result);
  return text.slice(text.indexOf('Verdict:'));
}

describe('the bench verdict', () => {
  it('long polling 0.528 ms against push 0.818 ms: even within the stated margin, not "push for latency"', () => {
    const text = run([strategy('long-poll', 0.528, 60), strategy('push', 0.818, 100)]);
    expect(text).not.toMatch(/push for latency/);
    expect(text).toMatch(/^Verdict: long polling and push were even on latency \(medians 0\.528 ms and 0\.818 ms; a difference counts here when the slower median is over 1\.5× the faster and more than 0\.5 ms behind\), so choose by cost/);
  });

  it('push clearly ahead: push for latency, with the margin stated', () => {
    expect(run([strategy('long-poll', 3, 60), strategy('push', 0.8, 100)])).toMatch(/^Verdict: push for latency \(0\.800 ms at the median; a difference counts here/);
    expect(run([strategy('long-poll', 3, 160), strategy('push', 0.8, 100)])).toMatch(/^Verdict: push, since it was both the fastest/);
  });

  it('push clearly behind without saturation: the faster one for latency', () => {
    expect(run([strategy('long-poll', 1, 60), strategy('push', 5, 100)])).toMatch(/^Verdict: long polling for latency here \(1\.00 ms against push's 5\.00 ms at the median; a difference counts/);
  });

  it('push ahead but another within the margin: even', () => {
    expect(run([strategy('long-poll', 0.9, 60), strategy('push', 0.7, 100)])).toMatch(/^Verdict: long polling and push were even on latency/);
  });
});

describe('the model bound', () => {
  it('a slowest delivery within a millisecond (and 1%) of the bound is within it: no "≤ 1001 ms exceeded" for a max of 1001 ms', () => {
    expect(boundExceeded(1001.4, 1000.6)).toBeNull();
    expect(boundExceeded(1011, 1000)).toBeNull();
    expect(boundExceeded(1100, 1000)).toMatch(/took longer than the model's bound \(≤ 1000 ms, .*beyond its 1 ms \+ 1% slack\)/);
  });
});
