import type { Scheme } from '../../schemes/types.js';
import { Answers } from '../answers.js';
import type { OwnedClaim } from '../claim.js';
import type { Answer } from '../http-answer.js';
import type { Observers } from '../observe.js';
import type { StatsCounter } from '../stats.js';
import type { StoreStage } from '../store.js';
import type { Delivery } from '../types.js';

/** A new delivery this listener holds the claim for, on its way on. */
export interface Accepted {
  delivery: Delivery;
  /** The listener URL it was posted to: stored with the record. */
  receivedAt: string;
  /** Headers as received, unredacted: for the app behind the listener only. */
  received: Record<string, string>;
  /** Path and query as requested, unredacted: for the app only. */
  requestPath: string;
  /** The scheme it was signed with, if known: re-signing uses the same. */
  scheme: Scheme | undefined;
}

/**
 * What happens to a new delivery once it is claimed: it is stored, handed on (or not), its claim is
 * committed or released, and the answer to the sender says how that went. One per file here,
 * chosen in assemble.ts: nothing further, processed once stored (processed.ts); the app in line,
 * its answer is ours (app-in-line.ts); --ack-first, 2xx once stored, then forwarded from the
 * durable outbox in the capture folder (outbox.ts) or, with no capture folder, from memory
 * (app-queue.ts); --queue, 2xx once Redis has it, and workers forward it (to-queue.ts).
 */
export interface HandOn {
  accept(accepted: Accepted, claim: OwnedClaim): Answer | Promise<Answer>;
  /** Waits for queued work, at most `timeoutMs`; resolves with how much was left. */
  drain(timeoutMs: number): Promise<number>;
  close(): Promise<void>;
}

/** What every hand-on needs from the rest of the pipeline. */
export interface HandOnParts {
  store: StoreStage;
  answers: Answers;
  stats: StatsCounter;
  observers: Observers;
}

/** Stores, then continues with `next`; a delivery that could not be stored releases its claim and answers 503. */
export function storeThen(parts: HandOnParts, accepted: Accepted, claim: OwnedClaim, next: () => Answer | Promise<Answer>): Answer | Promise<Answer> {
  const stored = parts.store.store(accepted.delivery, accepted.receivedAt);
  if (!(stored instanceof Promise)) return stored ? next() : notStored(accepted, claim);
  return stored.then((ok) => (ok ? next() : notStored(accepted, claim)));
}

function notStored(accepted: Accepted, claim: OwnedClaim): Answer {
  claim.release();
  return Answers.unavailable(accepted.delivery);
}
