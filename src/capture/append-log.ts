import { constants as fsConstants } from 'node:fs';
import { dirname } from 'node:path';
import { realFileOps, writtenBefore, type FileOps } from './file-ops.js';

export interface AppendLogOptions {
  /** fsync before a write is reported done. */
  durable?: boolean;
  ops?: FileOps;
}

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

const NEWLINE = 0x0a;
const NOTHING = (): void => {};

/**
 * An append-only line log with group commit. Lines that arrive while a write (and, when durable,
 * its fsync) is in flight wait together and go to disk in the next single write + fsync, the way
 * a database commits its log: under load one fsync covers many records instead of one each.
 *
 * A failed write fails the lines of that batch (the caller answers 503 so the sender retries);
 * the file is reopened for the next batch, so the log recovers once the disk does.
 */
export class AppendLog {
  readonly path: string;
  private readonly durable: boolean;
  private readonly ops: FileOps;
  private fd: number | undefined;
  /** Writes are synchronous to disk (O_DSYNC): no separate fsync needed. */
  private syncWrites = false;
  private pending: string[] = [];
  private waiters: Waiter[] = [];
  private busy = false;
  /** A page-cache flush is queued for the end of this event-loop turn. */
  private scheduled = false;
  private closed = false;
  private idle: Array<() => void> = [];
  /** Batches written; with `lines` it shows how much group commit saved. */
  batches = 0;
  lines = 0;
  /** A torn line (no final newline) found when the file was opened. */
  tornTail = false;
  /** The file's size as this writer left it: where a batch that failed half-way is cut back to. */
  private size = 0;
  /** New batches wait (a replace() is swapping the file). */
  private held = false;
  private writerIdle: Array<() => void> = [];
  /** Copies of the batches written since recordFromNow(), for replace(). */
  private recorded: Buffer[] | undefined;
  /** The folder was fsynced after the file was first opened (durable). */
  private folderSynced = false;

  constructor(path: string, options: AppendLogOptions = {}) {
    this.path = path;
    this.durable = options.durable ?? false;
    this.ops = options.ops ?? realFileOps;
  }

  /** Opens (creating the folder and file). Throws the fs error: start-up reports it once. */
  async open(): Promise<void> {
    await this.ops.mkdir(dirname(this.path));
    // Append, and readable so the last byte can be checked for a torn line. Durable: O_DSYNC makes
    // each write return only once the data is on disk, so a batch costs one thread-pool job (write
    // and sync together) instead of a write, an event-loop turn, then an fsync.
    const { O_APPEND, O_CREAT, O_RDWR, O_DSYNC } = fsConstants;
    const flags = this.durable && O_DSYNC !== undefined ? O_APPEND | O_CREAT | O_RDWR | O_DSYNC : 'a+';
    const fd = await this.ops.open(this.path, flags);
    try {
      // A crash mid-write leaves a torn last line; start ours on a fresh line so it stays readable.
      let size = await this.ops.size(fd);
      if (size > 0) {
        const last = await this.ops.read(fd, 1, size - 1);
        if (last[0] !== NEWLINE) {
          this.tornTail = true;
          await this.ops.writeAll(fd, Buffer.from('\n'));
          size++;
        }
      }
      this.size = size;
      // A new file's name is in the folder, not the file: without this a power cut can lose the
      // whole file although every write to it was synced. Once per log is enough (and cheap).
      if (this.durable && !this.folderSynced) {
        await this.ops.fsyncDir?.(dirname(this.path));
        this.folderSynced = true;
      }
    } catch (error) {
      await this.ops.close(fd).catch(() => {});
      throw error;
    }
    this.fd = fd;
    this.syncWrites = typeof flags === 'number';
  }

