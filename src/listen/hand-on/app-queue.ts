import { commitThen, type OwnedClaim } from '../claim.js';
import type { Answer } from '../http-answer.js';
import type { Forwarder } from '../forward.js';
import { forwardItem } from './app-in-line.js';
import { storeThen, type Accepted, type HandOn, type HandOnParts } from './index.js';

/** --ack-first: a new delivery is answered 2xx once stored and committed, and forwarded from a queue with retries. */
export class AppQueue implements HandOn {
  constructor(
    private readonly parts: HandOnParts,
    private readonly forwarder: Forwarder,
  ) {}

  accept(accepted: Accepted, claim: OwnedClaim): Answer | Promise<Answer> {
    const { delivery } = accepted;
    return storeThen(this.parts, accepted, claim, () =>
      commitThen(this.parts, claim, delivery, () => {
        this.forwarder.enqueue({ item: forwardItem(accepted) });
        delivery.forwardQueued = true;
        return this.parts.answers.ok(delivery, false);
      }),
    );
  }

  drain(timeoutMs: number): Promise<number> {
    return this.forwarder.drain(timeoutMs);
  }

  close(): Promise<void> {
    return this.forwarder.close();
  }
}
