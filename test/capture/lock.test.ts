/**
 * One listener per capture folder. Two listeners on one folder processed the same id twice in
 * every trial (each had its own ledger in memory), and on a full disk one's cut-back truncated the
 * other's acknowledged records. The second now refuses to start, naming the folder and the other
 * process; the lock goes with the listener (removed on stop, stale after a crash).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCK_FILE } from '../../src/capture/lock.js';
import { CliProcess } from '../helpers/cli.js';
import { cleanup, onCleanup, tempDir as makeTempDir } from './support.js';

afterEach(cleanup);

const tempDir = () => makeTempDir('hookctl-lock-');

function listener(dir: string, extra: string[] = []): CliProcess {
  const cli = new CliProcess(['listen', '--port', '0', '--json', '--capture', dir, ...extra]);
  onCleanup(() => cli.stop('SIGKILL'));
  return cli;
}

async function started(cli: CliProcess): Promise<string> {
  return (await cli.waitForRecord<{ url: string }>((r) => r.type === 'listening')).url;
}

describe('capture folder lock', () => {
  it('a second listener on the same folder refuses to start with one line naming the folder and the other process', async () => {
    const dir = tempDir();
    const first = listener(dir);
    await started(first);
    for (const extra of [[], ['--capture-files']]) {
      const second = listener(dir, extra);
      const { code } = await second.exited;
      expect(code).toBe(1);
      expect(second.stderrLines).toEqual([`hookctl: --capture: ${dir} is in use by another hookctl listener (pid ${first.child.pid}, started ${JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).startedAt}); stop it, or give this one another --capture folder (if that process is gone, delete ${join(dir, LOCK_FILE)})`]);
    }
    // The first one never noticed.
    const url = await started(first);
    expect((await fetch(url, { method: 'POST', body: '{"id":"after"}' })).status).toBe(200);
    await first.stop('SIGINT');
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    const third = listener(dir);
    await started(third);
  });

  it('a lock left by a crashed listener is taken over', async () => {
    const dir = tempDir();
    const crashed = listener(dir);
    await started(crashed);
    await crashed.stop('SIGKILL');
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
    const next = listener(dir);
    const url = await started(next);
    expect((await fetch(url, { method: 'POST', body: '{"id":"x"}' })).status).toBe(200);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(next.child.pid);
    // A lock that is not even readable is stale too.
    await next.stop('SIGKILL');
    writeFileSync(join(dir, LOCK_FILE), 'garbage');
    await started(listener(dir));
  });

  it('a lock from another host cannot be checked, so it holds: the message names that host', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: 4242, host: 'build-box-7', startedAt: '2026-11-30T10:00:00.000Z' }));
    const cli = listener(dir);
    expect((await cli.exited).code).toBe(1);
    expect(cli.stderrLines.join('\n')).toMatch(/in use by another hookctl listener \(pid 4242 on build-box-7, started 2026-11-30T10:00:00.000Z\)/);
  });
});
