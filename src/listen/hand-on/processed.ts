import { Answers } from '../answers.js';
import { ledgerFailed, type OwnedClaim } from '../claim.js';
import type { Answer } from '../http-answer.js';
import type { Accepted, HandOn, HandOnParts } from './index.js';

/**
 * No app to ask: a delivery is processed once it is recorded, so the record and the ledger entry
 * are written together, and under --durable their fsyncs overlap (one commit round, not two). If
 * only the record fails the id stays committed: the sender's retry (after our 503) is then
 * recorded as a duplicate, so the bytes are still kept.
 */
export class ProcessedOnStore implements HandOn {
  constructor(private readonly parts: HandOnParts) {}

  accept({ delivery, receivedAt }: Accepted, claim: OwnedClaim): Answer | Promise<Answer> {
    const { parts } = this;
    const stored = parts.store.store(delivery, receivedAt);
    const committing = claim.commit(delivery.id);
    if (!(stored instanceof Promise) && !committing) return stored ? parts.answers.ok(delivery, false) : Answers.unavailable(delivery);
    const committed = committing
      ? committing.then(
          () => true,
          (error: unknown) => {
            ledgerFailed(parts, error);
            return false;
          },
        )
      : true;
    return Promise.all([stored, committed]).then(([ok, done]) => (ok && done ? parts.answers.ok(delivery, false) : Answers.unavailable(delivery)));
  }

  drain(): Promise<number> {
    return Promise.resolve(0);
  }

  async close(): Promise<void> {}
}
