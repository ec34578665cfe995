import type { AttemptLimiter } from '../delivery/index.js';

/** A counting semaphore for requests in flight; waiters are served in arrival order. */
export class Slots implements AttemptLimiter {
  private readonly waiters: Array<() => void> = [];
  private head = 0;
  private opened = false;

  constructor(private free: number) {}

  acquire(): Promise<void> | undefined {
    if (this.opened) return undefined;
    if (this.free > 0) {
      this.free--;
      return undefined;
    }
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    if (this.head < this.waiters.length) {
      const next = this.waiters[this.head]!;
      this.waiters[this.head++] = undefined as never;
      // Compact now and then; the queue is short, but a long run passes many through it.
      if (this.head > 1024 && this.head * 2 > this.waiters.length) {
        this.waiters.splice(0, this.head);
        this.head = 0;
      }
      next();
    } else {
      this.free++;
    }
  }

  /** Lets every waiter through and every later acquire too (after Ctrl-C nothing should wait for a slot). */
  open(): void {
    this.opened = true;
    const waiting = this.waiters.slice(this.head);
    this.waiters.length = 0;
    this.head = 0;
    for (const resolve of waiting) resolve();
  }
}
