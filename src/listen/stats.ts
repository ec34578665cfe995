import { isSuccess } from './faults.js';
import type { Subscriber } from './observe.js';
import type { Delivery, ListenStats, QueuedForward } from './types.js';

const REJECTED = new Set([401, 404, 405, 408, 413]);

/** One forward of one delivery: its capture id and route. */
export function forwardKey(forward: Pick<QueuedForward, 'id' | 'route'>): string {
  return `${forward.id}\n${forward.route ?? ''}`;
}

/** The running counts behind `handle.stats` and the summary: a subscriber, plus what sinks report. */
export class StatsCounter implements Subscriber {
  /** The forwards that are dead letters now (capture id and route). */
  private readonly dead = new Set<string>();
  readonly stats: ListenStats = { received: 0, verified: 0, rejected: 0, duplicates: 0, forwarded: 0, forwardFailed: 0, forwardsKept: 0, deadLetters: 0, queued: 0, unrouted: 0, injected: 0, resets: 0, captured: 0, captureErrors: 0 };

  delivery(delivery: Delivery): void {
    const { stats } = this;
    stats.received++;
    if (delivery.verified === true) stats.verified++;
    if (delivery.duplicate) stats.duplicates++;
    if (delivery.reset) stats.resets++;
    if (delivery.injected) stats.injected++;
    if (delivery.status !== null && REJECTED.has(delivery.status)) stats.rejected++;
    if (delivery.forwardQueued) stats.queued++;
    // A forward answered in line (the app's status is mirrored); queued ones are counted as they end.
    if (delivery.forward) {
      if (delivery.forward.status !== null && isSuccess(delivery.forward.status)) stats.forwarded++;
      else stats.forwardFailed++;
    }
  }

  forward(forward: QueuedForward): void {
    const key = forwardKey(forward);
    if (forward.delivered) {
      this.stats.forwarded++;
      // A dead letter requeued and delivered since is no longer one.
      if (this.dead.delete(key)) this.stats.deadLetters--;
    } else if (forward.kept) this.stats.forwardsKept++;
    else {
      this.stats.forwardFailed++;
      if (forward.dead && !this.dead.has(key)) {
        this.dead.add(key);
        this.stats.deadLetters++;
      }
    }
  }

  /** A new delivery no route matched: acknowledged, nothing to forward. */
  unroutedDelivery(): void {
    this.stats.unrouted++;
  }

  captured(): void {
    this.stats.captured++;
  }

  captureFailed(): void {
    this.stats.captureErrors++;
  }
}
