/**
 * Which engine a `hookctl queue` target names: a Redis URL (src/queue/) or a capture folder (the
 * listener's outbox, src/outbox/). Each is imported only when named, so `queue status DIR` never
 * loads the Redis client.
 */
import { usageError } from '../errors.js';
import { isRedisUrl, parseQueueAddress, type AddressOverrides } from '../options/queue-url.js';
import type { ConnectOptions } from '../queue/connection.js';
import type { QueueBackend } from './types.js';

/** The status backend for a queue target: a Redis URL, or a capture folder (the listener's outbox). */
export async function openQueueBackend(target: string, overrides: AddressOverrides = {}, what = '<queue>', connect: ConnectOptions = {}): Promise<QueueBackend> {
  if (target === '') throw usageError(`${what}: give a redis:// URL or the capture folder of a listen --ack-first`);
  if (!isRedisUrl(target)) {
    const { OutboxBackend } = await import('../outbox/backend.js');
    return OutboxBackend.open(target, what);
  }
  const address = parseQueueAddress(target, overrides, what);
  const [{ openRedisQueue }, { RedisQueueBackend }] = await Promise.all([import('../queue/open.js'), import('../queue/status.js')]);
  const queue = await openRedisQueue(address, { name: 'hookctl-status', ...connect });
  return new RedisQueueBackend(queue.connection, queue.keys, () => queue.close());
}
