/**
 * A capture journal as a segment: lines are found by offset when it opens and parsed a block at a
 * time when a page, filter or search reaches them. Summaries stay in memory, bodies on disk.
 */
import { decodeBody, type DeliveryRecord } from '../../records/record.js';
import { BLOCK_LINES, JournalIndex, parseJournalLine } from '../journal-index.js';
import { arrivalOfRecord, attemptsOfOutcome, problemSummary, summaryOfRecord, urlOfRecord, withOutcome, type LoadedDelivery, type Needle, type Segment } from '../segment.js';
import type { DeliverySummary } from '../types.js';

/** Lines searched per read: about 4 MB of typical deliveries. */
const SEARCH_LINES = 1024;

export class JournalSegment implements Segment {
  private readonly rows: Array<DeliverySummary | undefined> = [];
  private readonly loading = new Map<number, Promise<void>>();
  private parsedCount = 0;

  /**
   * @param source the journal as shown to people (relative to where hookctl runs)
   * @param base the seq of its first line
   */
  constructor(
    readonly index: JournalIndex,
    readonly source: string,
    readonly base: number,
  ) {}

  get size(): number {
    return this.index.size;
  }

  get parsed(): number {
    return this.parsedCount;
  }

  private where(index: number): string {
    return `${this.source}:${this.index.lineNumber(index)}`;
  }

  private summarize(index: number, line: Buffer): DeliverySummary {
    const parsed = parseJournalLine(line.toString('utf8'), `${this.source}:${this.index.lineNumber(index)}`);
    const seq = this.base + index;
    return 'record' in parsed ? summaryOfRecord(parsed.record, seq, this.where(index)) : problemSummary(seq, this.where(index), parsed.problem);
  }

  /** Parses the unparsed lines of one block. */
  private async loadBlock(block: number): Promise<void> {
    const from = block * BLOCK_LINES;
    const to = Math.min(from + BLOCK_LINES, this.size);
    let first = from;
    while (first < to && this.rows[first] !== undefined) first++;
    let last = to;
    while (last > first && this.rows[last - 1] !== undefined) last--;
    if (first >= last) return;
    const lines = await this.index.readLines(first, last);
    for (let i = 0; i < lines.length; i++) {
      if (this.rows[first + i] !== undefined) continue;
      this.rows[first + i] = this.summarize(first + i, lines[i]!);
      this.parsedCount++;
    }
  }

  /** Makes the summaries of [from, to) available; concurrent callers share the reads. */
  async ensure(from: number, to: number): Promise<void> {
    for (let block = Math.floor(from / BLOCK_LINES); block * BLOCK_LINES < to; block++) {
      for (;;) {
        const pending = this.loading.get(block);
        if (pending) {
          await pending;
          // The block may have grown (a followed journal) while it was read: check again.
          continue;
        }
        const blockEnd = Math.min((block + 1) * BLOCK_LINES, this.size);
        let complete = true;
        for (let i = Math.max(from, block * BLOCK_LINES); i < Math.min(to, blockEnd); i++) {
          if (this.rows[i] === undefined) {
            complete = false;
            break;
          }
        }
        if (complete) break;
        const load = this.loadBlock(block).finally(() => this.loading.delete(block));
        this.loading.set(block, load);
        await load;
      }
    }
  }

  async summaries(from: number, to: number): Promise<DeliverySummary[]> {
    await this.ensure(from, to);
    return (this.rows.slice(from, to) as DeliverySummary[]).map((row) => this.withOutcome(row));
  }

  peek(index: number): DeliverySummary | undefined {
    const row = this.rows[index];
    return row && this.withOutcome(row);
  }

  /** Rows are parsed once; outcome lines may come later (a followed journal), so they are applied as rows are read. */
  private withOutcome(row: DeliverySummary): DeliverySummary {
    if (this.index.outcomes.size === 0 || row.problem !== undefined) return row;
    return withOutcome(row, this.index.outcomes.get(row.id));
  }

  async load(index: number): Promise<LoadedDelivery> {
    const [line] = await this.index.readLines(index, index + 1);
    const parsed = parseJournalLine(line!.toString('utf8'), this.where(index));
    const summary = this.withOutcome(this.rows[index] ?? this.summarize(index, line!));
    if (!('record' in parsed)) {
      throw new Error(`${this.where(index)}: ${parsed.problem}`);
    }
    const outcome = this.index.outcomes.get(parsed.record.id);
    if (outcome) parsed.record.outcome = outcome;
    return loadedFromRecord(parsed.record, summary);
  }

  /**
   * The raw lines, a few MB at a time, read as Latin-1 (no UTF-8 decoding, no string per line) and
   * matched with one compiled pattern; a hit is mapped to its line by offset, and the search goes
   * on after that line.
   */
  async search(from: number, to: number, needle: Needle): Promise<number[]> {
    const hits: number[] = [];
    const pattern = needle.bytePattern;
    for (let start = from; start < to; ) {
      const { buffer, starts, ends, count } = await this.index.readRange(start, Math.min(to, start + SEARCH_LINES));
      const text = buffer.toString('latin1');
      let line = 0;
      pattern.lastIndex = 0;
      for (let match = pattern.exec(text); match !== null && line < count; match = pattern.exec(text)) {
        const at = match.index;
        while (line < count && ends[line]! <= at) line++;
        if (line >= count) break;
        if (at >= starts[line]! && at + match[0].length <= ends[line]!) {
          hits.push(start + line);
          pattern.lastIndex = ends[line]!;
          line++;
        } else pattern.lastIndex = at + 1;
      }
      start += count;
    }
    return hits;
  }

  close(): Promise<void> {
    return this.index.close();
  }
}

export function loadedFromRecord(record: DeliveryRecord, summary: DeliverySummary): LoadedDelivery {
  return {
    summary,
    record,
    body: decodeBody(record),
    bodyMissing: null,
    verification: null,
    arrivalMs: arrivalOfRecord(record),
    url: urlOfRecord(record),
    forwardAttempts: attemptsOfOutcome(record.outcome),
  };
}
