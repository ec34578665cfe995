/**
 * Opening a queue: one call that connects (loading the Redis client only now) and hands out the
 * piece that plugs into the listener's pipeline (the intake: dedupe and enqueue in one step) and
 * the worker's connections. The status backend for `hookctl queue` is chosen in
 * src/queue-backend/open.ts.
 */
import type { QueueAddress } from './address.js';
import { connectRedis, type ConnectOptions, type RedisConnection } from './connection.js';
import { ensureGroup } from './group.js';
import { queueKeys, type QueueKeys } from './keys.js';
import { RedisIntake } from './intake.js';

export interface RedisQueue {
  readonly address: QueueAddress;
  readonly keys: QueueKeys;
  readonly connection: RedisConnection;
  /** Dedupe and enqueue in one step (what `listen --queue` uses): the stream and group are created first. */
  intake(options?: { windowMs?: number }): Promise<RedisIntake>;
  /** Idempotent. */
  close(): Promise<void>;
}

export async function openRedisQueue(address: QueueAddress, options: ConnectOptions = {}): Promise<RedisQueue> {
  const connection = await connectRedis(address, options);
  const keys = queueKeys(address.stream);
  return {
    address,
    keys,
    connection,
    async intake(intakeOptions) {
      await ensureGroup(connection, keys.stream, address.group);
      return new RedisIntake(connection, keys, intakeOptions);
    },
    close: () => connection.close(),
  };
}
