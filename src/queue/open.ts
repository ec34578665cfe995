/**
 * Opening a queue: one call that connects (loading the Redis client only now) and hands out the
 * piece that plugs into the listener's pipeline (the intake: dedupe and enqueue in one step), the
 * worker's connections, and the status backend.
 */
import { usageError } from '../errors.js';
import { isRedisUrl, parseQueueAddress, type AddressOverrides, type QueueAddress } from './address.js';
import { connectRedis, type ConnectOptions, type RedisConnection } from './connection.js';
import { ensureGroup } from './group.js';
import { queueKeys, type QueueKeys } from './keys.js';
import { RedisIntake } from './intake.js';
import { RedisQueueBackend, type QueueBackend } from './status.js';

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

/** The status backend for a queue target: a Redis URL, or a capture folder (the listener's outbox). */
export async function openQueueBackend(target: string, overrides: AddressOverrides = {}, what = '<queue>', connect: ConnectOptions = {}): Promise<QueueBackend> {
  if (target === '') throw usageError(`${what}: give a redis:// URL or the capture folder of a listen --ack-first`);
  if (!isRedisUrl(target)) {
    const { OutboxBackend } = await import('../outbox/backend.js');
    return OutboxBackend.open(target, what);
  }
  const address = parseQueueAddress(target, overrides, what);
  const queue = await openRedisQueue(address, { name: 'hookctl-status', ...connect });
  return new RedisQueueBackend(queue.connection, queue.keys, () => queue.close());
}
