/**
 * Where `listen --queue` hands each new delivery: deduplicated in Redis (the ledger every listener
 * on the queue shares) and added to the stream in one atomic step (ADD_IF_NEW), so no event id is
 * accepted as new twice across listeners, and an id is never marked seen without its delivery in
 * the stream. `add` resolves once Redis has answered: the listener answers 2xx only then.
 */
import { toJournalLine, type DeliveryRecord } from '../records/record.js';
import type { RedisConnection } from './connection.js';
import { FIELD } from './entry.js';
import type { QueueKeys } from './keys.js';
import { ClaimInProgressError, DEFAULT_CLAIM_LEASE_MS, DEFAULT_DEDUPE_WINDOW_MS } from './ledger.js';
import { ADD_IF_NEW, runScript } from './scripts.js';

export type IntakeResult = { duplicate: false; entryId: string; where: string } | { duplicate: true };

export class RedisIntake {
  readonly windowMs: number;
  private readonly window: string;

  constructor(
    private readonly connection: RedisConnection,
    private readonly keys: QueueKeys,
    options: { windowMs?: number } = {},
  ) {
    this.windowMs = options.windowMs ?? DEFAULT_DEDUPE_WINDOW_MS;
    this.window = String(this.windowMs);
    if (FIELD.record !== 'record') throw new Error('ADD_IF_NEW writes the field "record"');
  }

  /**
   * Adds the record unless its key was accepted before (within the window). Rejects with
   * QueueUnavailableError (Redis unreachable; ClaimInProgressError when another listener's claim
   * holds the key) or QueueFullError (maxmemory): the listener answers 503 for those.
   */
  async add(key: string, record: DeliveryRecord): Promise<IntakeResult> {
    const [added, value] = await runScript<[number, string]>(this.connection, ADD_IF_NEW, [this.keys.seen(key), this.keys.stream], [toJournalLine(record), this.window]);
    if (added === 1) return { duplicate: false, entryId: value, where: `${this.connection.address.display}#${value}` };
    if (String(value).startsWith('pending:')) throw new ClaimInProgressError(key, DEFAULT_CLAIM_LEASE_MS);
    return { duplicate: true };
  }
}
