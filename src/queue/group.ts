import type { RedisConnection } from './connection.js';

interface GroupInfo {
  name: string;
}

/** True when the stream exists and has the group; read-only, so it works on a Redis at maxmemory. */
export async function groupExists(connection: RedisConnection, stream: string, group: string): Promise<boolean> {
  try {
    const groups = await connection.command<GroupInfo[]>(['XINFO', 'GROUPS', stream]);
    return groups.some((candidate) => String(candidate.name) === group);
  } catch (error) {
    if (/no such key/i.test((error as Error).message)) return false;
    throw error;
  }
}

/**
 * Creates the consumer group if it is missing, reading from the start of the stream: deliveries
 * added before any worker ever ran are processed too. Listeners and workers both call it, so
 * whichever starts first creates the stream and the group.
 *
 * The group is looked for first: on a Redis at maxmemory `XGROUP CREATE … MKSTREAM` is refused
 * with OOM before Redis would say BUSYGROUP, which kept every new worker out of a full queue, the
 * one moment workers are needed most.
 */
export async function ensureGroup(connection: RedisConnection, stream: string, group: string): Promise<void> {
  if (await groupExists(connection, stream, group)) return;
  try {
    await connection.command(['XGROUP', 'CREATE', stream, group, '0', 'MKSTREAM']);
  } catch (error) {
    if (!/BUSYGROUP/.test((error as Error).message)) throw error;
  }
}
