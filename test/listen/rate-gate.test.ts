/** The rate gate: lines while a person can read them, one summary a second past that, lines again once calm. */
import { expect, it } from 'vitest';
import { RateGate } from '../../src/listen/rate-gate.js';

it('switches past the high mark within a second, summarizes by outcome with p50/p99, and goes back after a calm second', () => {
  let now = 0;
  const gate = new RateGate(10, 3, () => now);
  for (let i = 0; i < 10; i++) expect(gate.delivery('ok', 1)).toBe('line');
  expect(gate.delivery('ok', 1)).toBe('start');
  for (let i = 0; i < 87; i++) gate.delivery('ok', 2);
  gate.delivery('failed', 40);
  gate.delivery('duplicate', 1);
  expect(gate.forward(true)).toBe(true);
  now = 1000;
  const busy = gate.tick();
  expect(busy.calm).toBe(false);
  expect(busy.summary).toMatchObject({ deliveries: 100, rate: 100, counts: { ok: 88, failed: 1, duplicate: 1, rejected: 0 }, forwarded: 1, p50Ms: 2, p99Ms: 40 });
  gate.delivery('ok', 1);
  now = 2000;
  const calm = gate.tick();
  expect(calm).toMatchObject({ calm: true, summary: { deliveries: 1 } });
  expect(gate.aggregating).toBe(false);
  expect(gate.delivery('ok', 1)).toBe('line');
  expect(gate.forward(false)).toBe(false);
});
