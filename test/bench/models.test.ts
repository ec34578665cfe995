import { describe, expect, it } from 'vitest';
import { parseBenchFlags, parseClients } from '../../src/bench/config.js';
import { expectation, ratio } from '../../src/bench/models.js';
import { arrivalOffsets, eventJson } from '../../src/bench/schedule.js';
import { lineChart } from '../../src/bench/svg.js';

const base = { rate: 10, intervalMs: 1000, longPollTimeoutMs: 30_000, clients: 1, events: 100, windowMs: 10_000, latencyMs: 0, loopbackMs: 0.1 };

describe('the seeded event stream', () => {
  it('is the same for the same seed and different for another', () => {
    expect(arrivalOffsets(50, 20, 1)).toEqual(arrivalOffsets(50, 20, 1));
    expect(arrivalOffsets(50, 20, 1)).not.toEqual(arrivalOffsets(50, 20, 2));
  });

  it('has exponential gaps of mean 1/rate (Poisson arrivals)', () => {
    const offsets = arrivalOffsets(20_000, 40, 3);
    const gaps = offsets.map((at, i) => at - (offsets[i - 1] ?? 0));
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    expect(mean).toBeGreaterThan(25 * 0.97);
    expect(mean).toBeLessThan(25 * 1.03);
    // Exponential: the share of gaps longer than the mean is e^-1.
    const longer = gaps.filter((gap) => gap > 25).length / gaps.length;
    expect(longer).toBeGreaterThan(Math.exp(-1) - 0.02);
    expect(longer).toBeLessThan(Math.exp(-1) + 0.02);
    expect(offsets.every((at, i) => i === 0 || at >= offsets[i - 1]!)).toBe(true);
  });

  it('pads each event to the payload size and keeps it valid JSON', () => {
    const json = eventJson(1, 42, 1_700_000_000_123.456, 256);
    expect(Buffer.byteLength(json)).toBe(256);
    expect(JSON.parse(json)).toMatchObject({ seq: 42, created: 1_700_000_000_123.456, type: 'bench.tick' });
    // Too small a size still gives a whole event.
    expect(JSON.parse(eventJson(1, 1, 5, 10)).seq).toBe(1);
  });
});

describe('analytic models (BENCH-NOTES.md)', () => {
  it('short poll: mean T/2 + d, requests N·W/T whatever the rate, empty e^(−λT)', () => {
    const model = expectation({ ...base, strategy: 'short-poll', clients: 10 });
    expect(model.latencyMs.mean).toBeCloseTo(500.1, 6);
    expect(model.latencyMs.max).toBeCloseTo(1000.1, 6);
    expect(model.requests).toBeCloseTo(100, 6);
    // In steady state e^(−λT); over a short window each client's first poll adds its own chance.
    const long = expectation({ ...base, strategy: 'short-poll', windowMs: 10_000_000 });
    expect(long.emptyRatio).toBeGreaterThan(Math.exp(-10));
    expect(long.emptyRatio).toBeLessThan(Math.exp(-10) + 0.1 / 10_000 + 1e-9);
    expect(model.emptyRatio).toBeCloseTo((10 * 0.1 * (1 - Math.exp(-10)) + 90 * Math.exp(-10)) / 100, 9);
    expect(expectation({ ...base, strategy: 'short-poll', rate: 0.01 }).emptyRatio).toBeCloseTo(0.99, 2);
    expect(expectation({ ...base, strategy: 'short-poll', rate: 1000 }).requests).toBeCloseTo(10, 6);
  });

  it('long poll: one trip when parked, one request per event, the reconnect gap adds up to 2d', () => {
    const idle = expectation({ ...base, strategy: 'long-poll', loopbackMs: 0 + 1e-9 });
    expect(idle.latencyMs.mean).toBeCloseTo(0, 3);
    expect(idle.requests).toBeCloseTo(100, 0);
    const far = expectation({ ...base, strategy: 'long-poll', latencyMs: 20, loopbackMs: 0, rate: 40 });
    // g = 40 ms, cycle = g + e^(−λg)/λ: most of the time in the gap at 40 events/s.
    const g = 40;
    const cycle = g + Math.exp(-0.04 * g) / 0.04;
    expect(far.latencyMs.mean).toBeCloseTo(20 + (g * g) / (2 * cycle), 6);
    expect(far.latencyMs.max).toBe(60);
    expect(far.requests).toBeLessThan(40 * 10);
    expect(expectation({ ...base, strategy: 'long-poll', rate: 0.01, longPollTimeoutMs: 1000 }).emptyRatio).toBeGreaterThan(0.9);
  });

  it('push: one trip, one request per event per subscriber, nothing empty', () => {
    const model = expectation({ ...base, strategy: 'push', clients: 7, latencyMs: 20 });
    expect(model.latencyMs.mean).toBeCloseTo(20.1, 6);
    expect(model.requests).toBe(700);
    expect(model.emptyRatio).toBe(0);
  });

  it('ratio is measured over expected, and undefined where there is no model', () => {
    expect(ratio(110, 100)).toBeCloseTo(1.1);
    expect(ratio(5, null)).toBeNull();
    expect(ratio(0, 0)).toBe(1);
  });
});

describe('flag validation', () => {
  it('sorts and dedupes a client sweep', () => {
    expect(parseClients('100,1,10,10')).toEqual([1, 10, 100]);
  });
  it('has defaults that finish in well under half a minute', () => {
    const config = parseBenchFlags({});
    expect(config.strategies).toEqual(['short-poll', 'long-poll', 'push']);
    expect(config.events).toBeGreaterThanOrEqual(200);
    expect((config.events / config.rate) * config.strategies.length).toBeLessThanOrEqual(20);
  });
});

describe('SVG line chart', () => {
  it('draws one path per series with every point, on log axes too', () => {
    const svg = lineChart({
      title: 'x',
      xLabel: 'x',
      yLabel: 'y',
      xLog: true,
      series: [
        { name: 'a', color: '#f00', points: [[0.1, 0], [1, 0.5], [100, 1]] },
        { name: 'b <c>', color: '#00f', points: [[0, 0.1], [2, 0.2]], markers: true },
      ],
    });
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('data-series="a" data-points="3"');
    // A zero cannot sit on a log axis: dropped, not drawn at -Infinity.
    expect(svg).toContain('data-series="b &lt;c&gt;" data-points="1"');
    expect(svg).not.toMatch(/NaN|Infinity/);
    expect((svg.match(/<circle class="marker"/g) ?? []).length).toBe(1);
  });
});
