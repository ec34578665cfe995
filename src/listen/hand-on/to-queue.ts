import type { IntakeResult, RedisIntake } from '../../queue/intake.js';
import { QueueFullError } from '../../queue/connection.js';
import { Answers } from '../answers.js';
import type { OwnedClaim } from '../claim.js';
import { toRecord } from '../delivery.js';
import { json, type Answer } from '../http-answer.js';
import type { Accepted, HandOn, HandOnParts } from './index.js';

/**
 * `listen --queue`: a new delivery is deduplicated in Redis and added to the stream in one step,
 * and answered 2xx only once Redis has it; `hookctl worker`s forward it. Duplicates are decided
 * here, across every listener on the queue (the pipeline's ledger is DEFERRED_LEDGER). With
 * --capture the delivery is also recorded locally, once Redis answered (so the copy knows whether
 * it was a duplicate). Redis away or full: 503 + Retry-After, and nothing was accepted.
 */
export class ToQueue implements HandOn {
  constructor(
    private readonly parts: HandOnParts,
    private readonly intake: RedisIntake,
    /** The queue, named without its password, for messages. */
    private readonly display: string,
  ) {}

  accept(accepted: Accepted, _claim: OwnedClaim): Promise<Answer> {
    const { delivery } = accepted;
    const key = delivery.idempotencyKey ?? delivery.id;
    return this.intake.add(key, toRecord(delivery, accepted.receivedAt)).then(
      (result) => this.added(accepted, result),
      (error: unknown) => this.refused(accepted, error),
    );
  }

  private added(accepted: Accepted, result: IntakeResult): Answer | Promise<Answer> {
    const { delivery } = accepted;
    if (result.duplicate) delivery.duplicate = true;
    else {
      delivery.capture = result.where;
      delivery.forwardQueued = true;
    }
    const ok = () => this.parts.answers.ok(delivery, delivery.duplicate);
    if (!this.parts.store.active) return ok();
    const where = delivery.capture;
    const stored = this.parts.store.store(delivery, accepted.receivedAt);
    const then = (copied: boolean) => {
      // The queue is where the delivery is kept; the local copy is a convenience and never costs a 2xx.
      if (where !== null) delivery.capture = where;
      if (!copied) delivery.note = 'in the queue; the local capture failed';
      return ok();
    };
    return stored instanceof Promise ? stored.then(then) : then(stored);
  }

  private refused({ delivery }: Accepted, error: unknown): Answer {
    const full = error instanceof QueueFullError;
    const message = (error as Error)?.message ?? String(error);
    this.parts.stats.captureFailed();
    this.parts.observers.warning(`${delivery.eventId ?? delivery.id} not accepted: ${message}; answering 503 so the sender retries`);
    delivery.note = full ? 'queue full' : 'queue unavailable';
    return {
      status: 503,
      headers: { 'retry-after': full ? '5' : '1' },
      body: json({ error: full ? `the queue at ${this.display} is full; retry later` : `the queue at ${this.display} is unavailable; retry`, reason: full ? 'queue_full' : 'queue_unavailable' }),
    };
  }

  drain(): Promise<number> {
    return Promise.resolve(0);
  }

  async close(): Promise<void> {}
}
