/**
 * A stale timestamp is told in words a person reads at a glance, written the way every other wait
 * hookctl prints is ("1h 2m"); "about 1 hours" was the old wording.
 */
import { describe, expect, it } from 'vitest';
import { humanSpan } from '../../src/schemes/common.js';
import { NOW_S, ours, sign } from './support.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

function staleMessage(ageSeconds: number): string {
  const body = '{"id":"evt_1"}';
  const headers = sign('stripe', body, SECRET, { timestamp: NOW_S - ageSeconds });
  const result = ours({ scheme: 'stripe', body, headers: { 'stripe-signature': headers['Stripe-Signature'] }, secrets: SECRET });
  expect(result.reason).toBe('timestamp_outside_tolerance');
  return result.message;
}

describe('a stale timestamp, in words', () => {
  it('an hour old is "1h", not "about 1 hours"; a day and a half is "36h"; days past two', () => {
    expect(staleMessage(3600)).toContain('3600s (1h) old');
    expect(staleMessage(3700)).toContain('3700s (1h 2m) old');
    expect(staleMessage(129_600)).toContain('(36h) old');
    expect(staleMessage(3 * 86_400)).toContain('(about 3 days) old');
    for (const age of [3600, 5400, 86_400, 90_000]) expect(staleMessage(age)).not.toMatch(/\b1 hours|\b1 days/);
  });

  it('no span under an hour, where the seconds speak for themselves', () => {
    expect(humanSpan(3599)).toBe('');
    expect(staleMessage(600)).toContain('600s old');
  });
});
