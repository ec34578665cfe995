/**
 * One channel's deliveries on disk: append-only segment files (`seg-<first seq>.log`, one JSON
 * line per entry, group commit + fsync through AppendLog) and, in memory, an index of where each
 * entry is: seq, arrival time, file, offset, length. Bodies stay on disk and are read back when an
 * entry is sent, so a stalled subscriber costs the relay an index row per entry, not the entry.
 *
 * Retention drops entries from the front of the index; a segment file is deleted once none of its
 * entries is left. Segments roll by size, and by age so a quiet channel's old file can go too.
 */
import { open as openFile, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { closeSync, openSync } from 'node:fs';
import { AppendLog } from '../../capture/append-log.js';
import { PRIVATE_FILE_MODE, realFileOps } from '../../capture/file-ops.js';

/** A segment rolls past this size, so retention can delete whole files. */
export const DEFAULT_SEGMENT_BYTES = 16 * 1024 * 1024;

export interface IndexRow {
  seq: number;
  /** Arrival, epoch ms. */
  at: number;
  segment: Segment;
  offset: number;
  /** Bytes of the line without its newline. */
  length: number;
}

export interface Segment {
  /** No entry of the segment has a lower seq (entries of the one before are all lower). */
  firstSeq: number;
  path: string;
  /** Bumped when a write to it failed: appends begun before re-read the file instead of trusting their offsets. */
  generation: number;
  /** Appends under way: a segment is never deleted under one. */
  writing: number;
}

/** A line starts with these fields in this order (JSON.stringify keeps key order), so a scan needs no full parse. */
const LINE_HEAD = /^\{"seq":"(\d+)","at":(\d+),/;

function segmentName(firstSeq: number): string {
  return `seg-${String(firstSeq).padStart(12, '0')}.log`;
}

export class ChannelLog {
  /** Sorted by seq. */
  rows: IndexRow[] = [];
  private segments: Segment[] = [];
  private active!: AppendLog;
  private activeSegment!: Segment;
  private nextOffset = 0;
  private nextSeq = 1;
  private rescanning = new Map<Segment, Promise<void>>();
  /** Every seq up to this one was dropped by retention. */
  private droppedThrough = 0;

  private constructor(
    private readonly dir: string,
    private readonly segmentBytes: number,
  ) {}

  static async open(dir: string, segmentBytes = DEFAULT_SEGMENT_BYTES): Promise<ChannelLog> {
    const log = new ChannelLog(dir, segmentBytes);
    await log.load();
    return log;
  }

  private async load(): Promise<void> {
    const names = (await readdir(this.dir).catch(() => [] as string[])).filter((name) => /^seg-\d+\.log$/.test(name)).sort();
    for (const name of names) {
      const segment: Segment = { firstSeq: Number(name.slice(4, -4)), path: join(this.dir, name), generation: 0, writing: 0 };
      this.segments.push(segment);
      const { rows } = await scanSegment(segment);
      for (const row of rows) this.rows.push(row);
    }
    const last = this.segments[this.segments.length - 1];
    const lastRow = this.rows[this.rows.length - 1];
    this.nextSeq = Math.max(lastRow ? lastRow.seq + 1 : 1, last ? last.firstSeq : 1);
    if (last) {
      this.activeSegment = last;
      this.active = new AppendLog(last.path, { durable: true });
      await this.active.open();
      // open() may have added a newline after a torn tail: offsets continue from the real size.
      this.nextOffset = await fileSize(last.path);
    } else {
      this.roll();
      await this.active.open();
    }
  }

  /**
   * Starts a new segment file, at once (no await: no append can slip between choosing its first seq
   * and switching to it). It is opened by its first write; the previous one closes once its pending
   * writes are done.
   */
  private roll(): void {
    const segment: Segment = { firstSeq: this.nextSeq, path: join(this.dir, segmentName(this.nextSeq)), generation: 0, writing: 0 };
    // The file exists from now on, even empty: its name carries the next seq across a restart once
    // retention has deleted the files before it (seqs never go back, or consumers would skip new entries).
    closeSync(openSync(segment.path, 'a', PRIVATE_FILE_MODE));
    const previous = this.active as AppendLog | undefined;
    this.segments.push(segment);
    this.activeSegment = segment;
    this.active = new AppendLog(segment.path, { durable: true });
    this.nextOffset = 0;
    if (previous) void previous.close().catch(() => {});
  }

  get count(): number {
    return this.rows.length;
  }

  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  /** Appends the line made for the next seq; resolves once it is on disk. */
  async append(make: (seq: number, at: number) => string): Promise<number> {
    if (this.nextOffset >= this.segmentBytes) this.roll();
    const seq = this.nextSeq++;
    const at = Date.now();
    const line = make(seq, at);
    const length = Buffer.byteLength(line);
    const segment = this.activeSegment;
    const log = this.active;
    const offset = this.nextOffset;
    this.nextOffset += length + 1;
    const generation = segment.generation;
    segment.writing++;
    try {
      await log.append(line);
    } catch (error) {
      // The batch was cut back: offsets handed out after it are wrong until the file is re-read.
      segment.generation++;
      throw error;
    } finally {
      segment.writing--;
    }
    if (generation !== segment.generation) await this.rescan(segment, log);
    else this.insert({ seq, at, segment, offset, length });
    return seq;
  }

  /** Adds a row in seq order (two segments' writes can finish in either order around a roll). */
  private insert(row: IndexRow): void {
    const last = this.rows[this.rows.length - 1];
    if (!last || row.seq > last.seq) {
      this.rows.push(row);
      return;
    }
    const position = this.positionAfter(row.seq);
    if (this.rows[position - 1]?.seq !== row.seq) this.rows.splice(position, 0, row);
  }

  /** Re-reads a segment and rebuilds its part of the index (after a failed write to it). */
  private rescan(segment: Segment, log: AppendLog): Promise<void> {
    let running = this.rescanning.get(segment);
    if (!running) {
      running = (async () => {
        try {
          await log.flushed();
          const { rows, size } = await scanSegment(segment);
          const others = this.rows.filter((row) => row.segment !== segment);
          this.rows = [...others, ...rows.filter((row) => row.seq > this.droppedThrough)].sort((a, b) => a.seq - b.seq);
          if (segment === this.activeSegment) this.nextOffset = size;
          segment.generation++;
        } finally {
          this.rescanning.delete(segment);
        }
      })();
      this.rescanning.set(segment, running);
    }
    return running;
  }

  /** Position of the first row with seq > `seq`. */
  positionAfter(seq: number): number {
    let low = 0;
    let high = this.rows.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.rows[mid]!.seq <= seq) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  find(seq: number): IndexRow | undefined {
    const position = this.positionAfter(seq) - 1;
    const row = this.rows[position];
    return row?.seq === seq ? row : undefined;
  }

  /** The lines of these rows, read from their segment files (in the order given). */
  async read(rows: readonly IndexRow[]): Promise<Array<string | undefined>> {
    const out: Array<string | undefined> = new Array(rows.length);
    const bySegment = new Map<Segment, number[]>();
    rows.forEach((row, i) => {
      const list = bySegment.get(row.segment) ?? [];
      list.push(i);
      bySegment.set(row.segment, list);
    });
    for (const [segment, positions] of bySegment) {
      const handle = await openFile(segment.path, 'r').catch(() => undefined);
      if (!handle) continue;
      try {
        for (const i of positions) {
          const row = rows[i]!;
          const buffer = Buffer.alloc(row.length);
          const { bytesRead } = await handle.read(buffer, 0, row.length, row.offset);
          out[i] = bytesRead === row.length ? buffer.toString('utf8') : undefined;
        }
      } finally {
        await handle.close().catch(() => {});
      }
    }
    return out;
  }

  /**
   * Drops the first `count` rows, deletes the segment files none of whose entries is left, and rolls
   * the active segment when it is older than `rollAgeMs` so it can be deleted later too.
   */
  async dropFront(count: number, nowMs: number, rollAgeMs: number): Promise<void> {
    if (count > 0) this.droppedThrough = this.rows.splice(0, count).at(-1)!.seq;
    const firstLive = this.rows[0]?.seq ?? this.nextSeq;
    const firstRowOfActive = this.rows.find((row) => row.segment === this.activeSegment);
    // Roll when the active file holds only dropped entries, or old ones: then it can go in turn.
    if (this.nextOffset > 0 && (!firstRowOfActive || nowMs - firstRowOfActive.at >= rollAgeMs)) this.roll();
    // The new file's name must be on disk before the files it replaces go.
    if (this.segments.some((segment, i) => segment !== this.activeSegment && segment.writing === 0 && (this.segments[i + 1]?.firstSeq ?? Infinity) <= firstLive)) await realFileOps.fsyncDir?.(this.dir);
    const keep: Segment[] = [];
    for (let i = 0; i < this.segments.length; i++) {
      const segment = this.segments[i]!;
      const next = this.segments[i + 1];
      const dead = segment !== this.activeSegment && segment.writing === 0 && next !== undefined && next.firstSeq <= firstLive;
      if (dead) await unlink(segment.path).catch(() => {});
      else keep.push(segment);
    }
    this.segments = keep;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.rescanning.values()]);
    await this.active.close();
  }
}

async function fileSize(path: string): Promise<number> {
  const handle = await openFile(path, 'r');
  try {
    return (await handle.stat()).size;
  } finally {
    await handle.close();
  }
}

/** The rows of a segment file; a torn or unreadable line is skipped (the next append starts on a fresh line). */
async function scanSegment(segment: Segment): Promise<{ rows: IndexRow[]; size: number }> {
  const data = await readFile(segment.path).catch(() => Buffer.alloc(0));
  const rows: IndexRow[] = [];
  let start = 0;
  while (start < data.length) {
    let end = data.indexOf(0x0a, start);
    if (end === -1) break; // a torn tail: never acknowledged
    const head = LINE_HEAD.exec(data.toString('utf8', start, Math.min(end, start + 64)));
    // A torn line from a crash (followed by the newline the next open added) ends mid-JSON.
    if (head && data[end - 1] === 0x7d) rows.push({ seq: Number(head[1]), at: Number(head[2]), segment, offset: start, length: end - start });
    start = end + 1;
  }
  return { rows, size: data.length };
}
