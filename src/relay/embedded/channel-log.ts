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
import { AppendLog } from '../../capture/append-log.js';

/** A segment rolls past this size, so retention can delete whole files. */
const SEGMENT_BYTES = 16 * 1024 * 1024;

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
  firstSeq: number;
  path: string;
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
  /** Bumped when a write failed or the index was rebuilt: appends begun before it re-read the file instead of trusting their offsets. */
  private generation = 0;
  private rescanning: Promise<void> | undefined;
  /** Every seq up to this one was dropped by retention. */
  private droppedThrough = 0;

  private constructor(private readonly dir: string) {}

  static async open(dir: string): Promise<ChannelLog> {
    const log = new ChannelLog(dir);
    await log.load();
    return log;
  }

  private async load(): Promise<void> {
    const names = (await readdir(this.dir).catch(() => [] as string[])).filter((name) => /^seg-\d+\.log$/.test(name)).sort();
    for (const name of names) {
      const segment: Segment = { firstSeq: Number(name.slice(4, -4)), path: join(this.dir, name) };
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
      await this.roll();
    }
  }

  /** Starts a new segment file; the previous one is closed once its pending writes are done. */
  private async roll(): Promise<void> {
    const segment: Segment = { firstSeq: this.nextSeq, path: join(this.dir, segmentName(this.nextSeq)) };
    const log = new AppendLog(segment.path, { durable: true });
    await log.open();
    const previous = this.active;
    this.segments.push(segment);
    this.activeSegment = segment;
    this.active = log;
    this.nextOffset = 0;
    this.generation++;
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
    if (this.nextOffset >= SEGMENT_BYTES) await this.roll();
    const seq = this.nextSeq++;
    const at = Date.now();
    const line = make(seq, at);
    const length = Buffer.byteLength(line);
    const segment = this.activeSegment;
    const offset = this.nextOffset;
    this.nextOffset += length + 1;
    const generation = this.generation;
    try {
      await this.active.append(line);
    } catch (error) {
      // The batch was cut back: offsets handed out after it are wrong until the file is re-read.
      this.generation++;
      throw error;
    }
    if (generation !== this.generation) await this.rescan();
    else if (seq > (this.rows[this.rows.length - 1]?.seq ?? 0)) this.rows.push({ seq, at, segment, offset, length });
    return seq;
  }

  /** Re-reads the active segment and rebuilds its part of the index (after a failed write). */
  private rescan(): Promise<void> {
    this.rescanning ??= (async () => {
      try {
        await this.active.flushed();
        const segment = this.activeSegment;
        const { rows, size } = await scanSegment(segment);
        const before = this.rows.filter((row) => row.segment !== segment);
        this.rows = [...before, ...rows.filter((row) => row.seq > this.droppedThrough)];
        this.nextOffset = size;
        this.generation++;
      } finally {
        this.rescanning = undefined;
      }
    })();
    return this.rescanning;
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
    if (this.nextOffset > 0 && (!firstRowOfActive || nowMs - firstRowOfActive.at >= rollAgeMs)) await this.roll();
    const keep: Segment[] = [];
    for (let i = 0; i < this.segments.length; i++) {
      const segment = this.segments[i]!;
      const next = this.segments[i + 1];
      const dead = segment !== this.activeSegment && next !== undefined && next.firstSeq <= firstLive;
      if (dead) await unlink(segment.path).catch(() => {});
      else keep.push(segment);
    }
    this.segments = keep;
  }

  async close(): Promise<void> {
    await this.rescanning?.catch(() => {});
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
