import { type Subscriber } from './observe.js';

/**
 * A subscriber that sees nothing until `open()`: the listener serves (and resumes forwards) from the
 * moment it is bound, but the `listening` record has to come first on stdout. What happens in
 * between is kept, in order, and handed on at `open()`.
 */
export function heldUntilOpen(subscriber: Subscriber): { subscriber: Subscriber; open(): void } {
  let waiting: Array<() => void> | undefined = [];
  const later =
    <T>(handle: ((value: T) => void) | undefined) =>
    (value: T): void => {
      if (!handle) return;
      if (waiting) waiting.push(() => handle.call(subscriber, value));
      else handle.call(subscriber, value);
    };
  const held: Subscriber = { delivery: later(subscriber.delivery), forward: later(subscriber.forward), warning: later(subscriber.warning) };
  if (subscriber.needsHeaders) Object.assign(held, { needsHeaders: true });
  return {
    subscriber: held,
    open() {
      const now = waiting;
      waiting = undefined;
      for (const show of now ?? []) show();
    },
  };
}
