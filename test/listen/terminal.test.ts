/**
 * The line per delivery on a real terminal that stops reading (a paused or slow terminal): the
 * listener keeps answering at full speed, holds what it can, drops the rest with a count, and
 * every delivery is accounted for. Driven through a pseudo-terminal, stopped with a typed Ctrl-C.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, cliEnv } from '../helpers/cli.js';

const DRIVER = fileURLToPath(new URL('./pty-hold.py', import.meta.url));
const hasPty = spawnSync('python3', ['-c', 'import pty, termios'], { stdio: 'ignore' }).status === 0;
const kills: Array<() => void> = [];
afterEach(() => {
  while (kills.length > 0) kills.pop()!();
});

/** POSTs `count` distinct deliveries, `concurrency` at a time; resolves with the statuses seen. */
async function fire(url: string, count: number, concurrency: number): Promise<Map<number, number>> {
  const statuses = new Map<number, number>();
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const id = next++;
      // Long path, type and id (headers the generic scheme reads without a secret): lines of ~190
      // bytes, so 8000 of them are more than the listener's 1 MiB of held lines and some are dropped.
      const response = await fetch(`${url}${'p'.repeat(55)}`, {
        method: 'POST',
        body: `{"n":${id}}`,
        headers: { 'content-type': 'application/json', 'x-event-type': 'e'.repeat(38), 'x-event-id': `d-${String(id).padStart(34, '0')}` },
      });
      await response.arrayBuffer();
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return statuses;
}

describe.skipIf(!hasPty)('listen on a terminal that stops reading', () => {
  it('answers every delivery while the terminal is stuck; lines shown + lines dropped = deliveries', async () => {
    const driver = spawn('python3', [DRIVER, process.execPath, BIN, 'listen', '--port', '0', '--no-capture', '--every-line'], { env: cliEnv({ TERM: 'xterm-256color' }), stdio: ['pipe', 'pipe', 'inherit'] });
    kills.push(() => driver.kill('SIGKILL'));
    const lines = createInterface({ input: driver.stdout! })[Symbol.asyncIterator]();
    const { url } = JSON.parse((await lines.next()).value as string) as { url: string | null };
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);

    // Far more than a terminal buffer and the listener's 1 MiB of held lines: without the batched,
    // off-loop writer the listener blocks on its first full write and these never finish.
    const count = 8_000;
    const started = Date.now();
    const statuses = await fire(url!, count, 50);
    const elapsed = Date.now() - started;
    expect(Object.fromEntries(statuses)).toEqual({ 200: count });

    driver.stdin!.write('resume\n');
    const result = JSON.parse((await lines.next()).value as string) as { output: string; code: number };
    const output = result.output.replace(/\r/g, '');
    expect(result.code, output.slice(-2000)).toBe(0);
    expect(output).toMatch(new RegExp(`summary: ${count} received`));
    const ids = [...output.matchAll(/ POST \/p+  e+  d-(\d+) /g)].map((match) => Number(match[1]));
    const shown = new Set(ids).size;
    const dropped = [...output.matchAll(/(\d+) lines? of output not shown: the terminal could not keep up/g)].reduce((sum, match) => sum + Number(match[1]), 0);
    // What is neither a whole delivery line nor a drop count: where a lost or broken line would show.
    const other = output.split('\n').filter((line) => line !== '' && !/ POST \/p+  e+  d-\d+ /.test(line) && !/lines? of output not shown/.test(line));
    const why = `${shown} shown, ${dropped} dropped, ${elapsed} ms to send; other lines:\n${other.slice(0, 20).join('\n')}`;
    expect(ids.length, why).toBe(shown);
    expect(dropped, why).toBeGreaterThan(0);
    expect(shown + dropped, why).toBe(count);
  }, 60_000);
});
