import { fsErrorText } from '../capture/file-ops.js';
import type { Claim } from '../capture/ledger.js';
import { Answers } from './answers.js';
import type { Answer } from './http-answer.js';
import type { Observers } from './observe.js';
import type { StatsCounter } from './stats.js';
import type { Delivery } from './types.js';

export type { Claim };
export type OwnedClaim = Exclude<Claim, { duplicate: true }>;

/**
 * Which event ids were processed: a claim on an id is either a duplicate, or the right to process
 * it, settled by commit (processed) or release (not processed, so the sender's retry is processed
 * again). The file ledger beside the captures, or one shared by many listeners (Redis).
 */
export interface Ledger {
  claim(key: string): Claim | Promise<Claim>;
  close(): Promise<void>;
}

const ALWAYS_NEW: Claim = { duplicate: false, commit: () => undefined, release: () => {} };

/**
 * A ledger that decides nothing: for a hand-on that dedupes and stores in one step (the Redis
 * queue, where the shared ledger and the stream are written by one atomic script).
 */
export const DEFERRED_LEDGER: Ledger = {
  claim: () => ALWAYS_NEW,
  close: async () => {},
};

/** Who hears that the ledger could not be written. */
export interface LedgerWatch {
  stats: StatsCounter;
  observers: Observers;
}

/** The ledger refused an entry: counted and said; the caller answers 503 so the sender retries. */
export function ledgerFailed(watch: LedgerWatch, error: unknown): void {
  watch.stats.captureFailed();
  watch.observers.warning(`the idempotency ledger could not be written (${fsErrorText(error)}); answering 503 so the sender retries`);
}

/** Commits a claim, then answers with `then`; a ledger that cannot be written answers 503. */
export function commitThen(watch: LedgerWatch, claim: OwnedClaim, delivery: Delivery, then: () => Answer): Answer | Promise<Answer> {
  const committing = claim.commit(delivery.id);
  if (!committing) return then();
  return committing.then(then, (error: unknown) => {
    ledgerFailed(watch, error);
    return Answers.unavailable(delivery);
  });
}
