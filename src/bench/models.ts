import type { StrategyName } from './config.js';
import { formatMs, formatRatio } from './format.js';

/**
 * The analytic expectations of BENCH-NOTES.md (RFC 6202 §2.2 for long polling), evaluated for one
 * run so each measured figure can be printed beside its model and the ratio.
 *
 * Symbols: λ events/s, T poll interval, L long-poll timeout, N clients, K events, W the measured
 * window, D the simulated one-way delay, r the loopback request time measured in the same run
 * (one request over a warm connection: the floor under any delivery). One hop costs d = D + r.
 */
export interface ModelInput {
  strategy: StrategyName;
  rate: number;
  intervalMs: number;
  longPollTimeoutMs: number;
  clients: number;
  events: number;
  windowMs: number;
  latencyMs: number;
  loopbackMs: number;
  /** How long before the first event the consumers start (pollers' first requests may find nothing). */
  leadMs?: number;
}

export interface Expectation {
  latencyMs: { mean: number; p50: number | null; p90: number | null; p99: number | null; max: number | null };
  requests: number;
  /** Fraction of responses with no events. */
  emptyRatio: number;
  /** Connections the server holds open at once. */
  openConnections: number;
  /** One line on where the numbers come from, for the report. */
  formula: string;
}

export function expectation(input: ModelInput): Expectation {
  const lambda = input.rate / 1000; // per ms
  const T = input.intervalMs;
  const L = input.longPollTimeoutMs;
  const N = input.clients;
  const K = input.events;
  const d = input.latencyMs + input.loopbackMs;
  switch (input.strategy) {
    case 'short-poll': {
      // An event waits a uniform share of the interval for the next poll to reach the server,
      // then one trip back.
      const requests = (N * input.windowMs) / T;
      // Steady state: e^(−λT). The stream also has a start: each client's first poll reaches the
      // server a uniform phase after the consumers start, and is empty if no event came before it.
      const x0 = Math.min(T, Math.max(0, (input.leadMs ?? 0) - input.latencyMs));
      const firstEmpty = x0 / T + (1 - Math.exp(-lambda * (T - x0))) / (lambda * T);
      const empties = Math.min(requests, N) * firstEmpty + Math.max(0, requests - N) * Math.exp(-lambda * T);
      return {
        latencyMs: { mean: T / 2 + d, p50: 0.5 * T + d, p90: 0.9 * T + d, p99: 0.99 * T + d, max: T + d },
        requests,
        emptyRatio: requests > 0 ? empties / requests : Math.exp(-lambda * T),
        openConnections: N,
        formula: 'latency U(0,T) + d, mean T/2 + d; requests N·W/T whatever the rate; empty e^(−λT) (plus each client\'s first poll, which may come before the first event)',
      };
    }
    case 'long-poll': {
      // After each response the client is away for g = 2D + r (the answer's trip, the new request's
      // trip); events landing in that gap wait for the rest of it. Poisson arrivals see time
      // averages, so the mean extra wait is (share of time in a gap)·g/2.
      const g = 2 * input.latencyMs + input.loopbackMs;
      const cycle = g + Math.exp(-lambda * g) / lambda;
      const timeoutsPerPark = Math.exp(-lambda * L) / (1 - Math.exp(-lambda * L));
      const parks = (input.windowMs / cycle) * Math.exp(-lambda * g);
      const requests = N * (input.windowMs / cycle + parks * timeoutsPerPark);
      return {
        latencyMs: { mean: d + (g * g) / (2 * cycle), p50: null, p90: null, p99: null, max: g + d },
        requests,
        emptyRatio: requests > 0 ? (N * parks * timeoutsPerPark) / requests : 0,
        openConnections: N,
        formula: 'latency d, or up to 3d for events in the 2d reconnect gap; ≈ one request per event per client (fewer when events batch) + 1/L idle; empty e^(−λL)',
      };
    }
    case 'push':
      return {
        latencyMs: { mean: d, p50: d, p90: null, p99: null, max: null },
        requests: K * N,
        emptyRatio: 0,
        openConnections: N,
        formula: 'latency d + signing and verification; one request per event per subscriber; nothing idle',
      };
    case 'sse':
      return {
        latencyMs: { mean: d, p50: d, p90: null, p99: null, max: null },
        requests: N,
        emptyRatio: 0,
        openConnections: N,
        formula: 'latency d; one long-lived response per client; N connections held',
      };
  }
}

/** measured / expected, or null when there is nothing sensible to divide by. */
export function ratio(measured: number | null | undefined, expected: number | null | undefined): number | null {
  if (measured === null || measured === undefined || expected === null || expected === undefined) return null;
  if (expected === 0) return measured === 0 ? 1 : null;
  return measured / expected;
}

/**
 * When the slowest delivery took longer than the model's upper bound (short poll T + d, long poll
 * 3d), what the model leaves out, in a sentence; null when the bound held or there is none.
 */
/**
 * How far past the model's bound a slowest delivery may land and still count as within it: timers
 * fire up to a millisecond late, and 1% covers rounding of long waits. Without it a max of 1001.4 ms
 * against a bound of 1000.6 read "≤ 1001 ms exceeded".
 */
export const BOUND_SLACK = { ms: 1, fraction: 0.01 } as const;

export function boundExceeded(measuredMaxMs: number | null | undefined, boundMs: number | null): string | null {
  if (boundMs === null || measuredMaxMs === null || measuredMaxMs === undefined) return null;
  if (measuredMaxMs <= boundMs + BOUND_SLACK.ms + boundMs * BOUND_SLACK.fraction) return null;
  return `the slowest delivery (${formatMs(measuredMaxMs)}) took longer than the model's bound (≤ ${formatMs(boundMs)}, ${formatRatio(measuredMaxMs / boundMs)}, beyond its ${BOUND_SLACK.ms} ms + ${BOUND_SLACK.fraction * 100}% slack): the model counts only the strategy's own waits and the network, not time queued behind other work on this machine (scheduling, garbage collection, the consumer's own processing)`;
}
