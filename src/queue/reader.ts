/**
 * Reading a queue's deliveries back as the records captures hold: the same FixtureItem shape the
 * capture reader yields (src/records/reader.ts), so `replay` and `send` can take a Redis stream as
 * a source. Yields the deliveries as they arrived (entries with just `record`); retries and
 * requeued dead letters are copies of those and are skipped unless asked for. Only what the trim
 * policy kept is there: acknowledged entries stay for the worker's --retain (default 10 minutes).
 */
import { recordFrom, type FixtureItem } from '../records/reader.js';
import type { AddressOverrides } from './address.js';
import { parseQueueAddress } from './address.js';
import type { RedisConnection } from './connection.js';
import { fieldMap, FIELD } from './entry.js';
import type { QueueKeys } from './keys.js';
import { openRedisQueue } from './open.js';
import { idAt, nextId } from './stream-ids.js';

export interface QueueReadOptions {
  /** From this moment (Unix ms; the stream id's time), inclusive. Default: the oldest entry. */
  since?: number;
  /** Up to this moment, inclusive. Default: the newest entry when reading began. */
  until?: number;
  /** Also yield retries and requeued entries (copies of a delivery, with route state). */
  includeRetries?: boolean;
  /** Entries per XRANGE round trip. */
  pageSize?: number;
}

type RawEntry = [string, string[]];

export async function* readStreamRecords(connection: RedisConnection, keys: QueueKeys, options: QueueReadOptions = {}): AsyncGenerator<FixtureItem> {
  const pageSize = String(options.pageSize ?? 200);
  const end = options.until !== undefined ? `${Math.floor(options.until)}-${Number.MAX_SAFE_INTEGER}` : '+';
  let start = options.since !== undefined ? idAt(options.since) : '-';
  for (;;) {
    const page = await connection.command<RawEntry[]>(['XRANGE', keys.stream, start, end, 'COUNT', pageSize]);
    for (const [id, fields] of page) {
      const source = `${connection.address.display}#${id}`;
      const map = fieldMap(fields);
      if (!options.includeRetries && (map.has(FIELD.route) || map.has(FIELD.attempt))) continue;
      const line = map.get(FIELD.record);
      if (line === undefined) {
        yield { kind: 'problem', source, message: `no "${FIELD.record}" field in the entry` };
        continue;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch (error) {
        yield { kind: 'problem', source, message: `"${FIELD.record}" is not JSON (${(error as Error).message})` };
        continue;
      }
      const record = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? recordFrom(parsed as Record<string, unknown>, id) : 'not a delivery record';
      if (typeof record === 'string') yield { kind: 'problem', source, message: record };
      else yield { kind: 'entry', source, record, bare: false };
    }
    if (page.length < Number(pageSize)) return;
    start = nextId(page[page.length - 1]![0]);
  }
}

/** Connects, reads, disconnects: what `replay redis://…` calls. */
export async function* readQueueRecords(url: string, options: QueueReadOptions & AddressOverrides = {}): AsyncGenerator<FixtureItem> {
  const queue = await openRedisQueue(parseQueueAddress(url, options), { name: 'hookctl-reader' });
  try {
    yield* readStreamRecords(queue.connection, queue.keys, options);
  } finally {
    await queue.close();
  }
}