  /** Appends one line (without its newline); resolves once written (and on disk when durable). */
  append(line: string): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the log is closed'));
    return new Promise<void>((resolve, reject) => {
      this.pending.push(line);
      this.waiters.push({ resolve, reject });
      this.kick();
    });
  }

  /**
   * Appends one line nobody waits for (an outcome line): written with the next batch like any
   * other, without a promise per line; `failed` hears of a write that failed.
   */
  appendDetached(line: string, failed: (error: unknown) => void): void {
    if (this.closed) return failed(new Error('the log is closed'));
    this.pending.push(line);
    this.waiters.push({ resolve: NOTHING, reject: failed });
    this.kick();
  }

  /** Starts writing what is pending, unless a write is already under way (it takes it next). */
  private kick(): void {
    if (this.busy || this.scheduled || this.held || this.pending.length === 0) return;
    if (this.durable || this.fd === undefined) {
      void this.cycle();
    } else {
      // Everything appended during this turn of the event loop goes out in one write.
      this.scheduled = true;
      setImmediate(this.flushInline);
    }
  }

  /**
   * Not durable: the batch goes to the page cache with one write on this thread. That costs a few
   * microseconds; a thread-pool write costs more in hand-offs than it saves (measured). Durable
   * writes wait for the disk, so they stay on the thread pool (cycle()).
   */
  private readonly flushInline = (): void => {
    this.scheduled = false;
    if (this.busy || this.held || this.pending.length === 0) return;
    if (this.fd === undefined) {
      void this.cycle();
      return;
    }
    const batch = this.takeBatch();
    try {
      this.ops.writeAllSync(this.fd, batch.data);
      this.written(batch);
    } catch (error) {
      void this.detach(writtenBefore(error));
      for (const waiter of batch.waiters) waiter.reject(error);
    }
    this.wakeIdle();
  };

  private async cycle(): Promise<void> {
    this.busy = true;
    while (this.pending.length > 0 && !this.held) {
      const batch = this.takeBatch();
      // What this batch put in the file, exactly: the bytes to cut back if it fails.
      let wrote = 0;
      try {
        if (this.fd === undefined) await this.open();
        try {
          await this.ops.writeAll(this.fd!, batch.data);
        } catch (error) {
          wrote = writtenBefore(error);
          throw error;
        }
        wrote = batch.data.length;
        if (this.durable && !this.syncWrites) await this.ops.fsync(this.fd!);
        this.written(batch);
      } catch (error) {
        // Reopen next time: the file may have been replaced, or the disk may come back.
        await this.detach(wrote);
        for (const waiter of batch.waiters) waiter.reject(error);
      }
    }
    this.busy = false;
    const idle = this.writerIdle;
    this.writerIdle = [];
    for (const wake of idle) wake();
    this.wakeIdle();
  }

  /** Everything appended so far, as one write: the lines joined, each ending in a newline. */
  private takeBatch(): { lines: number; waiters: Waiter[]; data: Buffer } {
    const lines = this.pending;
    const waiters = this.waiters;
    this.pending = [];
    this.waiters = [];
    const data = Buffer.from(lines.length === 1 ? `${lines[0]}\n` : `${lines.join('\n')}\n`, 'utf8');
    return { lines: lines.length, waiters, data };
  }

  private written(batch: { lines: number; waiters: Waiter[]; data: Buffer }): void {
    this.size += batch.data.length;
    this.recorded?.push(batch.data);
    this.batches++;
    this.lines += batch.lines;
    for (const waiter of batch.waiters) waiter.resolve();
  }

  /** After a failed write: cut back what the write left (if any) and let go of the file, to reopen it next time. */
  private detach(wrote: number): Promise<void> {
    const fd = this.fd;
    this.fd = undefined;
    if (fd === undefined) return Promise.resolve();
    if (wrote > 0) this.cutBack(fd, wrote);
    return this.ops.close(fd).catch(() => {});
  }

  /**
   * A batch refused half-way (a full disk takes part of a write, or the fsync fails) leaves bytes
   * whose senders were answered 503: cut them off, so no partial record sits mid-file and the
   * retries are captured once. Exactly the bytes this batch wrote, and only when the file holds
   * exactly our bytes and those (the capture folder's lock keeps other listeners out; a file of any
   * other length has bytes we did not write, and is left alone). Best effort: the reopen still
   * starts on a fresh line.
   */
  private cutBack(fd: number, wrote: number): void {
    try {
      this.ops.cutBackSync?.(fd, this.size, wrote);
    } catch {
      // The disk may refuse this too; the torn-line check on reopen covers it.
    }
  }

  /** Starts keeping a copy of every batch written from now on, for replace(). */
  recordFromNow(): void {
    this.recorded = [];
  }

  /**
   * Replaces the file with `temp` plus every batch written since recordFromNow(), by a rename, and
   * carries on appending to the new file. Appends wait meanwhile (they are not lost: they go to
   * the new file). On failure the old file is untouched and stays in use.
   */
  async replace(temp: string): Promise<void> {
    this.held = true;
    try {
      if (this.busy) await new Promise<void>((resolve) => this.writerIdle.push(resolve));
      const tail = this.recorded ?? [];
      this.recorded = undefined;
      const fd = await this.ops.open(temp, 'a');
      try {
        for (const chunk of tail) await this.ops.writeAll(fd, chunk);
        if (this.durable) await this.ops.fsync(fd);
      } finally {
        await this.ops.close(fd).catch(() => {});
      }
      await this.ops.rename(temp, this.path);
      const old = this.fd;
      this.fd = undefined;
      if (old !== undefined) await this.ops.close(old).catch(() => {});
      this.folderSynced = false;
      await this.open();
    } finally {
      this.recorded = undefined;
      this.held = false;
      this.kick();
    }
  }

  private wakeIdle(): void {
    if (this.busy || this.scheduled || this.pending.length > 0) return;
    const idle = this.idle;
    this.idle = [];
    for (const wake of idle) wake();
  }

  /** Resolves when nothing is pending. */
  flushed(): Promise<void> {
    if (!this.busy && !this.scheduled && this.pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  async close(): Promise<void> {
    await this.flushed();
    this.closed = true;
    const fd = this.fd;
    this.fd = undefined;
    if (fd !== undefined) await this.ops.close(fd).catch(() => {});
  }
}
