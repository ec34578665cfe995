/**
 * A capture journal indexed by byte offset, so a journal of any size opens at once: the first
 * pass only finds where lines start and end (a memchr over the file), and a line is parsed when a
 * page, a filter or a search needs it. Bodies stay on disk; only short summaries stay in memory.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { recordFrom } from '../records/reader.js';
import type { DeliveryRecord } from '../records/record.js';
import { foldOutcome, OUTCOME_LINE_START, parseOutcomeLine, type DeliveryOutcome } from '../records/outcome.js';

const OUTCOME_START = Buffer.from(OUTCOME_LINE_START, 'utf8');

const READ_CHUNK = 1024 * 1024;
/**
 * Lines per parse block: one read each, and the unit of lazy parsing. Small enough that a page of
 * 100 rows parses at most two blocks (about half a MB of JSON for typical deliveries).
 */
export const BLOCK_LINES = 256;
/** Cap on one read of a block; longer blocks are read in parts. */
const MAX_READ = 16 * 1024 * 1024;

const SPACE = 0x20;
const TAB = 0x09;
const CR = 0x0d;
const LF = 0x0a;

function isBlank(buffer: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const byte = buffer[i];
    if (byte !== SPACE && byte !== TAB && byte !== CR) return false;
  }
  return true;
}

/** One journal line parsed: a record, or why it is not one. */
export type ParsedLine = { record: DeliveryRecord } | { problem: string };

/** A journal line as a record, the way the replay reader judges it (same envelope checks). */
export function parseJournalLine(text: string, fallbackId: string): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: 'not a JSON record, skipped' };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { problem: 'not a delivery record, skipped' };
  const record = recordFrom(value as Record<string, unknown>, fallbackId);
  return typeof record === 'string' ? { problem: `${record}, skipped` } : { record };
}

export class JournalIndex {
  /** Byte offset where each line starts, and just past its content (no newline, no CR). */
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  /** 1-based line numbers (blank lines are not indexed, so they differ from positions). */
  private readonly numbers: number[] = [];
  private handle: Promise<FileHandle> | undefined;
  /** Bytes indexed: the end of the last complete line. */
  private scanned = 0;
  private lineCount = 0;
  /** Bytes after the last newline at the last scan (a write in progress, or torn by a crash). */
  pendingBytes = 0;
  private closed = false;
  /**
   * Outcome lines (the listener's answer, forwards' outcomes) folded per capture id. They are not
   * rows: they are read as they are found and folded into their record's row.
   */
  readonly outcomes = new Map<string, DeliveryOutcome>();
  /** Outcome lines read so far: a followed journal whose rows did not grow may still have news. */
  outcomeLines = 0;
  /** Outcome lines not whole in one read chunk: read after the scan. */
  private outcomeRanges: Array<[number, number]> = [];
  /** Whether the line longer than a read chunk that is being scanned is an outcome line (judged at its start). */
  private openLineIsOutcome = false;

  /** `startAt`: a byte offset where a line starts; what is before it is not this index's (a listener's journal from before its run). */
  constructor(
    readonly path: string,
    startAt = 0,
  ) {
    this.scanned = startAt;
  }

  get size(): number {
    return this.starts.length;
  }

