import { eventTypeMatcher } from '../replay/glob.js';
import { isSuccess } from './faults.js';
import type { Subscriber } from './observe.js';
import type { Delivery } from './types.js';

export interface DeliveryFilterOptions {
  /** Only deliveries that were not accepted (refused, failed, reset) and forwards that did not reach the app. */
  failures?: boolean;
  /** Only event types matching these globs (`invoice.*,charge.*`). */
  eventTypes?: string;
  /** Only paths (without the query) matching these globs (`/stripe*`). */
  paths?: string;
}

/** True for a delivery that did not go through: not answered 2xx, or its in-line forward failed. */
export function isFailure(delivery: Delivery): boolean {
  if (delivery.status === null || !isSuccess(delivery.status)) return true;
  return delivery.forward !== null && (delivery.forward.status === null || !isSuccess(delivery.forward.status));
}

/** Which deliveries to show; undefined when every one is. */
export function deliveryFilter(options: DeliveryFilterOptions): ((delivery: Delivery) => boolean) | undefined {
  const tests: Array<(delivery: Delivery) => boolean> = [];
  if (options.failures) tests.push(isFailure);
  if (options.eventTypes) {
    const matches = eventTypeMatcher(options.eventTypes);
    tests.push((delivery) => matches(delivery.eventType));
  }
  if (options.paths) {
    const matches = eventTypeMatcher(options.paths);
    tests.push((delivery) => {
      const q = delivery.path.indexOf('?');
      return matches(q < 0 ? delivery.path : delivery.path.slice(0, q));
    });
  }
  if (tests.length === 0) return undefined;
  return (delivery) => tests.every((test) => test(delivery));
}

/** A subscriber that sees only what the filter lets through (warnings always). */
export function filtered(subscriber: Subscriber, options: DeliveryFilterOptions): Subscriber {
  const show = deliveryFilter(options);
  if (!show) return subscriber;
  const only: Subscriber = {};
  if (subscriber.needsHeaders) Object.assign(only, { needsHeaders: true });
  if (subscriber.delivery) only.delivery = (delivery) => show(delivery) && subscriber.delivery!(delivery);
  if (subscriber.forward) only.forward = (forward) => (!options.failures || !forward.delivered) && subscriber.forward!(forward);
  if (subscriber.warning) only.warning = (message) => subscriber.warning!(message);
  return only;
}
