/**
 * Diagnosing a refused delivery re-verifies it once per suspect cause and re-serializes JSON
 * bodies: tens of times the cost of refusing it. A flood of large forged deliveries must not turn
 * that into a denial of service, so diagnosis runs on a per-process budget of measured time;
 * refusals beyond it are still refused (401, same reason), just not explained. It once charged
 * body length × 8 instead, a guess that was far below the real cost of a Twilio form.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DIAGNOSIS_BURST_MS, DIAGNOSIS_MS_PER_SECOND } from '../../src/schemes/diagnose.js';
import { getScheme, verifyWith } from '../../src/schemes/registry.js';
import type { VerifyInput } from '../../src/schemes/types.js';

const SECRET = 'budget-secret';
const value = { items: Array.from({ length: 9000 }, (_, i) => ({ id: i, name: `item-${i}`, tags: ['a', 'b'], price: i * 1.5 })) };
const sent = Buffer.from(JSON.stringify(value));
// Signed pretty-printed, sent compact: a mismatch the diagnosis explains when it runs.
const signature = `sha256=${createHmac('sha256', SECRET).update(JSON.stringify(value, null, 2)).digest('hex')}`;
const githubInput = (): VerifyInput => ({ body: sent, headers: { 'x-hub-signature-256': signature }, secrets: [SECRET], toleranceSeconds: 300, nowMs: Date.now() });

// A 1 MB form of 999 parameters (just under Twilio's limit) with a forged signature: every
// diagnosis suspect re-reads and re-hashes it.
const form = Buffer.from(Array.from({ length: 999 }, (_, i) => `n${i}=`.padEnd(1000, '+')).join('&'));
const twilioInput = (): VerifyInput => ({
  body: Buffer.from(form),
  headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': randomBytes(20).toString('base64') },
  secrets: [SECRET],
  toleranceSeconds: 300,
  nowMs: Date.now(),
  url: 'https://user:pw@hooks.example.com/twilio/sms?a=%20b&c=d e',
});

// Forged JSON that no suspect explains, just under the size where serializers are still tried:
// every suspect runs, the costliest (tokenizing and re-writing it as Python, PHP and Rails would) too.
const forgedJson = (items: number) => {
  const body = Buffer.from(JSON.stringify({ items: Array.from({ length: items }, (_, i) => ({ id: `it_${i}`, name: 'Zoë <Ångström>', url: 'https://x.example/a/b', n: 1.5 })) }));
  return (): VerifyInput => ({ body, headers: { 'x-hub-signature-256': `sha256=${randomBytes(32).toString('hex')}` }, secrets: [SECRET], toleranceSeconds: 300, nowMs: Date.now() });
};

const cpuMsSince = (before: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
};

/**
 * Refuses `count` forged requests in a row, and returns how much more CPU that took than refusing
 * them without diagnosis: the time spent diagnosing, which the budget bounds. CPU time, so that
 * other work on a shared machine does not count (the budget charges the clock, which is never less).
 */
function diagnosingMs(scheme: string, input: () => VerifyInput, count: number): { spentMs: number; elapsedMs: number; diagnosed: number } {
  const plain = getScheme(scheme);
  let refuseMs = Infinity;
  for (let round = 0; round < 3; round++) {
    const before = process.cpuUsage();
    for (let i = 0; i < 4; i++) expect(plain.verify(input()).verified).toBe(false);
    refuseMs = Math.min(refuseMs, cpuMsSince(before) / 4);
  }
  let diagnosed = 0;
  const started = performance.now();
  const before = process.cpuUsage();
  for (let i = 0; i < count; i++) {
    const { result } = verifyWith(scheme, input());
    expect(result.reason).toBe('signature_mismatch');
    if (result.diagnosis) diagnosed++;
  }
  return { spentMs: cpuMsSince(before) - count * refuseMs, elapsedMs: performance.now() - started, diagnosed };
}

describe('diagnosis budget', () => {
  it('a flood of large forged deliveries: every one refused, the first ones explained', () => {
    const first = verifyWith('github', githubInput()).result;
    expect(first).toMatchObject({ verified: false, reason: 'signature_mismatch' });
    expect(first.diagnosis).toMatch(/re-serialized pretty-printed/);
    const { diagnosed } = diagnosingMs('github', githubInput, 60);
    expect(diagnosed).toBeLessThan(60);
  });

  for (const [scheme, input] of [
    ['github', githubInput],
    ['twilio', twilioInput],
    ['github (forged, 120 KB of JSON with non-ASCII, every suspect tried)', forgedJson(1500)],
    ['github (forged, 700 KB of JSON with non-ASCII)', forgedJson(9000)],
  ] as const) {
    it(`${scheme}: the time spent diagnosing a flood stays within the budget (${DIAGNOSIS_BURST_MS} ms, then ${DIAGNOSIS_MS_PER_SECOND} ms a second)`, () => {
      const { spentMs, elapsedMs } = diagnosingMs(scheme.split(' ')[0]!, input, 40);
      // The budget, plus one suspect it may overdraw by, plus slack for a shared machine.
      const allowed = DIAGNOSIS_BURST_MS + (DIAGNOSIS_MS_PER_SECOND * elapsedMs) / 1000 + 150;
      expect(spentMs, `${spentMs.toFixed(0)} ms of ${elapsedMs.toFixed(0)} ms spent diagnosing`).toBeLessThanOrEqual(allowed);
    });
  }
});
