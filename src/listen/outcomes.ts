import type { ForwardOutcome } from '../records/outcome.js';
import { forwardStateOf, snippetOf } from '../records/outcome.js';
import { displayUrl } from '../text/url.js';
import type { Subscriber } from './observe.js';
import type { StoreStage } from './store.js';
import type { Delivery, ForwardResult, QueuedForward } from './types.js';

/**
 * Keeps what came of each recorded delivery with it, so a capture read later (`hookctl inspect`,
 * `replay --pick`, the filters) knows what the listener answered and what the app said: the
 * answer and the in-line forwards once the delivery is answered, each queued forward once it
 * settles. A delivery answered 2xx with nothing forwarded needs no outcome: its record says it.
 */
export class OutcomeRecorder implements Subscriber {
  /** Fixture paths of deliveries whose queued forwards are still to settle (fixture files only: a journal needs no path). */
  private readonly places = new Map<string, string>();

  constructor(
    private readonly store: StoreStage,
    private readonly files: boolean,
  ) {}

  delivery(delivery: Delivery): void {
    if (delivery.capture === null) return;
    if (delivery.forwardQueued && this.files) this.places.set(delivery.id, delivery.capture);
    const forwards = delivery.forwards ?? (delivery.forward ? [delivery.forward] : undefined);
    const plain = delivery.status !== null && delivery.status >= 200 && delivery.status < 300 && !forwards;
    if (plain) return;
    const answer = { status: delivery.status, ms: delivery.ms, ...(delivery.note ? { note: delivery.note } : {}) };
    this.store.outcome(delivery.id, { answer, ...(forwards ? { forwards: forwards.map((forward) => inLineOutcome(forward)) } : {}) }, delivery.capture);
  }

  forward(forward: QueuedForward): void {
    // Kept for the next start: still pending, as the outbox says.
    if (forward.kept) return;
    const place = this.places.get(forward.id) ?? null;
    if (place !== null) this.places.delete(forward.id);
    const state = forward.delivered ? 'delivered' : forward.dead ? 'dead' : forwardStateOf(forward.status);
    const outcome: ForwardOutcome = { route: forward.route ?? null, target: forward.target ? displayUrl(forward.target) : null, state, status: forward.status, ms: forward.ms, error: forward.error, attempts: forward.attempts };
    const app = snippetOf(forward.app?.body);
    if (app && !forward.delivered) outcome.app = app;
    if (forward.hint) outcome.hint = forward.hint;
    this.store.outcome(forward.id, { forwards: [outcome] }, place);
  }
}

function inLineOutcome(forward: ForwardResult): ForwardOutcome {
  const outcome: ForwardOutcome = { route: forward.route ?? null, target: forward.target ?? null, state: forwardStateOf(forward.status), status: forward.status, ms: forward.ms, error: forward.error ?? null, attempts: forward.attempts ?? 1 };
  const app = snippetOf(forward.app?.body);
  if (app && outcome.state !== 'delivered') outcome.app = app;
  if (forward.hint) outcome.hint = forward.hint;
  return outcome;
}
