import { usageError } from '../errors.js';
import { parseDuration, parseInteger, parseNumber, parsePositiveDuration, parseSize } from '../options/units.js';

export const STRATEGIES = ['short-poll', 'long-poll', 'push', 'sse'] as const;
export type StrategyName = (typeof STRATEGIES)[number];
/** SSE is opt-in: the contract's record names three strategies, and scripts may count on that. */
export const DEFAULT_STRATEGIES: StrategyName[] = ['short-poll', 'long-poll', 'push'];

export interface BenchConfig {
  events: number;
  /** Mean arrivals per second (Poisson). */
  rate: number;
  intervalMs: number;
  longPollTimeoutMs: number;
  /** One run per entry: a list sweeps. */
  clients: number[];
  /** Simulated one-way delay added on every hop. */
  latencyMs: number;
  payloadSize: number;
  seed: number;
  strategies: StrategyName[];
}

/** Raw flag values as commander hands them over (strings, already merged with env and config). */
export interface BenchFlags {
  events?: string | number;
  rate?: string | number;
  interval?: string | number;
  longPollTimeout?: string | number;
  clients?: string | number;
  latency?: string | number;
  payloadSize?: string | number;
  seed?: string | number;
  strategies?: string;
}

const MAX_CLIENTS = 5000;

export function parseClients(value: string): number[] {
  const parts = value.split(',').map((part) => part.trim());
  if (parts.length === 0 || parts.some((part) => part === '')) {
    throw usageError(`--clients: expected a number of clients or a list like 1,10,100, got "${value}"`);
  }
  const list = parts.map((part) => {
    if (!/^\d+$/.test(part) || Number(part) < 1 || Number(part) > MAX_CLIENTS) {
      throw usageError(`--clients: expected whole numbers between 1 and ${MAX_CLIENTS}, got "${part}"`);
    }
    return Number(part);
  });
  return [...new Set(list)].sort((a, b) => a - b);
}

export function parseStrategies(value: string): StrategyName[] {
  const names = value.split(',').map((part) => part.trim()).filter(Boolean);
  if (names.length === 0) throw usageError(`--strategies: expected a list like ${DEFAULT_STRATEGIES.join(',')}`);
  for (const name of names) {
    if (!(STRATEGIES as readonly string[]).includes(name)) {
      throw usageError(`--strategies: unknown strategy "${name}" (expected some of ${STRATEGIES.join(', ')})`);
    }
  }
  // Keep a fixed order so tables and charts line up run to run.
  return STRATEGIES.filter((name) => names.includes(name));
}

/** Validates every flag before anything starts; throws a usage error (exit 2) naming the flag. */
export function parseBenchFlags(flags: BenchFlags): BenchConfig {
  const text = (value: string | number | undefined, fallback: string) => (value === undefined ? fallback : String(value));
  const events = parseInteger(text(flags.events, '200'), '--events', { min: 1, max: 1_000_000 });
  const rateText = text(flags.rate, '40');
  if (Number(rateText) <= 0) throw usageError(`--rate: expected events per second greater than 0, got "${rateText}"`);
  const rate = parseNumber(rateText, '--rate', { min: 0, max: 100_000 });
  const intervalMs = parsePositiveDuration(text(flags.interval, '1s'), '--interval');
  const longPollTimeoutMs = parsePositiveDuration(text(flags.longPollTimeout, '30s'), '--long-poll-timeout');
  const clients = parseClients(text(flags.clients, '1'));
  const latencyMs = parseDuration(text(flags.latency, '0'), '--latency');
  if (latencyMs > 10_000) throw usageError(`--latency: at most 10s of simulated one-way delay, got "${flags.latency}"`);
  const payloadSize = parseSize(text(flags.payloadSize, '256'), '--payload-size');
  if (payloadSize > 1024 * 1024) throw usageError(`--payload-size: at most 1mb per event, got "${flags.payloadSize}"`);
  const seed = parseInteger(text(flags.seed, '1'), '--seed', { min: 0, max: 2 ** 32 - 1 });
  const strategies = flags.strategies === undefined ? [...DEFAULT_STRATEGIES] : parseStrategies(flags.strategies);
  if (events * Math.max(...clients) > 50_000_000) {
    throw usageError(`--events × --clients: at most 50 million deliveries per run, got ${events} × ${Math.max(...clients)}`);
  }
  return { events, rate, intervalMs, longPollTimeoutMs, clients, latencyMs, payloadSize, seed, strategies };
}

/**
 * Parallel deliveries (and so connections) per push subscriber, as a provider's per-endpoint
 * workers: enough to cover a round trip of simulated delay at this rate, at least 2, at most 8.
 */
export function pushConcurrency(config: Pick<BenchConfig, 'rate' | 'latencyMs'>): number {
  return Math.min(8, Math.max(2, Math.ceil(((config.rate * 2 * config.latencyMs) / 1000) * 2) + 1));
}
