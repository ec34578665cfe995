/**
 * The stream sink: a delivery record appended to the queue's stream (XADD). `write` resolves only
 * once Redis acknowledged the entry, with where it is; the listener answers 2xx after that, so an
 * acknowledged delivery is in Redis, where a listener crash cannot take it.
 */
import type { DeliveryRecord } from '../records/record.js';
import type { RedisConnection } from './connection.js';
import { deliveryFields } from './entry.js';
import { ensureGroup } from './group.js';
import type { QueueKeys } from './keys.js';

export class RedisStreamSink {
  constructor(
    private readonly connection: RedisConnection,
    private readonly keys: QueueKeys,
  ) {}

  /** Creates the stream and the consumer group if missing (deliveries wait there for the first worker). */
  async open(): Promise<void> {
    await ensureGroup(this.connection, this.keys.stream, this.connection.address.group);
  }

  /**
   * Appends the record; resolves with where it is (`redis://host:port/db#<entry id>`, no password).
   * Rejects with QueueUnavailableError (Redis unreachable) or QueueFullError (maxmemory).
   */
  async write(record: DeliveryRecord): Promise<string> {
    const id = await this.connection.command<string>(['XADD', this.keys.stream, '*', ...deliveryFields(record)]);
    return `${this.connection.address.display}#${id}`;
  }
}
