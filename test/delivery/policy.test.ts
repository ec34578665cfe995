import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_SCHEDULE_MS, parseRetryAfter, retryPolicyFromFlags, scheduledWaitMs } from '../../src/delivery/index.js';
import { UserError } from '../../src/errors.js';

function usageMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(2);
    return (error as Error).message;
  }
  throw new Error('expected a usage error');
}

describe('retryPolicyFromFlags', () => {
  it('defaults to immediately, 5s, 30s, 5m with a 10s timeout', () => {
    expect(DEFAULT_RETRY_SCHEDULE_MS).toEqual([0, 5000, 30000, 300000]);
    expect(retryPolicyFromFlags({})).toEqual({ delaysMs: [0, 5000, 30000, 300000], timeoutMs: 10000, timeScale: 1, jitter: 0.2, maxRetryAfterMs: 600000 });
  });

  it('jitter as Standard Webhooks does: the default and presets move each wait by up to ±20%; a list given, or --retry-jitter 0, is exact', () => {
    const policy = retryPolicyFromFlags({});
    expect(scheduledWaitMs(policy, 1, () => 0)).toBe(4000);
    expect(scheduledWaitMs(policy, 1, () => 1)).toBe(6000);
    const waits = new Set(Array.from({ length: 50 }, () => scheduledWaitMs(policy, 2)));
    expect(waits.size).toBeGreaterThan(1);
    for (const wait of waits) expect(wait >= 24_000 && wait <= 36_000).toBe(true);
    expect(retryPolicyFromFlags({ retrySchedule: 'default' }).jitter).toBe(0.2);
    expect(retryPolicyFromFlags({ retrySchedule: '0,5s' }).jitter).toBe(0);
    const exact = retryPolicyFromFlags({ retryJitter: '0' });
    expect(scheduledWaitMs(exact, 1, () => 1)).toBe(5000);
    // --time-scale scales the jittered wait with the rest.
    expect(scheduledWaitMs(retryPolicyFromFlags({ timeScale: '0.001', retryJitter: '0' }), 3)).toBe(300);
    expect(scheduledWaitMs(retryPolicyFromFlags({ retrySchedule: 'standard', retryJitter: '0.5' }), 1, () => 1)).toBe(7500);
    expect(usageMessage(() => retryPolicyFromFlags({ retryJitter: '2' }))).toMatch(/^--retry-jitter: /);
  });

  it('reads a schedule list; a list without a leading 0 means waits between attempts', () => {
    expect(retryPolicyFromFlags({ retrySchedule: '0,100ms,1s' }).delaysMs).toEqual([0, 100, 1000]);
    expect(retryPolicyFromFlags({ retrySchedule: '100ms, 1s' }).delaysMs).toEqual([0, 100, 1000]);
    expect(retryPolicyFromFlags({ retrySchedule: '0' }).delaysMs).toEqual([0]);
  });

  it('knows the standard preset, with jitter', () => {
    const policy = retryPolicyFromFlags({ retrySchedule: 'standard' });
    expect(policy.delaysMs).toEqual([0, 5000, 300000, 1800000, 7200000, 18000000, 36000000, 36000000]);
    expect(policy.jitter).toBeGreaterThan(0);
    expect(scheduledWaitMs(policy, 1, () => 0)).toBe(4000);
    expect(scheduledWaitMs(policy, 1, () => 1)).toBe(6000);
    expect(scheduledWaitMs(policy, 0, () => 1)).toBe(0);
  });

  it('--retries caps the schedule or repeats its last wait; --no-retry is one attempt', () => {
    expect(retryPolicyFromFlags({ retries: '1' }).delaysMs).toEqual([0, 5000]);
    expect(retryPolicyFromFlags({ retries: '0' }).delaysMs).toEqual([0]);
    expect(retryPolicyFromFlags({ retries: '3', retrySchedule: '0,1s' }).delaysMs).toEqual([0, 1000, 1000, 1000]);
    expect(retryPolicyFromFlags({ retry: false }).delaysMs).toEqual([0]);
  });

  it('--time-scale multiplies the waits', () => {
    const policy = retryPolicyFromFlags({ timeScale: '0.001', retryJitter: '0' });
    expect(scheduledWaitMs(policy, 3)).toBe(300);
  });

  it('names the flag in usage errors', () => {
    expect(usageMessage(() => retryPolicyFromFlags({ timeout: '-5s' }))).toMatch(/^--timeout: /);
    expect(usageMessage(() => retryPolicyFromFlags({ timeout: '0' }))).toMatch(/^--timeout: /);
    expect(usageMessage(() => retryPolicyFromFlags({ timeout: 'soon' }))).toMatch(/^--timeout: /);
    expect(usageMessage(() => retryPolicyFromFlags({ retrySchedule: '0,-1s' }))).toMatch(/^--retry-schedule: /);
    expect(usageMessage(() => retryPolicyFromFlags({ retrySchedule: '0,,1s' }))).toMatch(/^--retry-schedule: /);
    expect(usageMessage(() => retryPolicyFromFlags({ retrySchedule: 'fastest' }))).toMatch(/^--retry-schedule: .*standard/);
    expect(usageMessage(() => retryPolicyFromFlags({ retries: '-1' }))).toMatch(/^--retries: /);
    expect(usageMessage(() => retryPolicyFromFlags({ retries: 'x' }))).toMatch(/^--retries: /);
    expect(usageMessage(() => retryPolicyFromFlags({ timeScale: '-1' }))).toMatch(/^--time-scale: /);
    expect(usageMessage(() => retryPolicyFromFlags({ retry: false, retries: '3' }))).toMatch(/--no-retry/);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:03 GMT', now)).toBe(3000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
