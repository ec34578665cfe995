/**
 * Diagnosing a refused delivery re-hashes and re-serializes its body once per suspect: tens of
 * times the cost of refusing it. A flood of large forged deliveries must not turn that into a
 * denial of service, so diagnosis runs on a per-process budget; refusals beyond it are still
 * refused (401, same reason), just not explained.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyWith } from '../../src/schemes/registry.js';

const SECRET = 'budget-secret';
const value = { items: Array.from({ length: 9000 }, (_, i) => ({ id: i, name: `item-${i}`, tags: ['a', 'b'], price: i * 1.5 })) };
const sent = Buffer.from(JSON.stringify(value));
// Signed pretty-printed, sent compact: a mismatch the diagnosis explains when it runs.
const signature = `sha256=${createHmac('sha256', SECRET).update(JSON.stringify(value, null, 2)).digest('hex')}`;

function refuse() {
  return verifyWith('github', { body: sent, headers: { 'x-hub-signature-256': signature }, secrets: [SECRET], toleranceSeconds: 300, nowMs: Date.now() }).result;
}

describe('diagnosis budget', () => {
  it('a flood of large forged deliveries: every one refused, only a bounded few diagnosed', () => {
    expect(sent.length).toBeGreaterThan(500_000);
    const first = refuse();
    expect(first).toMatchObject({ verified: false, reason: 'signature_mismatch' });
    expect(first.diagnosis).toMatch(/re-serialized pretty-printed/);
    const started = performance.now();
    let diagnosed = 0;
    const count = 60;
    for (let i = 0; i < count; i++) {
      const result = refuse();
      expect(result.reason).toBe('signature_mismatch');
      if (result.diagnosis) diagnosed++;
    }
    const seconds = (performance.now() - started) / 1000;
    // 32 MiB burst + 16 MiB/s, at 8 passes over a 0.5 MB body each: about 7 at once, 3.6 a second after.
    const bound = 8 + Math.ceil(seconds * 3.8);
    expect(diagnosed).toBeLessThanOrEqual(bound);
    expect(diagnosed).toBeLessThan(count);
  });
});
