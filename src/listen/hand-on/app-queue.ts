import type { Route } from '../../routes/route.js';
import { commitThen, type OwnedClaim } from '../claim.js';
import type { Answer } from '../http-answer.js';
import type { Forwarder } from '../forward.js';
import { routesFor } from '../routes.js';
import { forwardItem } from './app-in-line.js';
import { storeThen, type Accepted, type HandOn, type HandOnParts } from './index.js';

/**
 * --ack-first without a capture folder: a new delivery is answered 2xx once stored and committed,
 * and forwarded from a queue in memory, with retries, to every route it matches. A crash loses
 * what is queued (the command warns at start); with a capture folder the outbox keeps it (outbox.ts).
 */
export class AppQueue implements HandOn {
  constructor(
    private readonly parts: HandOnParts,
    private readonly forwarder: Forwarder,
    private readonly routes: readonly Route[],
  ) {}

  accept(accepted: Accepted, claim: OwnedClaim): Answer | Promise<Answer> {
    const { delivery } = accepted;
    return storeThen(this.parts, accepted, claim, () =>
      commitThen(this.parts, claim, delivery, () => {
        const routes = routesFor(this.routes, accepted);
        if (routes.length === 0) {
          delivery.note = 'no route matches';
          this.parts.stats.unroutedDelivery();
        } else {
          const item = forwardItem(accepted);
          for (const target of routes) this.forwarder.enqueue({ item, target });
          delivery.forwardQueued = true;
        }
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
