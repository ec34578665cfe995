/**
 * The outbox behind `hookctl queue status|dead|requeue <capture folder>`: the same QueueBackend
 * the Redis queue implements, read from the folder's `.hookctl-outbox` (read only: the listener
 * owns it). A requeue is a request the listener on the folder applies (requeue.ts).
 */
import { readFile, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { usageError } from '../errors.js';
import type { DeadLetter, QueueBackend, QueueStatus, ScheduledRetry, WorkerStatus } from '../queue-backend/types.js';
import { OUTBOX_FILE, type OutboxEntry, type ParsedOutbox } from './entry.js';
import { readOutbox } from './read.js';
import { requestRequeue, requestsTaken, waitingRequests } from './requeue.js';

const NEXT_RETRIES = 10;
/** How long `requeue` waits to see a running listener take its request. */
const PICKUP_WAIT_MS = 2_500;

/** The capture folder's lock (one listener per folder), when the capture layer keeps one: who runs there. */
const LOCK_FILE = '.hookctl-lock';

export class OutboxBackend implements QueueBackend {
  readonly engine = 'outbox' as const;
  private note: string | undefined;

  private constructor(readonly dir: string) {}

  /** The backend for a capture folder; a folder that does not exist is a usage error. */
  static async open(target: string, what = '<queue>'): Promise<OutboxBackend> {
    const dir = resolve(target);
    let isFolder = false;
    try {
      isFolder = (await stat(dir)).isDirectory();
    } catch {
      throw usageError(`${what}: expected a redis:// URL or a capture folder with an outbox, and "${target}" does not exist`);
    }
    if (!isFolder) throw usageError(`${what}: "${target}" is not a folder (give the capture folder of listen --ack-first, or a redis:// URL)`);
    return new OutboxBackend(dir);
  }

  get display(): string {
    return join(this.dir, OUTBOX_FILE);
  }

  private async read(): Promise<{ outbox: ParsedOutbox; bytes: number }> {
    const outbox = await readOutbox(this.display);
    return { outbox, bytes: outbox.bytes };
  }

  async status(): Promise<QueueStatus> {
    const [{ outbox, bytes }, requests, listener] = await Promise.all([this.read(), waitingRequests(this.dir), this.listener()]);
    const now = Date.now();
    const entries = [...outbox.entries.values()];
    const pending = entries.filter((entry) => entry.state === 'pending');
    const retrying = pending.filter((entry) => entry.attempts > 0).sort((a, b) => a.due - b.due);
    const dead = entries.filter((entry) => entry.state === 'dead');
    const requested = new Set(requests.flatMap((request) => request.ids));
    const perSecond = (seconds: number) => outbox.deliveredAt.filter((at) => at >= now - seconds * 1000).length / seconds;
    return {
      engine: 'outbox',
      queue: this.display,
      pending: pending.length - retrying.length,
      inFlight: 0,
      workers: listener ? [listener] : [],
      scheduled: retrying.length,
      nextRetries: retrying.slice(0, NEXT_RETRIES).map(scheduled),
      dead: dead.length,
      deliveredPerSecond: { last10s: perSecond(10), last60s: perSecond(60) },
      totals: { ...outbox.totals, malformed: 0, unrouted: 0 },
      stream: { entries: outbox.lines, bytes },
      ...(requested.size > 0 ? { requeueWaiting: dead.filter((entry) => requested.has(entry.id)).length } : {}),
    };
  }

  async deadLetters(limit = 1000): Promise<DeadLetter[]> {
    const { outbox } = await this.read();
    return [...outbox.entries.values()]
      .filter((entry) => entry.state === 'dead')
      .sort((a, b) => a.at - b.at)
      .slice(0, limit)
      .map(deadLetter);
  }

  async requeue(ids: readonly string[] | 'all'): Promise<number> {
    const { outbox } = await this.read();
    const dead = [...outbox.entries.values()].filter((entry) => entry.state === 'dead').map((entry) => entry.id);
    const chosen = ids === 'all' ? dead : ids.filter((id) => dead.includes(id));
    this.note = undefined;
    if (chosen.length === 0) return 0;
    await requestRequeue(this.dir, { ids: chosen });
    const deadline = Date.now() + PICKUP_WAIT_MS;
    while (!(await requestsTaken(this.dir)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    this.note = (await requestsTaken(this.dir))
      ? 'the listener running on the folder took them: they are being forwarded now'
      : `no listener on ${this.dir} took them yet: the next \`hookctl listen --capture ${this.dir} --ack-first\` forwards them first`;
    return chosen.length;
  }

  afterRequeue(): string | undefined {
    return this.note;
  }

  /** The listener holding the folder, from the capture folder's lock file when there is one and its process lives. */
  private async listener(): Promise<WorkerStatus | undefined> {
    try {
      const owner = JSON.parse(await readFile(join(this.dir, LOCK_FILE), 'utf8')) as { pid?: unknown; host?: unknown; startedAt?: unknown };
      if (typeof owner.pid !== 'number' || owner.host !== hostname()) return undefined;
      process.kill(owner.pid, 0);
      return { name: `hookctl listen (pid ${owner.pid})`, inFlight: 0, idleMs: 0 };
    } catch {
      return undefined;
    }
  }

  async close(): Promise<void> {}
}

function scheduled(entry: OutboxEntry): ScheduledRetry {
  return { at: new Date(entry.due).toISOString(), eventId: entry.event, route: entry.route, attempts: entry.attempts, lastError: entry.error ?? null };
}

function deadLetter(entry: OutboxEntry): DeadLetter {
  return {
    id: entry.id,
    deadAt: new Date(entry.at).toISOString(),
    reason: entry.reason ?? 'exhausted',
    error: entry.error ?? '',
    status: entry.status ?? null,
    route: entry.route,
    target: entry.target,
    attempts: entry.attempts,
    eventId: entry.event,
    eventType: entry.type,
    entryId: entry.capture,
    origin: entry.capture,
  };
}
