/**
 * Where `listen --queue` hands each new delivery: deduplicated in Redis (the ledger every listener
 * on the queue shares) and added to the stream in one atomic step (ADD_IF_NEW), so no event id is
 * accepted as new twice across listeners, and an id is never marked seen without its delivery in
 * the stream. `add` resolves once Redis has answered: the listener answers 2xx only then.
 *
 * Group commit, as the journal does it: the deliveries that arrive during one turn of the event
 * loop go to Redis together, as one script call (at most MAX_BATCH each). Under load that is one
 * command, one reply and one write for many deliveries instead of one each. If the call fails
 * (Redis away, or full part-way through) every delivery of the batch is refused (503): those the
 * script had already added are duplicates when their senders retry, so nothing is lost or doubled.
 */
import { toJournalLine, type DeliveryRecord } from '../records/record.js';
import { QueueUnavailableError, type RedisConnection } from './connection.js';
import type { QueueKeys } from './keys.js';
import { ADD_IF_NEW, runScript } from './scripts.js';

export const DEFAULT_DEDUPE_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;
export const DEFAULT_CLAIM_LEASE_MS = 10_000;

/**
 * The event id's ledger key holds a `pending:` claim: answer "try again" (503) rather than guess its
 * outcome. Nothing in hookctl writes one any more (the claim/commit ledger that did is gone); a key
 * left by an earlier build, or set by hand, is still not taken for a duplicate.
 */
export class ClaimInProgressError extends QueueUnavailableError {
  constructor(key: string, leaseMs: number) {
    super(`event ${JSON.stringify(key.slice(0, 80))} is being processed by another listener (still pending after ${leaseMs} ms)`);
    this.name = 'ClaimInProgressError';
  }
}

export type IntakeResult = { duplicate: false; entryId: string; where: string } | { duplicate: true };

/** Deliveries per script call: a long script holds Redis (single-threaded) for everyone else. */
const MAX_BATCH = 128;

interface Waiting {
  key: string;
  line: string;
  resolve(result: IntakeResult): void;
  reject(error: unknown): void;
}

export class RedisIntake {
  readonly windowMs: number;
  private readonly window: string;
  private waiting: Waiting[] = [];
  private scheduled = false;
  /** Script calls and deliveries so far: how much group commit saved. */
  batches = 0;
  deliveries = 0;

  constructor(
    private readonly connection: RedisConnection,
    private readonly keys: QueueKeys,
    options: { windowMs?: number } = {},
  ) {
    this.windowMs = options.windowMs ?? DEFAULT_DEDUPE_WINDOW_MS;
    this.window = String(this.windowMs);
  }

  /**
   * Adds the record unless its key was accepted before (within the window). Rejects with
   * QueueUnavailableError (Redis unreachable; ClaimInProgressError when another listener's claim
   * holds the key) or QueueFullError (maxmemory): the listener answers 503 for those.
   */
  add(key: string, record: DeliveryRecord): Promise<IntakeResult> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ key, line: toJournalLine(record), resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(this.flush);
    });
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    const all = this.waiting;
    this.waiting = [];
    for (let start = 0; start < all.length; start += MAX_BATCH) this.send(all.slice(start, start + MAX_BATCH));
  };

  private send(batch: Waiting[]): void {
    this.batches++;
    this.deliveries += batch.length;
    const keys = batch.map((waiting) => this.keys.seen(waiting.key));
    keys.push(this.keys.stream);
    const args = [this.window];
    for (const waiting of batch) args.push(waiting.line);
    runScript<Array<number | string>>(this.connection, ADD_IF_NEW, keys, args)
      .then((reply) => {
        batch.forEach((waiting, index) => {
          const added = Number(reply[index * 2]);
          const value = String(reply[index * 2 + 1]);
          if (added === 1) waiting.resolve({ duplicate: false, entryId: value, where: `${this.connection.address.display}#${value}` });
          else if (value.startsWith('pending:')) waiting.reject(new ClaimInProgressError(waiting.key, DEFAULT_CLAIM_LEASE_MS));
          else waiting.resolve({ duplicate: true });
        });
      })
      // A failed call, or a reply that cannot be read: every delivery not yet answered is refused
      // (those already answered keep their answer; a settled promise ignores the second call), so
      // none is left waiting for ever.
      .catch((error: unknown) => {
        for (const waiting of batch) waiting.reject(error);
      });
  }
}