  /**
   * Indexes whatever was appended since the last scan; returns how many lines were added. `upTo`
   * stops at that byte size: what a journal held at one moment (a listener appends after it).
   */
  async scan(upTo = Number.POSITIVE_INFINITY): Promise<number> {
    const handle = await this.file();
    const before = this.starts.length;
    const actual = (await handle.stat()).size;
    if (actual < this.scanned) throw new Error(`${this.path} shrank while being read (truncated or replaced)`);
    const size = Math.min(actual, upTo);
    const buffer = Buffer.allocUnsafe(READ_CHUNK);
    let position = this.scanned;
    let lineStart = this.scanned;
    // A line longer than a chunk: its start is remembered and the search goes on in the next chunk.
    while (position < size) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(READ_CHUNK, size - position), position);
      if (bytesRead === 0) break;
      let from = 0;
      for (let at = buffer.indexOf(LF, 0); at >= 0 && at < bytesRead; at = buffer.indexOf(LF, from)) {
        const end = position + at;
        this.lineCount++;
        this.addLine(lineStart, end, buffer, position, bytesRead);
        from = at + 1;
        lineStart = end + 1;
      }
      if (lineStart > position && lineStart < position + bytesRead && bytesRead === READ_CHUNK) {
        // The next read starts where the unfinished line does, so its first bytes (is it an outcome?) are in one chunk.
        position = lineStart;
        continue;
      }
      if (lineStart === position) this.openLineIsOutcome = bytesRead >= OUTCOME_START.length && buffer.compare(OUTCOME_START, 0, OUTCOME_START.length, 0, OUTCOME_START.length) === 0;
      position += bytesRead;
    }
    this.scanned = lineStart;
    this.pendingBytes = size - lineStart;
    const ranges = this.outcomeRanges;
    this.outcomeRanges = [];
    for (const [start, end] of ranges) {
      const bytes = Buffer.allocUnsafe(end - start);
      const { bytesRead } = await handle.read(bytes, 0, bytes.length, start);
      this.foldOutcome(bytes.subarray(0, bytesRead));
    }
    return this.starts.length - before;
  }

  private addLine(start: number, end: number, chunk: Buffer, chunkStart: number, chunkLength: number): void {
    if (end <= start) return;
    let contentEnd = end;
    const lastByteInChunk = end - 1 - chunkStart;
    if (lastByteInChunk >= 0 && lastByteInChunk < chunkLength && chunk[lastByteInChunk] === CR) contentEnd--;
    // Almost every line starts with "{"; only a line starting with whitespace is checked further,
    // and only the part of it in this chunk (a blank line is short).
    const first = start - chunkStart;
    if (first >= 0 && first < chunkLength && (chunk[first] === SPACE || chunk[first] === TAB || chunk[first] === CR)) {
      if (isBlank(chunk, first, Math.min(contentEnd - chunkStart, chunkLength))) return;
    }
    const outcome = first >= 0 ? contentEnd - start >= OUTCOME_START.length && chunk.compare(OUTCOME_START, 0, OUTCOME_START.length, first, first + OUTCOME_START.length) === 0 : this.openLineIsOutcome;
    if (outcome) {
      if (first >= 0) this.foldOutcome(chunk.subarray(first, contentEnd - chunkStart));
      else this.outcomeRanges.push([start, contentEnd]);
      return;
    }
    this.starts.push(start);
    this.ends.push(contentEnd);
    this.numbers.push(this.lineCount);
  }

  private foldOutcome(bytes: Buffer): void {
    const line = parseOutcomeLine(bytes.toString('utf8'));
    this.outcomeLines++;
    if (line) this.outcomes.set(line.of, foldOutcome(this.outcomes.get(line.of), line));
  }

  lineNumber(index: number): number {
    return this.numbers[index]!;
  }

  /**
   * Lines [from, to) in one read (up to MAX_READ, at least one line): the bytes, and where each
   * line starts and ends in them. Returns how many lines it covers.
   */
  async readRange(from: number, to: number): Promise<{ buffer: Buffer; starts: number[]; ends: number[]; count: number }> {
    const handle = await this.file();
    const start = this.starts[from]!;
    let last = from;
    while (last + 1 < to && this.ends[last + 1]! - start <= MAX_READ) last++;
    const length = this.ends[last]! - start;
    const buffer = Buffer.allocUnsafe(length);
    let read = 0;
    while (read < length) {
      const { bytesRead } = await handle.read(buffer, read, length - read, start + read);
      if (bytesRead === 0) throw new Error(`${this.path} ended early while reading (truncated?)`);
      read += bytesRead;
    }
    const starts: number[] = [];
    const ends: number[] = [];
    for (let i = from; i <= last; i++) {
      starts.push(this.starts[i]! - start);
      ends.push(this.ends[i]! - start);
    }
    return { buffer, starts, ends, count: last - from + 1 };
  }

  /** The raw bytes of lines [from, to), one buffer each (slices of as few reads as possible). */
  async readLines(from: number, to: number): Promise<Buffer[]> {
    const out: Buffer[] = [];
    for (let index = from; index < to; ) {
      const { buffer, starts, ends, count } = await this.readRange(index, to);
      for (let i = 0; i < count; i++) out.push(buffer.subarray(starts[i], ends[i]));
      index += count;
    }
    return out;
  }

  private file(): Promise<FileHandle> {
    if (this.closed) return Promise.reject(new Error('the journal index is closed'));
    this.handle ??= open(this.path, 'r');
    return this.handle;
  }

  async close(): Promise<void> {
    this.closed = true;
    const handle = this.handle;
    this.handle = undefined;
    await (await handle?.catch(() => undefined))?.close();
  }
}
