import type { Delivery, QueuedForward } from './types.js';

/**
 * Something that watches the listener: the terminal renderer, the NDJSON stream, the stats, the
 * inspector's live feed. Each gets every delivery as it is answered and every queued forward as it
 * ends. A subscriber that throws is reported, never allowed to break a delivery.
 */
export interface Subscriber {
  /**
   * Set when `delivery()` reads `delivery.headers`. Headers are copied and redacted per delivery
   * only when a sink, the app or a subscriber needs them; without, they are empty.
   */
  readonly needsHeaders?: boolean;
  delivery?(delivery: Delivery): void;
  forward?(forward: QueuedForward): void;
  /** Problems that are not a delivery's: a capture write failed, a client broke the protocol. */
  warning?(message: string): void;
}

/** All subscribers as one. */
export class Observers implements Required<Omit<Subscriber, 'needsHeaders'>> {
  private readonly deliveries: Array<(delivery: Delivery) => void> = [];
  private readonly forwards: Array<(forward: QueuedForward) => void> = [];
  private readonly warnings: Array<(message: string) => void> = [];

  add(subscriber: Subscriber): void {
    if (subscriber.delivery) this.deliveries.push(subscriber.delivery.bind(subscriber));
    if (subscriber.forward) this.forwards.push(subscriber.forward.bind(subscriber));
    if (subscriber.warning) this.warnings.push(subscriber.warning.bind(subscriber));
  }

  delivery(delivery: Delivery): void {
    for (const watch of this.deliveries) {
      try {
        watch(delivery);
      } catch (error) {
        this.warning(`a delivery could not be displayed: ${(error as Error).message}`);
      }
    }
  }

  forward(forward: QueuedForward): void {
    for (const watch of this.forwards) {
      try {
        watch(forward);
      } catch (error) {
        this.warning(`a forward could not be displayed: ${(error as Error).message}`);
      }
    }
  }

  warning(message: string): void {
    for (const watch of this.warnings) {
      try {
        watch(message);
      } catch {
        // A warning that cannot be shown has nowhere else to go.
      }
    }
  }
}
