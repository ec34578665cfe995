import { usageError } from '../errors.js';
import { parseDuration, parseInteger, parseNumber, parsePositiveDuration } from '../options/units.js';

/** Immediately, then 5s, 30s, 5m: the schedule most webhook write-ups settle on. */
export const DEFAULT_RETRY_SCHEDULE_MS: readonly number[] = Object.freeze([0, 5_000, 30_000, 300_000]);

export const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Jitter the default and preset schedules carry, as Standard Webhooks does: each wait is moved by
 * up to ±20%, so retries of a burst spread out and an app with a periodic outage does not meet the
 * same phase on every attempt. A schedule given as a list keeps its exact waits, and
 * `--retry-jitter 0` (or HOOKCTL_RETRY_JITTER=0) makes any schedule exact: what tests want.
 */
export const STANDARD_JITTER = 0.2;

/**
 * The longest Retry-After honoured. A receiver answering `Retry-After: 86400` would park a sender
 * for a day (and a value past 2^31 ms once made every retry fire at once); past this cap the wait
 * is cut to it, and the attempt says so (`retryAfterCappedMs`).
 */
export const DEFAULT_MAX_RETRY_AFTER_MS = 10 * 60_000;

export interface RetryPolicy {
  /** delaysMs[i] is the wait before attempt i+1; delaysMs[0] is 0. Unscaled. */
  delaysMs: number[];
  /** Per-attempt timeout (connect, headers and body), not scaled. */
  timeoutMs: number;
  /** Multiplies every wait, Retry-After included (0.001 runs hours in seconds). */
  timeScale: number;
  /** Fraction (0..1) each wait is randomly moved by, up or down; 0 or absent means exact waits. */
  jitter?: number;
  /** The longest Retry-After honoured, unscaled (0: Retry-After never lengthens a wait). Default DEFAULT_MAX_RETRY_AFTER_MS. */
  maxRetryAfterMs?: number;
}

interface Preset {
  delaysMs: readonly number[];
  jitter: number;
  description: string;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Named schedules for --retry-schedule. */
export const RETRY_PRESETS: Readonly<Record<string, Preset>> = {
  default: { delaysMs: DEFAULT_RETRY_SCHEDULE_MS, jitter: STANDARD_JITTER, description: 'immediately, 5s, 30s, 5m, with jitter' },
  // Standard Webhooks / Svix: https://docs.svix.com/retries
  standard: { delaysMs: [0, 5_000, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR], jitter: STANDARD_JITTER, description: 'Standard Webhooks/Svix: 0, 5s, 5m, 30m, 2h, 5h, 10h, 10h with jitter' },
  svix: { delaysMs: [0, 5_000, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR], jitter: STANDARD_JITTER, description: 'alias of standard' },
  none: { delaysMs: [0], jitter: 0, description: 'one attempt' },
};

export interface RetryFlags {
  retries?: string;
  retrySchedule?: string;
  /** commander's --no-retry: false when given. */
  retry?: boolean;
  timeScale?: string;
  timeout?: string;
  maxRetryAfter?: string;
  /** A fraction 0..1 each wait moves by, up or down (0: exact waits); over the schedule's own. */
  retryJitter?: string;
}

/**
 * Parses a schedule list ("0,100ms,1s") or preset name. A list that does not start with 0 is read as
 * the waits between attempts, so "5s,30s" means: now, then after 5s, then after 30s more.
 */
export function parseRetrySchedule(value: string, flag = '--retry-schedule'): { delaysMs: number[]; jitter: number } {
  const text = value.trim();
  const preset = RETRY_PRESETS[text.toLowerCase()];
  if (preset) return { delaysMs: [...preset.delaysMs], jitter: preset.jitter };
  if (text === '') throw usageError(`${flag}: expected a list of delays like 0,5s,30s,5m or a preset (${Object.keys(RETRY_PRESETS).join(', ')})`);
  const parts = text.split(',').map((part) => part.trim());
  const delaysMs = parts.map((part) => {
    if (part === '') throw usageError(`${flag}: empty entry in "${value}" (expected e.g. 0,5s,30s,5m)`);
    if (!/^\d/.test(part)) {
      throw usageError(`${flag}: "${part}" is not a delay or a preset; expected e.g. 0,5s,30s,5m or one of ${Object.keys(RETRY_PRESETS).join(', ')}`);
    }
    return parseDuration(part, flag);
  });
  if (delaysMs[0] !== 0) delaysMs.unshift(0);
  return { delaysMs, jitter: 0 };
}

/** The policy from --retries, --retry-schedule, --no-retry, --time-scale, --timeout and --max-retry-after. */
export function retryPolicyFromFlags(options: RetryFlags): RetryPolicy {
  const timeoutMs = options.timeout !== undefined ? parsePositiveDuration(String(options.timeout), '--timeout') : DEFAULT_TIMEOUT_MS;
  const maxRetryAfterMs = options.maxRetryAfter !== undefined ? parseDuration(String(options.maxRetryAfter), '--max-retry-after') : DEFAULT_MAX_RETRY_AFTER_MS;
  const timeScale = options.timeScale !== undefined ? parseNumber(String(options.timeScale), '--time-scale', { min: 0 }) : 1;
  const { delaysMs, jitter: scheduleJitter } =
    options.retrySchedule !== undefined ? parseRetrySchedule(String(options.retrySchedule)) : { delaysMs: [...DEFAULT_RETRY_SCHEDULE_MS], jitter: STANDARD_JITTER };
  const jitter = options.retryJitter !== undefined ? parseNumber(String(options.retryJitter), '--retry-jitter', { min: 0, max: 1 }) : scheduleJitter;

  if (options.retry === false) {
    if (options.retries !== undefined && options.retries !== '0') throw usageError('--no-retry and --retries: give one or the other');
    return { delaysMs: [0], timeoutMs, timeScale, jitter: 0, maxRetryAfterMs };
  }
  if (options.retries !== undefined) {
    const retries = parseInteger(String(options.retries), '--retries', { min: 0, max: 1000 });
    // More retries than the schedule lists repeat its last wait; fewer cut it short.
    const last = delaysMs[delaysMs.length - 1] ?? 0;
    while (delaysMs.length < retries + 1) delaysMs.push(last);
    delaysMs.length = retries + 1;
  }
  return { delaysMs, timeoutMs, timeScale, jitter, maxRetryAfterMs };
}

/** The wait before attempt `attemptIndex` (0-based) under the policy, scaled and jittered, in ms. */
export function scheduledWaitMs(policy: RetryPolicy, attemptIndex: number, random: () => number = Math.random): number {
  const base = policy.delaysMs[attemptIndex] ?? policy.delaysMs[policy.delaysMs.length - 1] ?? 0;
  const jitter = policy.jitter ?? 0;
  const jittered = jitter > 0 ? base * (1 + (random() * 2 - 1) * jitter) : base;
  return Math.max(0, Math.round(jittered * policy.timeScale));
}
