import { write as fsWrite } from 'node:fs';

export interface BatchedWriterOptions {
  /** Output held for a reader that is not keeping up; past it, lines are dropped and counted. */
  maxPendingBytes?: number;
  /** Called once writing resumes after lines were dropped, with how many. */
  onDropped?(lines: number): void;
  /** A write failed for good (EPIPE: the reader went away). */
  onError?(error: NodeJS.ErrnoException): void;
}

type Stream = NodeJS.WritableStream & { fd?: number; isTTY?: boolean; writableLength?: number };

const DEFAULT_MAX_PENDING = 1024 * 1024;
/**
 * Lines wait up to this long for more to share their write: a listener at a steady pace handles
 * one delivery per event-loop turn, and a write per turn was a write per line (twice the cost of
 * the line itself, by `npm run bench:display`). A person cannot see 4 ms.
 */
const GATHER_MS = 4;
/** Past this much, what is pending goes out at the end of the turn without waiting. */
const GATHER_BYTES = 16 * 1024;

/**
 * Lines for a stream that must never hold up the work they describe. What one event-loop turn
 * produced goes out in one write, and a reader that cannot keep up loses lines (counted, and said
 * once it catches up) instead of stalling the writer or growing its memory without bound.
 *
 * Node writes to a terminal synchronously, blocking the event loop while the terminal is busy (a
 * slow emulator, a paused `screen`): for a terminal the batch is written from the thread pool on
 * its file descriptor. Pipes are written without blocking (libuv queues what the pipe refuses; the
 * queue is what is bounded here); files take a batch in one fast write.
 */
export class BatchedWriter {
  private pending: string[] = [];
  private pendingBytes = 0;
  /** The flush to come: at the end of the turn, or after GATHER_MS. */
  private soon: NodeJS.Immediate | undefined;
  private later: NodeJS.Timeout | undefined;
  /** A terminal write in the thread pool, or a pipe waiting to drain. */
  private waiting = false;
  private dropped = 0;
  private broken = false;
  private idle: Array<() => void> = [];
  private readonly maxPendingBytes: number;
  /** The terminal's file descriptor, written from the thread pool; undefined for files and pipes. */
  private readonly ttyFd: number | undefined;

  constructor(
    private readonly stream: Stream,
    private readonly options: BatchedWriterOptions = {},
  ) {
    this.maxPendingBytes = options.maxPendingBytes ?? DEFAULT_MAX_PENDING;
    this.ttyFd = stream.isTTY && typeof stream.fd === 'number' ? stream.fd : undefined;
  }

  /** `keep`: never dropped, whatever is pending (a command's last words: its summary). */
  write(text: string, keep = false): void {
    if (this.broken) return;
    if (!keep && this.pendingBytes >= this.maxPendingBytes) {
      this.dropped++;
      return;
    }
    this.pending.push(text);
    this.pendingBytes += text.length;
    if (!this.waiting) this.schedule();
  }

  /** A flush within GATHER_MS, or at the end of this turn once GATHER_BYTES are pending. */
  private schedule(): void {
    if (this.pendingBytes >= GATHER_BYTES) {
      if (this.soon) return;
      clearTimeout(this.later);
      this.later = undefined;
      this.soon = setImmediate(this.flushPending);
    } else if (!this.soon && !this.later) this.later = setTimeout(this.flushPending, GATHER_MS);
  }

  /**
   * Resolves once everything accepted so far is written (or dropped), and a pipe has taken what
   * libuv still queued for it, waiting at most `drainMs` for a reader that has stopped reading.
   */
  flushed(drainMs = 2_000): Promise<void> {
    const pipeEmpty = () => this.broken || (this.stream.writableLength ?? 0) === 0;
    if (this.isIdle() && pipeEmpty()) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, drainMs);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      const afterIdle = () => (pipeEmpty() ? done() : this.stream.once('drain', done));
      if (this.isIdle()) afterIdle();
      else this.idle.push(afterIdle);
    });
  }

  private readonly flushPending = (): void => {
    clearTimeout(this.later);
    clearImmediate(this.soon);
    this.later = undefined;
    this.soon = undefined;
    if (this.waiting) return;
    if (this.pending.length === 0 || this.broken) return this.wakeIdle();
    const text = this.pending.length === 1 ? this.pending[0]! : this.pending.join('');
    this.pending = [];
    this.pendingBytes = 0;
    if (this.ttyFd !== undefined) {
      this.waiting = true;
      this.writeTerminal(Buffer.from(text, 'utf8'), 0);
      return;
    }
    try {
      const room = this.stream.write(text);
      // A pipe holding more than we allow: wait for it to drain before writing again.
      if (!room && (this.stream.writableLength ?? 0) >= this.maxPendingBytes) {
        this.waiting = true;
        this.stream.once('drain', this.resumed);
        return;
      }
    } catch (error) {
      return this.failed(error as NodeJS.ErrnoException);
    }
    this.resumed();
  };

  private writeTerminal(data: Buffer, offset: number): void {
    fsWrite(this.ttyFd!, data, offset, data.length - offset, null, (error, written) => {
      if (error) {
        // Someone set the terminal non-blocking: it is busy; try again shortly.
        if (error.code === 'EAGAIN') setTimeout(() => this.writeTerminal(data, offset), 5);
        else this.failed(error);
        return;
      }
      if (offset + written < data.length) this.writeTerminal(data, offset + written);
      else this.resumed();
    });
  }

  private readonly resumed = (): void => {
    this.waiting = false;
    if (this.dropped > 0) {
      const lines = this.dropped;
      this.dropped = 0;
      this.options.onDropped?.(lines);
    }
    if (this.pending.length > 0) this.schedule();
    else this.wakeIdle();
  };

  private failed(error: NodeJS.ErrnoException): void {
    this.waiting = false;
    this.broken = true;
    this.pending = [];
    this.pendingBytes = 0;
    this.wakeIdle();
    this.options.onError?.(error);
  }

  private isIdle(): boolean {
    return !this.soon && !this.later && !this.waiting && this.pending.length === 0;
  }

  private wakeIdle(): void {
    if (!this.isIdle()) return;
    const idle = this.idle;
    this.idle = [];
    for (const wake of idle) wake();
  }
}
