import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CliProcess, runCli } from '../helpers/cli.js';

const running: CliProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((cli) => cli.stop('SIGKILL')));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hookctl-bench-'));
  dirs.push(dir);
  return dir;
}

describe('bench polling-vs-push: bad input is refused before anything runs', () => {
  const cases: Array<[string[], RegExp]> = [
    [['--interval', '0'], /--interval: must be greater than 0/],
    [['--rate', '-5'], /--rate: expected events per second greater than 0/],
    [['--rate', '0'], /--rate/],
    [['--clients', '0'], /--clients: expected whole numbers between 1 and/],
    [['--clients', '1,,10'], /--clients/],
    [['--events', '0'], /--events/],
    [['--long-poll-timeout', '0'], /--long-poll-timeout/],
    [['--latency', 'soon'], /--latency: expected a duration/],
    [['--payload-size', 'big'], /--payload-size/],
    [['--strategies', 'push,carrier-pigeon'], /--strategies: unknown strategy "carrier-pigeon"/],
    [['--report', '/nonexistent-dir/for/sure/report.html'], /--report: cannot write to/],
  ];
  for (const [args, message] of cases) {
    it(`${args.join(' ')} → exit 2`, async () => {
      const result = await runCli(['bench', 'polling-vs-push', ...args]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(result.stdout).toBe('');
    });
  }

  it('a directory given as --report is a usage error', async () => {
    const dir = tempDir();
    const result = await runCli(['bench', 'polling-vs-push', '--report', dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--report: .* is a directory/);
  });

  it('a read-only directory for --report is a usage error (unless running as root)', async () => {
    if (process.getuid?.() === 0) return;
    const dir = tempDir();
    const locked = join(dir, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o500);
    const result = await runCli(['bench', 'polling-vs-push', '--report', join(locked, 'r.html')]);
    chmodSync(locked, 0o700);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--report: cannot write/);
  });
});

describe('bench polling-vs-push: sparse events', () => {
  it('empty answers follow the rate: e^(−λT) for short polls, e^(−λL) for long-poll timeouts', async () => {
    // λT = 10/s × 50 ms = 0.5: about 61% of short polls find nothing. λL = 10/s × 60 ms = 0.6:
    // about 55% of long polls time out empty.
    const result = await runCli(
      ['bench', 'polling-vs-push', '--events', '20', '--rate', '10', '--interval', '50ms', '--long-poll-timeout', '60ms', '--strategies', 'short-poll,long-poll', '--json'],
      { timeoutMs: 60_000 },
    );
    expect(result.code, result.stderr).toBe(0);
    const record = JSON.parse(result.stdout) as { strategies: Array<{ name: string; requests: number; emptyResponses: number; timeouts: number; lost: number; duplicates: number; expected: { emptyRatio: number } }> };
    const [shortPoll, longPoll] = record.strategies;
    expect(shortPoll!.name).toBe('short-poll');
    expect(shortPoll!.lost + shortPoll!.duplicates).toBe(0);
    // e^(−0.5) in steady state, nudged by each client's first poll.
    expect(shortPoll!.expected.emptyRatio).toBeGreaterThan(Math.exp(-0.5) - 0.05);
    expect(shortPoll!.expected.emptyRatio).toBeLessThan(Math.exp(-0.5) + 0.05);
    const ratio = shortPoll!.emptyResponses / shortPoll!.requests;
    expect(shortPoll!.requests).toBeGreaterThan(25);
    expect(Math.abs(ratio - shortPoll!.expected.emptyRatio)).toBeLessThan(0.25);

    expect(longPoll!.name).toBe('long-poll');
    expect(longPoll!.lost + longPoll!.duplicates).toBe(0);
    expect(longPoll!.expected.emptyRatio).toBeCloseTo(Math.exp(-0.6), 1);
    // Every empty long-poll answer is a timeout, and there are about as many as the model says.
    expect(longPoll!.emptyResponses).toBe(longPoll!.timeouts);
    expect(longPoll!.emptyResponses).toBeGreaterThan(0);
    expect(Math.abs(longPoll!.emptyResponses / longPoll!.requests - longPoll!.expected.emptyRatio)).toBeLessThan(0.25);
  }, 60_000);
});

describe('bench polling-vs-push: server-sent events (opt-in)', () => {
  it('streams every event to every client over one request each', async () => {
    const result = await runCli(['bench', 'polling-vs-push', '--events', '40', '--rate', '50', '--clients', '2', '--strategies', 'sse', '--json'], { timeoutMs: 40_000 });
    expect(result.code, result.stderr).toBe(0);
    const record = JSON.parse(result.stdout) as { strategies: Array<{ name: string; delivered: number; lost: number; duplicates: number; requests: number; maxOpenConnections: number; latencyMs: { p50: number } }> };
    expect(record.strategies).toHaveLength(1);
    const [sse] = record.strategies;
    expect(sse).toMatchObject({ name: 'sse', delivered: 80, lost: 0, duplicates: 0, requests: 2, maxOpenConnections: 2 });
    // One trip on loopback: far below any poll interval.
    expect(sse!.latencyMs.p50).toBeLessThan(50);
  }, 40_000);
});

describe('bench polling-vs-push: Ctrl-C', () => {
  it('stops the servers, prints partial results and exits 130', async () => {
    const dir = tempDir();
    const cli = new CliProcess(['bench', 'polling-vs-push', '--events', '2000', '--rate', '20', '--interval', '200ms', '--report', join(dir, 'partial.html'), '--json']);
    running.push(cli);
    await cli.waitForLine((line) => /bench 1\/3: short-poll, 1 client: running/.test(line), { stream: 'stderr', timeoutMs: 20_000 });
    cli.child.kill('SIGINT');
    const exit = await cli.exited;
    expect(exit.code).toBe(130);
    const record = JSON.parse(cli.stdoutLines.join('\n')) as { type: string; interrupted: boolean; strategies: Array<{ name: string; interrupted: boolean; events: number; delivered: number; lost: number }> };
    expect(record.type).toBe('bench');
    expect(record.interrupted).toBe(true);
    expect(record.strategies).toHaveLength(1);
    expect(record.strategies[0]!.name).toBe('short-poll');
    expect(record.strategies[0]!.interrupted).toBe(true);
    expect(record.strategies[0]!.events).toBeLessThan(2000);
    expect(cli.stderrLines.join('\n')).toMatch(/interrupted after/);
    // The partial report is written whole (temp file + rename), never half.
    expect(existsSync(join(dir, 'partial.html'))).toBe(true);
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  }, 40_000);
});
