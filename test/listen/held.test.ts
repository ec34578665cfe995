import { describe, expect, it } from 'vitest';
import { heldUntilOpen } from '../../src/listen/held.js';
import type { Delivery, QueuedForward } from '../../src/listen/types.js';

describe('heldUntilOpen', () => {
  it('keeps what happens before open() and hands it on in order at open(); afterwards it passes straight through', () => {
    const seen: string[] = [];
    const held = heldUntilOpen({
      needsHeaders: true,
      delivery: (delivery) => seen.push(`delivery ${delivery.id}`),
      forward: (forward) => seen.push(`forward ${forward.id}`),
    });
    expect(held.subscriber.needsHeaders).toBe(true);
    held.subscriber.forward!({ id: 'f1' } as QueuedForward);
    held.subscriber.delivery!({ id: 'd1' } as Delivery);
    held.subscriber.warning!('no warning handler: ignored');
    expect(seen).toEqual([]);
    held.open();
    expect(seen).toEqual(['forward f1', 'delivery d1']);
    held.subscriber.delivery!({ id: 'd2' } as Delivery);
    expect(seen).toEqual(['forward f1', 'delivery d1', 'delivery d2']);
    held.open();
    expect(seen).toHaveLength(3);
  });
});
