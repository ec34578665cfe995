import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, readFile, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { PRIVATE_FILE_MODE } from './file-ops.js';

/** The lock's file name in the capture folder: a dotfile, so replay never takes it for a fixture. */
export const LOCK_FILE = '.hookctl-lock';

/** A listener holding the folder touches its lock this often. */
export const LOCK_REFRESH_MS = 10_000;
/** A lock from another host not touched for this long belongs to a listener that is gone. */
export const LOCK_STALE_AFTER_MS = 60_000;

interface LockOwner {
  pid: number;
  host: string;
  startedAt: string;
}

/** Another live process holds the folder; the message names the folder and that process. */
export class FolderLockedError extends Error {}

/**
 * One listener per capture folder. Two listeners on one folder each processed the same event id
 * (each with its own ledger in memory), and on a full disk one's cut-back truncated the other's
 * acknowledged records.
 *
 * The lock is a file holding the owner's pid and host, created whole (written to a temp name,
 * then hard-linked into place, which fails if it exists). It is removed on close; after a crash
 * (SIGKILL, power cut) it stays behind, and the next listener finds its pid gone
 * (`process.kill(pid, 0)`) and takes it over. A lock from another host (a container recreated
 * with a new host name, a folder on shared storage) cannot be checked that way: a running listener
 * touches its lock every LOCK_REFRESH_MS, so one from another host untouched for
 * LOCK_STALE_AFTER_MS (six missed refreshes) is taken over too, and `takenOver` says so. Node has
 * no flock(), and the libraries that add one are native addons; a pid file needs nothing and says
 * who holds the folder.
 */
export class FolderLock {
  private released = false;
  private readonly refresh: NodeJS.Timeout;

  private constructor(
    readonly path: string,
    private readonly owner: LockOwner,
    /** When a stale lock of another process was taken over: whose, and why it counted as stale. */
    readonly takenOver: string | undefined,
  ) {
    // The refresh is what tells a listener on another host that this one still runs.
    this.refresh = setInterval(() => {
      const now = new Date();
      utimes(path, now, now).catch(() => {});
    }, LOCK_REFRESH_MS);
    this.refresh.unref();
  }

  static async acquire(dir: string): Promise<FolderLock> {
    const path = join(dir, LOCK_FILE);
    const owner: LockOwner = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
    const temp = join(dir, `${LOCK_FILE}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    await writeFile(temp, `${JSON.stringify(owner)}\n`, { mode: PRIVATE_FILE_MODE, flag: 'wx' });
    try {
      let takenOver: string | undefined;
      // A few rounds at most: each takes over one stale lock, or finds a live owner and stops.
      for (let round = 0; round < 5; round++) {
        try {
          await link(temp, path);
          return new FolderLock(path, owner, takenOver);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        }
        const holder = await readOwner(path);
        if (holder === 'gone') continue;
        if (holder !== 'unreadable') {
          const silentMs = await untouchedFor(path);
          if (isAlive(holder, silentMs)) throw new FolderLockedError(lockedMessage(dir, holder));
          if (holder.host !== hostname()) takenOver = `took over the lock of ${dir} from pid ${holder.pid} on ${holder.host} (started ${holder.startedAt}): not refreshed for ${Math.round(silentMs / 1000)}s, so that listener is gone (a lock from another host is stale after ${LOCK_STALE_AFTER_MS / 1000}s without a refresh)`;
        }
        await removeStale(path, holder);
      }
      throw new FolderLockedError(`${dir} is being locked by several hookctl listeners starting at once; start one`);
    } finally {
      await unlink(temp).catch(() => {});
    }
  }

  /** Removes the lock, if it is still ours. Idempotent. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    clearInterval(this.refresh);
    const holder = await readOwner(this.path);
    if (holder !== 'gone' && holder !== 'unreadable' && holder.pid === this.owner.pid && holder.startedAt === this.owner.startedAt) {
      await unlink(this.path).catch(() => {});
    }
  }
}

async function readOwner(path: string): Promise<LockOwner | 'gone' | 'unreadable'> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw error;
  }
  try {
    const owner = JSON.parse(text) as Partial<LockOwner>;
    if (Number.isSafeInteger(owner.pid) && typeof owner.host === 'string') return { pid: owner.pid!, host: owner.host, startedAt: String(owner.startedAt ?? '') };
  } catch {
    // not ours to read: treated as stale below
  }
  return 'unreadable';
}

/** How long since the lock file was last touched (written or refreshed), ms. */
async function untouchedFor(path: string): Promise<number> {
  try {
    return Math.max(0, Date.now() - (await stat(path)).mtimeMs);
  } catch {
    return 0;
  }
}

/** Whether the owner may still be running: on another host, while it keeps refreshing the lock. */
function isAlive(owner: LockOwner, untouchedMs: number): boolean {
  if (owner.host !== hostname()) return untouchedMs < LOCK_STALE_AFTER_MS;
  // Our own pid in a lock we do not hold yet is a previous run (a container restarts with the same pid).
  if (owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
    return !isZombie(owner.pid);
  } catch (error) {
    // EPERM: it exists, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A process that exited and waits for its parent to reap it: it still answers kill(pid, 0), but holds nothing. */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}

function lockedMessage(dir: string, owner: LockOwner): string {
  if (owner.host !== hostname()) {
    return `${dir} is in use by another hookctl listener (pid ${owner.pid} on ${owner.host}, started ${owner.startedAt}); stop it, or give this one another --capture folder (if that host's listener is gone, its lock is taken over ${LOCK_STALE_AFTER_MS / 1000}s after its last refresh)`;
  }
  return `${dir} is in use by another hookctl listener (pid ${owner.pid}, started ${owner.startedAt}); stop it, or give this one another --capture folder (if that process is gone, delete ${join(dir, LOCK_FILE)})`;
}

/**
 * Takes a stale lock out of the way without ever removing a live one: it is moved aside first (an
 * atomic rename), and if what was moved is not the stale lock we read (another listener took it
 * over meanwhile), it is put back.
 */
async function removeStale(path: string, stale: LockOwner | 'unreadable'): Promise<void> {
  const aside = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.stale`;
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const moved = await readOwner(aside);
  const same = moved === stale || (moved !== 'gone' && moved !== 'unreadable' && stale !== 'unreadable' && moved.pid === stale.pid && moved.startedAt === stale.startedAt);
  if (!same) await link(aside, path).catch(() => {});
  await unlink(aside).catch(() => {});
}
