import { open as openFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { AppendLog } from '../capture/append-log.js';
import { readOutbox } from './read.js';
import { applyLine, emptyTotals, markDelivered, OUTBOX_FILE, type OutboxChange, type OutboxEntry, type OutboxView, type OutboxTotals } from './entry.js';

/** Compact once the log holds this many lines since the last compaction, and four times what is live. */
const COMPACT_MIN_LINES = 20_000;
const COMPACT_FACTOR = 4;
/** A compaction writes the live entries in batches of about this many characters. */
const COMPACT_BATCH_CHARS = 1 << 20;
/** Keep the times of this many recent deliveries for the rate. */
const RATE_WINDOW = 4096;
/**
 * Entries delivered are written at most this long after (sooner when new entries are written:
 * they share that write). Losing them in a crash only means those forwards are made again.
 */
export const SETTLED_FLUSH_MS = 50;

export interface OutboxLoad {
  entries: number;
  /** Damaged lines skipped (not a torn last line). */
  skipped: number;
  tornTail: boolean;
  nulBytes: number;
  /** The file's size: 0 for a missing or emptied outbox. */
  bytes: number;
}

interface Held {
  line: string;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * The listener's side of the outbox: the live entries in memory, every change appended to the
 * log (group commit, fsync before it resolves when durable), and compaction so the file follows
 * what is live: once it has grown past COMPACT_MIN_LINES and four times the live entries, the
 * live entries are written to a new file (fsynced) that is renamed over the log. Changes made
 * meanwhile wait and go into the new file. A crash at any point leaves the old log or the new one,
 * whole (a torn last line at most, which is ignored).
 */
export class OutboxLog {
  readonly path: string;
  private readonly durable: boolean;
  private readonly compactMinLines: number;
  private log: AppendLog;
  private readonly state: OutboxView = { entries: new Map(), totals: emptyTotals(), deliveredAt: [] };
  private linesSinceCompaction = 0;
  private compacting: Promise<void> | undefined;
  private held: Held[] | undefined;
  private lastIdMs = 0;
  private idSequence = 0;
  private closed = false;
  /** Entries delivered and not written yet: one line for all of them, with the next write. */
  private settled: string[] = [];
  private settledTimer: NodeJS.Timeout | undefined;
  private readonly flushSettled = (): void => {
    clearTimeout(this.settledTimer);
    this.settledTimer = undefined;
    if (this.settled.length === 0 || this.closed) return;
    void this.write({ delivered: this.settled, at: Date.now() }).catch(this.settledFailed);
    this.settled = [];
  };
  private readonly settledFailed = (error: unknown): void => {
    this.onWarning?.(`the outbox could not record forwards as delivered (${(error as Error)?.message ?? error}); if the listener stops now they are forwarded again on the next start`);
  };
  /** Problems that do not stop the listener (a failed compaction, delivered entries not written). */
  onWarning: ((message: string) => void) | undefined;

  constructor(dir: string, options: { durable?: boolean; compactMinLines?: number } = {}) {
    this.path = join(dir, OUTBOX_FILE);
    this.durable = options.durable ?? false;
    this.compactMinLines = options.compactMinLines ?? COMPACT_MIN_LINES;
    this.log = new AppendLog(this.path, { durable: this.durable });
  }

  /** Reads the log (a missing file is an empty outbox) and opens it for appending. */
  async open(): Promise<OutboxLoad> {
    const parsed = await readOutbox(this.path);
    this.state.entries = parsed.entries;
    this.state.totals = parsed.totals;
    this.state.deliveredAt = parsed.deliveredAt.slice(-RATE_WINDOW);
    this.linesSinceCompaction = parsed.lines;
    await this.log.open();
    return { entries: parsed.entries.size, skipped: parsed.skipped, tornTail: parsed.tornTail, nulBytes: parsed.nulBytes, bytes: parsed.bytes };
  }

  get totals(): OutboxTotals {
    return this.state.totals;
  }

  /** Live entries: pending and dead. */
  entries(): IterableIterator<OutboxEntry> {
    return this.state.entries.values();
  }

  get(id: string): OutboxEntry | undefined {
    return this.state.entries.get(id);
  }

  get size(): number {
    return this.state.entries.size;
  }

  /** A fresh entry id: `<unix ms>-<n>`, like a stream id. */
  newId(now = Date.now()): string {
    if (now > this.lastIdMs) {
      this.lastIdMs = now;
      this.idSequence = 0;
    } else {
      this.idSequence++;
    }
    return `${this.lastIdMs}-${this.idSequence}`;
  }

  /** Records new entries; resolves once they are written (on disk when durable). */
  add(entries: readonly OutboxEntry[]): Promise<void> {
    if (this.settled.length > 0) this.flushSettled();
    const written = entries.length === 1 ? this.write(entries[0]!) : Promise.all(entries.map((entry) => this.write(entry))).then(() => undefined);
    // Not written: not in the outbox either (the delivery was refused, its sender retries).
    return written.catch((error: unknown) => {
      for (const entry of entries) if (this.state.entries.get(entry.id)?.state === 'pending') this.state.entries.delete(entry.id);
      throw error;
    });
  }

  /** Records a change of one entry; resolves once it is written. */
  update(id: string, change: OutboxChange): Promise<void> {
    return this.write({ id, ...change, at: change.at ?? Date.now() });
  }

  /**
   * An entry was delivered: dropped at once here, and written a little later with others in one
   * line (with the next entries added, or SETTLED_FLUSH_MS later), so a busy listener spends no
   * write, promise or line of its own on it. Nothing waits for that write: if the listener dies
   * first, the entry is still pending on the next start and forwarded again (at least once; the
   * app dedupes on Idempotency-Key).
   */
  delivered(id: string): void {
    if (this.closed || !this.state.entries.has(id)) return;
    markDelivered(this.state, id, Date.now());
    this.trimRate();
    this.settled.push(id);
    this.settledTimer ??= setTimeout(this.flushSettled, SETTLED_FLUSH_MS);
  }

  private trimRate(): void {
    if (this.state.deliveredAt.length > RATE_WINDOW * 2) this.state.deliveredAt.splice(0, RATE_WINDOW);
  }

  private write(line: OutboxEntry | (OutboxChange & { id: string }) | { delivered: string[]; at: number }): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the outbox is closed'));
    // Entries delivered were applied when delivered() was called; the rest is applied here.
    if (!('delivered' in line)) applyLine(this.state, line as unknown as Record<string, unknown>);
    this.trimRate();
    const text = JSON.stringify(line);
    this.linesSinceCompaction++;
    if (!this.compacting && this.linesSinceCompaction >= Math.max(this.compactMinLines, COMPACT_FACTOR * this.state.entries.size)) this.compact();
    if (this.held) return new Promise((resolve, reject) => this.held!.push({ line: text, resolve, reject }));
    return this.log.append(text);
  }

  /** Starts a compaction (unless one is running); resolves when it is over. Never rejects: a failed one is a warning. */
  compact(): Promise<void> {
    this.compacting ??= this.rewrite()
      .catch((error: unknown) => this.onWarning?.(`the outbox could not be compacted (${(error as Error)?.message ?? error}); it keeps growing until the next try`))
      .finally(() => {
        this.compacting = undefined;
      });
    return this.compacting;
  }

  private async rewrite(): Promise<void> {
    this.held = [];
    let reopened = false;
    try {
      await this.log.close();
      // The live entries as they stand (changes held meanwhile are applied again after: idempotent).
      // Written in batches (never one string: a long outage can hold millions of pending entries).
      // The entries are a snapshot: changes arriving meanwhile are held and applied again after.
      const entries = [...this.state.entries.values()];
      const temp = `${this.path}.compact`;
      const file = await openFile(temp, 'w', 0o600);
      let lines = 1;
      try {
        let batch = `${JSON.stringify({ totals: this.state.totals, at: Date.now() })}\n`;
        for (const entry of entries) {
          batch += `${JSON.stringify(entry)}\n`;
          lines++;
          if (batch.length >= COMPACT_BATCH_CHARS) {
            await file.write(batch);
            batch = '';
          }
        }
        if (batch) await file.write(batch);
        if (this.durable) await file.sync();
      } finally {
        await file.close();
      }
      await rename(temp, this.path);
      if (this.durable) await syncFolder(this.path);
      this.linesSinceCompaction = lines;
    } finally {
      // Whether or not the new file replaced the old one, appends go on to whichever is there.
      this.log = new AppendLog(this.path, { durable: this.durable });
      try {
        await this.log.open();
        reopened = true;
      } finally {
        const held = this.held;
        this.held = undefined;
        for (const { line, resolve, reject } of held) (reopened ? this.log.append(line) : Promise.reject(new Error('the outbox could not be reopened'))).then(resolve, reject);
      }
    }
  }

  /** Forwards delivered per second over the last `seconds`. */
  deliveredPerSecond(seconds: number, now = Date.now()): number {
    const since = now - seconds * 1000;
    let count = 0;
    for (let i = this.state.deliveredAt.length - 1; i >= 0 && this.state.deliveredAt[i]! >= since; i--) count++;
    return count / seconds;
  }

  /** Compacts (so a clean stop leaves only what is live) and closes. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.flushSettled();
    await this.compacting;
    await this.compact();
    this.closed = true;
    await this.log.close();
  }
}

/** fsync of the folder, so a rename survives a power cut. */
async function syncFolder(path: string): Promise<void> {
  const dir = await openFile(join(path, '..'), 'r');
  try {
    await dir.sync();
  } catch {
    // Some file systems refuse a directory fsync; the rename is then as safe as they make it.
  } finally {
    await dir.close();
  }
}
