import type { RedisConnection } from './connection.js';

/**
 * Creates the consumer group if it is missing, reading from the start of the stream: deliveries
 * added before any worker ever ran are processed too. Listeners and workers both call it, so
 * whichever starts first creates the stream and the group.
 */
export async function ensureGroup(connection: RedisConnection, stream: string, group: string): Promise<void> {
  try {
    await connection.command(['XGROUP', 'CREATE', stream, group, '0', 'MKSTREAM']);
  } catch (error) {
    if (!/BUSYGROUP/.test((error as Error).message)) throw error;
  }
}
