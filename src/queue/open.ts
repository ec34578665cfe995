/**
 * Opening a queue: one call that connects (loading the Redis client only now) and hands out the
 * pieces that plug into the listener's pipeline (the ledger and the stream sink), the worker's
 * connections, and the status backend.
 */
import { usageError } from '../errors.js';
import { isRedisUrl, parseQueueAddress, type AddressOverrides, type QueueAddress } from './address.js';
import { connectRedis, type ConnectOptions, type RedisConnection } from './connection.js';
import { ensureGroup } from './group.js';
import { queueKeys, type QueueKeys } from './keys.js';
import { RedisIntake } from './intake.js';
import { RedisLedger, type RedisLedgerOptions } from './ledger.js';
import { RedisStreamSink } from './sink.js';
import { RedisQueueBackend, type QueueBackend } from './status.js';

export interface RedisQueue {
  readonly address: QueueAddress;
  readonly keys: QueueKeys;
  readonly connection: RedisConnection;
  /** The dedupe ledger shared by every listener on this queue. */
  ledger(options?: RedisLedgerOptions): RedisLedger;
  /** The stream sink, with the stream and consumer group created if missing. */
  sink(): Promise<RedisStreamSink>;
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
    ledger: (ledgerOptions) => new RedisLedger(connection, keys, ledgerOptions),
    async sink() {
      const sink = new RedisStreamSink(connection, keys);
      await sink.open();
      return sink;
    },
    async intake(intakeOptions) {
      await ensureGroup(connection, keys.stream, address.group);
      return new RedisIntake(connection, keys, intakeOptions);
    },
    close: () => connection.close(),
  };
}

/** The status backend for a queue target: a Redis URL, or a capture folder (the listener's outbox). */
export async function openQueueBackend(target: string, overrides: AddressOverrides = {}, what = '<queue>'): Promise<QueueBackend> {
  if (target === '') throw usageError(`${what}: give a redis:// URL or the capture folder of a listen --ack-first`);
  if (!isRedisUrl(target)) {
    const { OutboxBackend } = await import('../outbox/backend.js');
    return OutboxBackend.open(target, what);
  }
  const address = parseQueueAddress(target, overrides, what);
  const queue = await openRedisQueue(address, { name: 'hookctl-status' });
  return new RedisQueueBackend(queue.connection, queue.keys, () => queue.close());
}
