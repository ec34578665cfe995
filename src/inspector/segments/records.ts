/**
 * Deliveries read whole into memory: fixture files (one record each, or a journal under a .json
 * name). Folders of fixtures are small next to journals, so they are simply kept.
 */
import type { FixtureItem } from '../../records/reader.js';
import { where } from '../../records/reader.js';
import { matchesNeedle, problemSummary, summaryOfRecord, type LoadedDelivery, type Needle, type Segment } from '../segment.js';
import type { DeliverySummary } from '../types.js';
import { loadedFromRecord } from './journal.js';

export class RecordSegment implements Segment {
  private readonly items: FixtureItem[] = [];
  private readonly rows: DeliverySummary[] = [];

  constructor(readonly base: number) {}

  add(item: FixtureItem): void {
    const seq = this.base + this.items.length;
    this.items.push(item);
    this.rows.push(item.kind === 'entry' ? summaryOfRecord(item.record, seq, where(item)) : problemSummary(seq, where(item), item.message));
  }

  get size(): number {
    return this.items.length;
  }

  get parsed(): number {
    return this.items.length;
  }

  async summaries(from: number, to: number): Promise<DeliverySummary[]> {
    return this.rows.slice(from, to);
  }

  peek(index: number): DeliverySummary | undefined {
    return this.rows[index];
  }

  async load(index: number): Promise<LoadedDelivery> {
    const item = this.items[index]!;
    if (item.kind === 'problem') throw new Error(`${where(item)}: ${item.message}`);
    return loadedFromRecord(item.record, this.rows[index]!);
  }

  async search(from: number, to: number, needle: Needle): Promise<number[]> {
    const hits: number[] = [];
    for (let i = from; i < to; i++) {
      const item = this.items[i]!;
      if (item.kind === 'entry' && matchesNeedle(JSON.stringify(item.record), needle)) hits.push(i);
    }
    return hits;
  }

  async close(): Promise<void> {}
}
