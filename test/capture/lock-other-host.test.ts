/**
 * A lock naming another host (a container recreated with a new host name) must not block every
 * restart for ever (issue 21.6): a running listener refreshes its lock, so one from another host
 * untouched for a minute is stale, taken over, and the take-over is said.
 */
import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FolderLock, LOCK_FILE, LOCK_STALE_AFTER_MS } from '../../src/capture/lock.js';
import { CliProcess } from '../helpers/cli.js';
import { cleanup, onCleanup, tempDir as makeTempDir } from './support.js';

afterEach(cleanup);

const tempDir = () => makeTempDir('hookctl-lock-host-');

function oldLock(dir: string, ageMs: number): void {
  const path = join(dir, LOCK_FILE);
  writeFileSync(path, JSON.stringify({ pid: 4242, host: 'old-container-7f3a', startedAt: '2026-11-30T10:00:00.000Z' }));
  const then = new Date(Date.now() - ageMs);
  utimesSync(path, then, then);
}

describe('a lock from another host', () => {
  it('untouched past the stale time: a new listener takes it over and starts', async () => {
    const dir = tempDir();
    oldLock(dir, LOCK_STALE_AFTER_MS + 60_000);
    const cli = new CliProcess(['listen', '--port', '0', '--json', '--capture', dir]);
    onCleanup(() => cli.stop('SIGKILL'));
    await cli.waitForRecord((record) => record.type === 'listening');
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: cli.child.pid });
    await cli.waitForLine((line) => /took over the lock of .* from pid 4242 on old-container-7f3a/.test(line), { stream: 'stderr' });
  });

  it('says whose lock it took over and why; a recently refreshed one still holds', async () => {
    const stale = tempDir();
    oldLock(stale, 2 * LOCK_STALE_AFTER_MS);
    const lock = await FolderLock.acquire(stale);
    onCleanup(() => lock.release());
    expect(lock.takenOver).toMatch(/^took over the lock of .* from pid 4242 on old-container-7f3a \(started 2026-11-30T10:00:00.000Z\): not refreshed for 1[12]\ds, so that listener is gone \(a lock from another host is stale after 60s without a refresh\)$/);

    const fresh = tempDir();
    oldLock(fresh, 5_000);
    await expect(FolderLock.acquire(fresh)).rejects.toThrow(/in use by another hookctl listener \(pid 4242 on old-container-7f3a, .*taken over 60s after its last refresh/);
  });
});
