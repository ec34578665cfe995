/**
 * The busy view's line a second: answer times below a millisecond (the histogram's first bucket)
 * read "<1ms", not "0ms", and the last bucket (everything slower) reads as at least that.
 */
import { Writable } from 'node:stream';
import { expect, it } from 'vitest';
import { Output } from '../../src/cli/output.js';
import { RateAdaptiveView } from '../../src/commands/listen/aggregate.js';
import { RateGate } from '../../src/listen/rate-gate.js';
import type { Delivery } from '../../src/listen/types.js';

function viewLines(times: number[]): string[] {
  let text = '';
  const stdout = Object.assign(new Writable({ write: (chunk, _encoding, done) => ((text += String(chunk)), done()) }), { isTTY: false });
  const output = new Output({ stdout: stdout as never, stderr: stdout as never, env: { NO_COLOR: '1' } });
  const view = new RateAdaptiveView({}, output, new RateGate(1, 0, () => 0));
  for (const ms of times) view.delivery({ duplicate: false, status: 200, forward: null, ms } as unknown as Delivery);
  view.close();
  return text.split('\n').filter((line) => /\d+\/s/.test(line));
}

it('sub-millisecond answers read <1ms, the slowest bucket ≥2000ms', () => {
  const [fast] = viewLines([0, 0, 0, 0]);
  expect(fast).toMatch(/p50 <1ms p99 <1ms/);
  const [slow] = viewLines([0, 5000, 5000, 5000]);
  expect(slow).toMatch(/p50 ≥2000ms p99 ≥2000ms/);
  const [plain] = viewLines([3, 3, 3, 3]);
  expect(plain).toMatch(/p50 3ms p99 3ms/);
});
