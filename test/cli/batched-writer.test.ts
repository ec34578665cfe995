/**
 * The writer behind a command's line per event, against a real pipe whose reader stops reading
 * (`cat` writing into a pipe this test does not read): nothing blocks, memory stays bounded, and
 * every line is either delivered or counted as dropped.
 */
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { BatchedWriter } from '../../src/cli/batched-writer.js';

const children: Array<ReturnType<typeof spawn>> = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

describe('BatchedWriter', () => {
  it('drops and counts lines a stalled pipe cannot take, delivers the rest, and never blocks', async () => {
    const cat = spawn('cat', [], { stdio: ['pipe', 'pipe', 'ignore'] });
    children.push(cat);
    cat.stdout!.pause();
    let droppedLines = 0;
    const writer = new BatchedWriter(cat.stdin!, { maxPendingBytes: 64 * 1024, onDropped: (lines) => (droppedLines += lines) });
    const line = `${'x'.repeat(99)}\n`;
    const total = 50_000;
    // 5 MB in turns of 100 lines, while nobody reads: the event loop must keep turning.
    let turns = 0;
    const ticker = setInterval(() => turns++, 1);
    for (let i = 0; i < total; i++) {
      writer.write(line);
      if (i % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
    }
    clearInterval(ticker);
    expect(turns).toBeGreaterThan(0);
    expect(cat.stdin!.writableLength).toBeLessThanOrEqual(2 * 64 * 1024 + line.length * 100);

    // The reader comes back: what was held arrives, then the drop count is reported.
    let received = 0;
    cat.stdout!.on('data', (chunk: Buffer) => {
      for (const byte of chunk) if (byte === 0x0a) received++;
    });
    cat.stdout!.resume();
    await writer.flushed(10_000);
    cat.stdin!.end();
    await new Promise((resolve) => cat.stdout!.once('end', resolve));
    expect(droppedLines).toBeGreaterThan(0);
    expect(received + droppedLines).toBe(total);
  });
});
