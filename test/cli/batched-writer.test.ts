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

/** `cat`, whose stdin counts the writes it is given. */
function catCountingWrites(): { cat: ReturnType<typeof spawn>; writes: () => number } {
  const cat = spawn('cat', [], { stdio: ['pipe', 'pipe', 'ignore'] });
  children.push(cat);
  const stdin = cat.stdin!;
  let writes = 0;
  const write = stdin.write.bind(stdin);
  stdin.write = ((...args: Parameters<typeof write>) => {
    writes++;
    return write(...args);
  }) as typeof stdin.write;
  return { cat, writes: () => writes };
}

describe('BatchedWriter', () => {
  it('the lines of one event-loop turn go out in one write, in order', async () => {
    const { cat, writes } = catCountingWrites();
    let output = '';
    cat.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const writer = new BatchedWriter(cat.stdin!);
    const lines = Array.from({ length: 1_000 }, (_, i) => `line ${i}\n`);
    for (const line of lines) writer.write(line);
    await writer.flushed();
    expect(writes()).toBe(1);
    writer.write('next turn\n');
    await writer.flushed();
    expect(writes()).toBe(2);
    cat.stdin!.end();
    await new Promise((resolve) => cat.stdout!.once('end', resolve));
    expect(output).toBe(`${lines.join('')}next turn\n`);
  });

  it('drops and counts lines a stalled pipe cannot take, delivers the rest, and never blocks', async () => {
    const { cat, writes } = catCountingWrites();
    cat.stdout!.pause();
    let droppedLines = 0;
    const writer = new BatchedWriter(cat.stdin!, { maxPendingBytes: 64 * 1024, onDropped: (lines) => (droppedLines += lines) });
    const line = `${'x'.repeat(99)}\n`;
    const total = 50_000;
    // 5 MB in turns of 100 lines, while nobody reads: at most one write a turn (none while the
    // writer waits for the pipe to drain), never one a line.
    const turns = total / 100;
    for (let i = 0; i < total; i++) {
      writer.write(line);
      if (i % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(writes()).toBeGreaterThan(0);
    expect(writes()).toBeLessThanOrEqual(turns);
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
