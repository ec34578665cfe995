/**
 * The Redis queue's delivery status, as the QueueBackend interface (src/queue-backend/types.ts)
 * that the listener's outbox implements too; `hookctl queue status|dead|requeue` only talks to it.
 */
import type { RedisConnection } from './connection.js';
import { countDeadLetters, listDeadLetters, requeueDeadLetters } from './dead-letters.js';
import type { DeadLetter } from '../queue-backend/types.js';
import { fieldMap, FIELD } from './entry.js';
import type { QueueKeys } from './keys.js';
import { presumedDeadAfter } from './liveness.js';
import { memoryUse } from './memory.js';
import type { QueueBackend, QueueStatus, ScheduledRetry } from '../queue-backend/types.js';

export type { QueueBackend, QueueStatus, ScheduledRetry, WorkerStatus } from '../queue-backend/types.js';
import { nextId } from './stream-ids.js';

interface GroupInfo {
  name: string;
  pending: number;
  'last-delivered-id': string;
  lag: number | null;
}

interface ConsumerInfo {
  name: string;
  pending: number;
  idle: number;
}

const NEXT_RETRIES = 10;
/** The worker's default --claim-idle (worker.ts imports status.ts's neighbours, not the reverse). */
const DEFAULT_CLAIM_IDLE_MS = 30_000;

function retryFrom(member: string, score: string): ScheduledRetry {
  let fields: string[] = [];
  try {
    const parsed = JSON.parse(member) as unknown;
    if (Array.isArray(parsed)) fields = parsed.map(String);
  } catch {
    // shown with what is known: its time
  }
  const map = fieldMap(fields);
  let eventId: string | null = null;
  try {
    const record = JSON.parse(map.get(FIELD.record) ?? 'null') as { eventId?: unknown } | null;
    eventId = typeof record?.eventId === 'string' ? record.eventId : null;
  } catch {
    eventId = null;
  }
  return { at: new Date(Number(score)).toISOString(), eventId, route: map.get(FIELD.route) ?? null, attempts: Number(map.get(FIELD.attempt) ?? 0) || 0, lastError: map.get(FIELD.error) ?? null };
}

export class RedisQueueBackend implements QueueBackend {
  readonly engine = 'redis' as const;

  constructor(
    private readonly connection: RedisConnection,
    private readonly keys: QueueKeys,
    private readonly onClose: () => Promise<void> = () => connection.close(),
  ) {}

  get display(): string {
    return this.connection.address.display;
  }

  /** Entries after the group's last read one, when Redis cannot say (lag is null after some deletions). */
  private async countUnread(lastDelivered: string): Promise<number> {
    const ids = await this.connection.command<unknown[]>(['XRANGE', this.keys.stream, nextId(lastDelivered), '+', 'COUNT', '100000']);
    return ids.length;
  }

  async status(options: { claimIdleMs?: number } = {}): Promise<QueueStatus> {
    const claimIdleMs = options.claimIdleMs ?? DEFAULT_CLAIM_IDLE_MS;
    const { stream } = this.keys;
    const group = this.connection.address.group;
    const exists = (await this.connection.command<number>(['EXISTS', stream])) === 1;
    const groups = exists ? await this.connection.command<GroupInfo[]>(['XINFO', 'GROUPS', stream]) : [];
    const info = groups.find((candidate) => String(candidate.name) === group);
    const consumers = info ? await this.connection.command<ConsumerInfo[]>(['XINFO', 'CONSUMERS', stream, group]) : [];
    const length = exists ? await this.connection.command<number>(['XLEN', stream]) : 0;
    let pending = length;
    if (info) pending = info.lag !== null && info.lag !== undefined ? Number(info.lag) : await this.countUnread(String(info['last-delivered-id']));
    const now = Math.floor(Date.now() / 1000);
    const secondKeys = Array.from({ length: 60 }, (_, index) => this.keys.deliveredIn(now - 1 - index));
    const [scheduled, soonest, dead, perSecond, totals, bytes, memory] = await Promise.all([
      this.connection.command<number>(['ZCARD', this.keys.retries]),
      this.connection.command<string[]>(['ZRANGE', this.keys.retries, '0', String(NEXT_RETRIES - 1), 'WITHSCORES']),
      countDeadLetters(this.connection, this.keys),
      this.connection.command<Array<string | null>>(['MGET', ...secondKeys]),
      this.connection.command<Record<string, string>>(['HGETALL', this.keys.totals]),
      exists ? this.connection.command<number | null>(['MEMORY', 'USAGE', stream]).catch(() => null) : Promise.resolve(0),
      memoryUse(this.connection),
    ]);
    const counts = perSecond.map((value) => Number(value ?? 0));
    const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
    const nextRetries: ScheduledRetry[] = [];
    // WITHSCORES under RESP3 gives [member, score] pairs; under RESP2 a flat list.
    const flat = (soonest as unknown[]).flat() as string[];
    for (let i = 0; i + 1 < flat.length; i += 2) nextRetries.push(retryFrom(String(flat[i]), String(flat[i + 1])));
    const total = (name: string) => Number(totals?.[name] ?? 0) || 0;
    return {
      engine: 'redis',
      queue: this.display,
      pending,
      inFlight: info ? Number(info.pending) : 0,
      workers: consumers.map((consumer) => ({ name: String(consumer.name), inFlight: Number(consumer.pending), idleMs: Number(consumer.idle), presumedDead: Number(consumer.idle) > presumedDeadAfter(claimIdleMs) })),
      scheduled,
      nextRetries,
      dead,
      deliveredPerSecond: { last10s: sum(counts.slice(0, 10)) / 10, last60s: sum(counts) / 60 },
      totals: { delivered: total('delivered'), retried: total('retried'), dead: total('dead'), malformed: total('malformed'), unrouted: total('unrouted') },
      stream: { entries: length, bytes: bytes === null ? null : Number(bytes) },
      ...(memory ? { memory } : {}),
    };
  }

  deadLetters(limit?: number): Promise<DeadLetter[]> {
    return listDeadLetters(this.connection, this.keys, limit);
  }

  requeue(ids: readonly string[] | 'all'): Promise<number> {
    return requeueDeadLetters(this.connection, this.keys, ids);
  }

  close(): Promise<void> {
    return this.onClose();
  }
}
