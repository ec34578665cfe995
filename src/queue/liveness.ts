/**
 * When a worker counts as gone. A live worker shows Redis it is there: its blocking read returns
 * at least every READ_BLOCK_MS, and while all its slots are busy it re-claims what it holds every
 * claim-idle/3. A consumer silent longer than both is presumed dead: `queue status` says so, and a
 * worker removes it from the group once it holds nothing (its entries taken over).
 */
export const READ_BLOCK_MS = 2_000;

export function presumedDeadAfter(claimIdleMs: number): number {
  return Math.max(claimIdleMs, 3 * READ_BLOCK_MS);
}
