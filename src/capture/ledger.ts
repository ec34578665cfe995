import { createHash, randomBytes } from 'node:crypto';
import { isoTime } from '../records/record.js';
import { AppendLog } from './append-log.js';
import { fsErrorText, realFileOps, type FileOps } from './file-ops.js';

/** The ledger's file name in the capture folder: a dotfile without a .json suffix, so replay never takes it for fixtures. */
export const LEDGER_FILE = '.hookctl-ledger';

/** How long a processed id is remembered by default: a week, longer than any provider retries. */
export const DEFAULT_DEDUPE_WINDOW_MS = 7 * 24 * 3600_000;

/**
 * Ids longer than this are remembered by their SHA-256 instead. A provider's id is tens of
 * characters; GitHub does not sign its delivery id, and replays of one valid delivery with
 * 15,000-character ids grew the ledger past what a start-up could read. Hashing, not refusing:
 * the delivery is the provider's and must not be refused for the shape of its id, and a hash
 * dedupes exactly as the id would (the full id stays in the capture).
 */
export const MAX_REMEMBERED_ID_LENGTH = 256;

/**
 * The file is rewritten with only the ids still in the window once it holds this many lines more
 * than twice those: its size follows the window (at most about twice the live entries), and a
 * small file is not rewritten for a few lines.
 */
const COMPACT_SLACK_LINES = 1000;

/** A line longer than this is damage (ours are under 400 bytes): skipped without being held in memory. */
const MAX_LINE_BYTES = 64 * 1024;
const READ_CHUNK_BYTES = 1024 * 1024;

/** `at` is kept in whole seconds since this epoch (2024-01-01): a small integer V8 stores inline, not a heap number per id. */
const EPOCH_S = 1_704_067_200;

const DUPLICATE = { duplicate: true } as const;

export type Claim =
  | { duplicate: true }
  | {
      duplicate: false;
      /**
       * The delivery was processed: later deliveries of this id are duplicates. Returns a promise
       * when the entry goes to disk (resolved once written, fsynced when durable), else undefined.
       */
      commit(captureId?: string): Promise<void> | undefined;
      /** The delivery was not processed (failed, refused): the next delivery of this id is processed again. */
      release(): void;
    };

export interface LedgerLoad {
  /** Ids remembered (inside the window) after loading. */
  entries: number;
  /** Lines that were not ledger entries: a torn last line after a crash, or damage. */
  skipped: number;
  tornTail: boolean;
  /** Entries older than the window, forgotten. */
  expired: number;
  /** The file was rewritten without the expired and damaged lines. */
  compacted: boolean;
}

export interface LedgerOptions {
  durable?: boolean;
  ops?: FileOps;
  /** How long a processed id is remembered, ms; older ids are forgotten (default DEFAULT_DEDUPE_WINDOW_MS). */
  dedupeWindowMs?: number;
  /** The clock, injectable for tests: Unix milliseconds. */
  now?: () => number;
  /** Told when a background compaction fails (the ledger keeps working on the old file). */
  onWarning?: (message: string) => void;
}

/** The ledger file could not be read; the message names the file and the real cause. */
export class LedgerReadError extends Error {}

/** The key an id is remembered by: itself, or a hash when it is too long to keep. */
export function ledgerKey(eventId: string): string {
  if (eventId.length <= MAX_REMEMBERED_ID_LENGTH) return eventId;
  return `long-id:sha256:${createHash('sha256').update(eventId, 'utf8').digest('hex')}`;
}

/**
 * Which event ids were processed, for idempotency, for a window of time (a week by default). In
 * memory a map of id to when; on disk an append-only file beside the captures, so it survives a
 * restart, read line by line at start-up and compacted (atomically: temp file, rename) so its size
 * follows the window. Two deliveries of one id that arrive together are processed exactly once:
 * the second waits for the first's outcome, and is a duplicate if the first was committed, or
 * takes over if the first was released.
 */
export class IdempotencyLedger {
  /** Remembered ids → committed at (seconds since EPOCH_S), oldest first (Map keeps insertion order). */
  private readonly done = new Map<string, number>();
  /** Ids being processed, with the deliveries of the same id waiting for the outcome (null: none yet). */
  private readonly inFlight = new Map<string, Array<() => void> | null>();
  private readonly log: AppendLog | undefined;
  private readonly ops: FileOps;
  private readonly durable: boolean;
  private readonly windowS: number;
  private readonly now: () => number;
  private readonly warn: (message: string) => void;
  /** Lines in the file (entries, duplicates of them, expired and damaged ones): what compaction shrinks. */
  private fileLines = 0;
  private lastSweepS = 0;
  private compaction: Promise<void> | undefined;
  private compactionFailedAt = -Infinity;
  private closing = false;

