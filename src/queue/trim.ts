/**
 * The stream's trim policy: an entry is removed once every consumer group has acknowledged it and
 * it is older than the retention (default 10 minutes, so `replay` can read recent deliveries back
 * from the queue; at ~1.8 KB of Redis memory per 1 KiB delivery that is ~110 MB at 100
 * deliveries/s; `--retain 0` trims within a second of acknowledgement). Entries not yet
 * delivered, or delivered and not yet acknowledged, are never trimmed: the backlog is bounded by
 * Redis's maxmemory (the listener answers 503 when it is full), never by dropping accepted
 * deliveries. Trimming is `XTRIM MINID ~`: Redis frees whole stream nodes (100 entries or 4 KB,
 * whichever fills first), so a few acknowledged entries may linger until their node is complete.
 * While Redis is near maxmemory (memory.ts) the retention yields: delivered entries are trimmed
 * exactly and at once, so a full queue makes room as fast as workers deliver.
 */
import type { RedisConnection } from './connection.js';
import { idAt, minId, nextId } from './stream-ids.js';

export const DEFAULT_RETAIN_MS = 10 * 60 * 1000;

interface GroupInfo {
  name: string;
  pending: number;
  'last-delivered-id': string;
}

/** The lowest id some group still needs: its oldest unacknowledged entry, or the one after the last it read. */
export async function oldestNeededId(connection: RedisConnection, stream: string): Promise<string | undefined> {
  let groups: GroupInfo[];
  try {
    groups = await connection.command<GroupInfo[]>(['XINFO', 'GROUPS', stream]);
  } catch (error) {
    if (/no such key/i.test((error as Error).message)) return undefined;
    throw error;
  }
  let floor: string | undefined;
  for (const group of groups) {
    let needed = nextId(String(group['last-delivered-id']));
    if (Number(group.pending) > 0) {
      const summary = await connection.command<[number, string | null, string | null, unknown]>(['XPENDING', stream, String(group.name)]);
      if (summary[1]) needed = minId(needed, summary[1]);
    }
    floor = floor === undefined ? needed : minId(floor, needed);
  }
  return floor;
}

/**
 * Trims what the policy allows; returns how many entries Redis removed. `exact` trims up to the
 * threshold itself rather than whole nodes (what a full Redis needs: every delivered entry goes).
 */
export async function trimStream(connection: RedisConnection, stream: string, retainMs: number, now: number = Date.now(), exact = false): Promise<number> {
  const needed = await oldestNeededId(connection, stream);
  // No group yet: nobody has read anything, so nothing is known to be delivered.
  if (needed === undefined) return 0;
  const threshold = retainMs > 0 ? minId(needed, idAt(now - retainMs)) : needed;
  // XTRIM frees and allocates nothing: Redis accepts it at maxmemory.
  return connection.command<number>(['XTRIM', stream, 'MINID', ...(exact ? [] : ['~']), threshold]);
}
