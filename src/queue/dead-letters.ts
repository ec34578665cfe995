/**
 * Dead letters: forwards that will not be tried again (the schedule ran out, or the app refused
 * with a status that is not retried) and entries that could not be read. They are kept, in the
 * stream `<stream>:dead`, with the entry's own fields (so the delivery record is there byte for
 * byte) plus why it died; `requeue` puts them back in the stream for another full schedule.
 */
import type { RedisConnection } from './connection.js';
import { fieldMap, FIELD } from './entry.js';
import type { QueueKeys } from './keys.js';
import type { DeadLetter } from '../queue-backend/types.js';

export type { DeadLetter } from '../queue-backend/types.js';
import { REQUEUE_DEAD, runScript } from './scripts.js';

export type DeadReason = 'exhausted' | 'refused' | 'malformed' | 'unknown-route';

export const DEAD_FIELD = {
  reason: 'dead.reason',
  error: 'dead.error',
  status: 'dead.status',
  route: 'dead.route',
  target: 'dead.target',
  at: 'dead.at',
  entry: 'dead.entry',
} as const;

export interface DeadLetterInfo {
  reason: DeadReason;
  /** The last error, in words: "HTTP 503: …", "connection refused (ECONNREFUSED)", `no "record" field`. */
  error: string;
  status: number | null;
  route: string | null;
  target: string | null;
  /** The stream entry it died from. */
  entryId: string;
  at: Date;
}

/** The XADD that stores a dead letter: the entry's fields, then the `dead.*` ones. */
export function deadLetterCommand(keys: QueueKeys, fields: readonly string[], info: DeadLetterInfo): string[] {
  const extra = [DEAD_FIELD.reason, info.reason, DEAD_FIELD.error, info.error, DEAD_FIELD.entry, info.entryId, DEAD_FIELD.at, info.at.toISOString()];
  if (info.status !== null) extra.push(DEAD_FIELD.status, String(info.status));
  if (info.route !== null) extra.push(DEAD_FIELD.route, info.route);
  if (info.target !== null) extra.push(DEAD_FIELD.target, info.target);
  // A field named like ours in a malformed entry must not pass for ours.
  const own: string[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) if (!fields[i]!.startsWith('dead.')) own.push(fields[i]!, fields[i + 1]!);
  return ['XADD', keys.dead, '*', ...own, ...extra];
}

function recordSummary(line: string | undefined): { eventId: string | null; eventType: string | null } {
  if (line === undefined) return { eventId: null, eventType: null };
  try {
    const record = JSON.parse(line) as { eventId?: unknown; eventType?: unknown };
    return {
      eventId: typeof record.eventId === 'string' ? record.eventId : null,
      eventType: typeof record.eventType === 'string' ? record.eventType : null,
    };
  } catch {
    return { eventId: null, eventType: null };
  }
}

export function decodeDeadLetter(id: string, fields: readonly string[]): DeadLetter {
  const map = fieldMap(fields);
  const status = map.get(DEAD_FIELD.status);
  return {
    id,
    deadAt: map.get(DEAD_FIELD.at) ?? '',
    reason: map.get(DEAD_FIELD.reason) ?? 'unknown',
    error: map.get(DEAD_FIELD.error) ?? '',
    status: status !== undefined && /^\d+$/.test(status) ? Number(status) : null,
    route: map.get(DEAD_FIELD.route) ?? map.get(FIELD.route) ?? null,
    target: map.get(DEAD_FIELD.target) ?? null,
    attempts: Number(map.get(FIELD.attempt) ?? 0) || 0,
    ...recordSummary(map.get(FIELD.record)),
    entryId: map.get(DEAD_FIELD.entry) ?? null,
    origin: map.get(FIELD.origin) ?? map.get(DEAD_FIELD.entry) ?? null,
  };
}

type RawEntry = [string, string[]];

/** Dead letters, oldest first, at most `limit`. */
export async function listDeadLetters(connection: RedisConnection, keys: QueueKeys, limit = 1000): Promise<DeadLetter[]> {
  const entries = await connection.command<RawEntry[]>(['XRANGE', keys.dead, '-', '+', 'COUNT', String(limit)]);
  return entries.map(([id, fields]) => decodeDeadLetter(id, fields));
}

export async function countDeadLetters(connection: RedisConnection, keys: QueueKeys): Promise<number> {
  return connection.command<number>(['XLEN', keys.dead]);
}

/** Puts the given dead letters (or all of them) back in the stream; returns how many. */
export async function requeueDeadLetters(connection: RedisConnection, keys: QueueKeys, ids: readonly string[] | 'all'): Promise<number> {
  const chosen = ids === 'all' ? (await connection.command<RawEntry[]>(['XRANGE', keys.dead, '-', '+'])).map(([id]) => id) : [...ids];
  let requeued = 0;
  // In batches, so one script call never holds Redis for long.
  for (let start = 0; start < chosen.length; start += 500) {
    requeued += await runScript<number>(connection, REQUEUE_DEAD, [keys.dead, keys.stream], chosen.slice(start, start + 500));
  }
  return requeued;
}