  /** Without a path the ledger lives in memory only (--no-capture). */
  constructor(path?: string, options: LedgerOptions = {}) {
    this.ops = options.ops ?? realFileOps;
    this.durable = options.durable ?? false;
    this.log = path === undefined ? undefined : new AppendLog(path, { durable: this.durable, ops: this.ops });
    this.windowS = Math.max(0, (options.dedupeWindowMs ?? DEFAULT_DEDUPE_WINDOW_MS) / 1000);
    this.now = options.now ?? Date.now;
    this.warn = options.onWarning ?? (() => {});
  }

  get size(): number {
    return this.done.size;
  }

  /** Entries and write batches so far (group commit: batches <= entries). */
  get writes(): { batches: number; lines: number } {
    return { batches: this.log?.batches ?? 0, lines: this.log?.lines ?? 0 };
  }

  private nowS(): number {
    return Math.floor(this.now() / 1000) - EPOCH_S;
  }

  /**
   * Reads the existing ledger line by line (a missing file is an empty ledger), forgets what is
   * older than the window, opens it for appending, and compacts it when most of it is dead.
   */
  async open(): Promise<LedgerLoad> {
    const load: LedgerLoad = { entries: 0, skipped: 0, tornTail: false, expired: 0, compacted: false };
    if (!this.log) return load;
    await this.read(load);
    load.entries = this.done.size;
    if (load.skipped > 0 && load.entries === 0 && load.expired === 0 && (load.skipped > 1 || !load.tornTail)) {
      throw new LedgerReadError(
        `${this.log.path} is not an idempotency ledger (${load.skipped} line${load.skipped === 1 ? '' : 's'}, none of them an entry): move it away and hookctl starts a new one, or pick another --capture folder`,
      );
    }
    await this.log.open();
    if (this.compactable()) {
      await this.compact();
      load.compacted = true;
    }
    return load;
  }

  /** Streams the file in chunks, one entry per line; never holds more than a chunk and a line. */
  private async read(load: LedgerLoad): Promise<void> {
    const path = this.log!.path;
    let fd: number;
    try {
      fd = await this.ops.open(path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new LedgerReadError(`cannot read the idempotency ledger ${path} (${fsErrorText(error)})`);
    }
    const cutoff = this.nowS() - this.windowS;
    const loadedAt = this.nowS();
    let carry: Buffer | undefined;
    let skippingLongLine = false;
    const line = (bytes: Buffer, start: number, end: number) => {
      this.fileLines++;
      const entry = parseEntry(bytes, start, end);
      if (!entry) {
        load.skipped++;
        return;
      }
      // An entry without a time (older ledgers, hand-made ones) counts from this start.
      const at = entry.at ?? loadedAt;
      if (at < cutoff) {
        load.expired++;
        return;
      }
      // A repeated id (a compaction copies the lines written meanwhile) keeps its place: set, not move.
      this.done.set(ledgerKey(entry.eventId), at);
    };
    try {
      for (let position = 0; ; ) {
        let chunk: Buffer;
        try {
          chunk = await this.ops.read(fd, READ_CHUNK_BYTES, position);
        } catch (error) {
          throw new LedgerReadError(`cannot read the idempotency ledger ${path} (${fsErrorText(error)}${position > 0 ? ` after ${position} bytes` : ''})`);
        }
        if (chunk.length === 0) break;
        position += chunk.length;
        let start = 0;
        for (let end = chunk.indexOf(0x0a); end >= 0; start = end + 1, end = chunk.indexOf(0x0a, start)) {
          if (skippingLongLine) {
            skippingLongLine = false;
          } else if (carry) {
            const joined = Buffer.concat([carry, chunk.subarray(start, end)]);
            line(joined, 0, joined.length);
          } else if (end > start) {
            line(chunk, start, end);
          }
          carry = undefined;
        }
        if (start < chunk.length && !skippingLongLine) {
          const rest = chunk.subarray(start);
          carry = carry ? Buffer.concat([carry, rest]) : Buffer.from(rest);
          if (carry.length > MAX_LINE_BYTES) {
            // Damage, not an entry: count it once and skip to the next newline without keeping it.
            carry = undefined;
            skippingLongLine = true;
            this.fileLines++;
            load.skipped++;
          }
        }
      }
    } finally {
      await this.ops.close(fd).catch(() => {});
    }
    if (carry || skippingLongLine) {
      // No final newline: a torn last line (a crash mid-append), not trusted even if it parses.
      // The append log starts after it.
      load.tornTail = true;
      if (carry) {
        this.fileLines++;
        load.skipped++;
      }
    }
  }

  has(eventId: string): boolean {
    return this.fresh(ledgerKey(eventId)) !== undefined;
  }

  /** The commit time of a remembered key still inside the window; an expired one is forgotten here. */
  private fresh(key: string): number | undefined {
    const at = this.done.get(key);
    if (at === undefined) return undefined;
    if (at >= this.nowS() - this.windowS) return at;
    this.done.delete(key);
    return undefined;
  }

  /**
   * Claims an id for processing. Synchronous unless another delivery of the same id is in flight
   * (then it waits for that one's outcome): the common case costs no promise and no closure.
   */
  claim(eventId: string): Claim | Promise<Claim> {
    return this.claimKey(ledgerKey(eventId));
  }

  private claimKey(key: string): Claim | Promise<Claim> {
    if (this.fresh(key) !== undefined) return DUPLICATE;
    if (this.inFlight.has(key)) {
      return new Promise<void>((resolve) => {
        const waiters = this.inFlight.get(key) ?? [];
        waiters.push(resolve);
        this.inFlight.set(key, waiters);
      }).then(() => this.claimKey(key));
    }
    this.inFlight.set(key, null);
    return new OwnedClaim(this, key);
  }

  /** @internal The owner of `key` is done with it. */
  settle(key: string, committed: boolean): void {
    if (committed) {
      this.done.delete(key);
      this.done.set(key, this.nowS());
      this.sweep();
    }
    const waiters = this.inFlight.get(key);
    this.inFlight.delete(key);
    if (waiters) for (const wake of waiters) wake();
  }

  /** Forgets ids that left the window, oldest first; at most once a second. */
  private sweep(): void {
    const nowS = this.nowS();
    if (nowS === this.lastSweepS) return;
    this.lastSweepS = nowS;
    const cutoff = nowS - this.windowS;
    for (const [key, at] of this.done) {
      if (at >= cutoff) break;
      this.done.delete(key);
    }
    if (this.compactable() && !this.compaction && !this.closing && nowS - this.compactionFailedAt > 60) {
      // On a later turn of the event loop: every write already done has settled by then (see compact).
      this.compaction = new Promise<void>((resolve) => setImmediate(resolve))
        .then(() => this.compact())
        .catch((error: unknown) => {
          this.compactionFailedAt = this.nowS();
          this.warn(`the idempotency ledger could not be compacted (${fsErrorText(error)}); it keeps growing until that works`);
        })
        .finally(() => (this.compaction = undefined));
    }
  }

  private compactable(): boolean {
    // Ids being committed count as live: their lines are already counted in fileLines.
    return this.log !== undefined && this.fileLines > 2 * (this.done.size + this.inFlight.size) + COMPACT_SLACK_LINES;
  }

  /** @internal */
  append(key: string, captureId: string | undefined): Promise<void> | undefined {
    if (!this.log) return undefined;
    this.fileLines++;
    return this.log.append(entryLine(key, this.now(), captureId));
  }

  /**
   * Rewrites the file with the remembered ids only. Entries committed while the snapshot is
   * written reach the old file and are copied after it (the log records them), then the new file
   * is renamed over the old one, so nothing committed is lost; an entry may appear twice, which
   * reading forgives. Runs on its own turn of the event loop, so every entry written to the old
   * file before the recording starts is already in the map.
   */
  private async compact(): Promise<void> {
    const log = this.log!;
    const temp = `${log.path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    log.recordFromNow();
    const linesBefore = log.lines;
    let lines = 0;
    try {
      const fd = await this.ops.open(temp, 'wx');
      try {
        let batch: string[] = [];
        let bytes = 0;
        // The ids remembered now: those committed from here on are added behind them, and copied
        // from the old file anyway; without this bound a busy listener would keep it chasing them.
        let left = this.done.size;
        for (const [key, at] of this.done) {
          if (left-- === 0) break;
          const text = entryLine(key, (at + EPOCH_S) * 1000);
          batch.push(text);
          bytes += text.length;
          lines++;
          if (bytes >= 256 * 1024) {
            await this.ops.writeAll(fd, Buffer.from(`${batch.join('\n')}\n`, 'utf8'));
            batch = [];
            bytes = 0;
          }
        }
        if (batch.length > 0) await this.ops.writeAll(fd, Buffer.from(`${batch.join('\n')}\n`, 'utf8'));
      } finally {
        await this.ops.close(fd).catch(() => {});
      }
      // The lines the old file got meanwhile were copied after the snapshot.
      const copied = log.lines - linesBefore;
      await log.replace(temp);
      this.fileLines = lines + copied;
    } catch (error) {
      await this.ops.unlink(temp).catch(() => {});
      throw error;
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.compaction;
    await this.log?.close();
  }
}

/** `{"eventId":…,"at":…,"capture":…}`: what JSON.stringify of that object gives, without building the object (one per delivery). */
function entryLine(key: string, atMs: number, captureId?: string): string {
  const head = `{"eventId":${JSON.stringify(key)},"at":"${isoTime(atMs)}"`;
  return captureId ? `${head},"capture":${JSON.stringify(captureId)}}` : `${head}}`;
}

const ENTRY_START = Buffer.from('{"eventId":"');
const AT_FIELD = Buffer.from('","at":"');

/**
 * One ledger line: its id, and when it was committed (seconds since EPOCH_S) if it says. Lines
 * as this ledger writes them (`{"eventId":"…","at":"<ISO time>"…`, an id without escapes) are read
 * straight from the bytes, a third of the cost of JSON.parse and Date.parse for a million of them;
 * anything else goes through JSON.parse.
 */
function parseEntry(bytes: Buffer, start: number, end: number): { eventId: string; at: number | undefined } | undefined {
  const idStart = start + ENTRY_START.length;
  if (end - start > ENTRY_START.length + AT_FIELD.length + 20 && sameBytes(bytes, start, ENTRY_START)) {
    let idEnd = idStart;
    while (idEnd < end && bytes[idEnd] !== 0x22 && bytes[idEnd] !== 0x5c) idEnd++;
    const atStart = idEnd + AT_FIELD.length;
    if (bytes[idEnd] === 0x22 && atStart + 20 <= end && sameBytes(bytes, idEnd, AT_FIELD)) {
      const at = isoSeconds(bytes, atStart);
      if (at !== undefined) return { eventId: bytes.toString('utf8', idStart, idEnd), at };
    }
  }
  try {
    const entry = JSON.parse(bytes.toString('utf8', start, end)) as { eventId?: unknown; at?: unknown };
    if (typeof entry.eventId !== 'string') return undefined;
    const atMs = typeof entry.at === 'string' ? Date.parse(entry.at) : NaN;
    return { eventId: entry.eventId, at: Number.isFinite(atMs) ? Math.floor(atMs / 1000) - EPOCH_S : undefined };
  } catch {
    return undefined;
  }
}

/** Whether `bytes` holds `expected` at `at` (a loop: Buffer#compare costs more in the call than in comparing a dozen bytes). */
function sameBytes(bytes: Buffer, at: number, expected: Buffer): boolean {
  for (let i = 0; i < expected.length; i++) if (bytes[at + i] !== expected[i]) return false;
  return true;
}

/** `YYYY-MM-DDTHH:MM:SS` (as toISOString writes it, in UTC) at `at`, as seconds since EPOCH_S; undefined if it is not that. */
function isoSeconds(bytes: Buffer, at: number): number | undefined {
  const digits = (from: number, count: number) => {
    let value = 0;
    for (let i = from; i < from + count; i++) {
      const digit = bytes[i]! - 0x30;
      if (digit < 0 || digit > 9) return NaN;
      value = value * 10 + digit;
    }
    return value;
  };
  if (bytes[at + 4] !== 0x2d || bytes[at + 7] !== 0x2d || bytes[at + 10] !== 0x54 || bytes[at + 13] !== 0x3a || bytes[at + 16] !== 0x3a) return undefined;
  const ms = Date.UTC(digits(at, 4), digits(at + 5, 2) - 1, digits(at + 8, 2), digits(at + 11, 2), digits(at + 14, 2), digits(at + 17, 2));
  return Number.isFinite(ms) ? ms / 1000 - EPOCH_S : undefined;
}

/** The right to process one event id: commit it (processed) or release it (not processed). */
class OwnedClaim {
  readonly duplicate = false as const;
  private settled = false;
  constructor(
    private readonly ledger: IdempotencyLedger,
    private readonly key: string,
  ) {}

  commit(captureId?: string): Promise<void> | undefined {
    const writing = this.ledger.append(this.key, captureId);
    if (!writing) {
      this.finish(true);
      return undefined;
    }
    return writing.then(
      () => this.finish(true),
      (error: unknown) => {
        this.finish(false);
        throw error;
      },
    );
  }

  release(): void {
    this.finish(false);
  }

  private finish(committed: boolean): void {
    if (this.settled) return;
    this.settled = true;
    this.ledger.settle(this.key, committed);
  }
}
