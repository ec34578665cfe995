/**
 * Every delivery the inspector knows, in order, across segments; pages of it, filtered and searched
 * on this side so the page never holds more than a screenful. A filtered view remembers the seqs
 * that matched and how far it looked, and only looks at what arrived since on the next request.
 */
import { eventTypeMatcher } from '../replay/glob.js';
import { needleOf, type LoadedDelivery, type Needle, type Segment } from './segment.js';
import type { DeliverySummary, ListPage, ListQuery, StateFilter } from './types.js';

export type StoreEvent = { kind: 'grew'; total: number } | { kind: 'updated'; seq: number } | { kind: 'indexing'; done: number; total: number };

/** Entries looked at per step when a filter catches up, between yields to other requests. */
const SCAN_STEP = 4096;
/** Entries parsed per step of the background pass: small, so a page request never waits long. */
const WARM_STEP = 256;
const MAX_VIEWS = 16;
export const MAX_PAGE = 500;

interface View {
  matches: (row: DeliverySummary) => boolean;
  needle: Needle | null;
  seqs: number[];
  scanned: number;
  running: Promise<void> | undefined;
}

const STATES: Record<StateFilter, (row: DeliverySummary) => boolean> = {
  all: () => true,
  verified: (row) => row.verified === true,
  // Refused by the listener, or not taken by the app (refused, unreachable, a dead letter).
  failed: (row) => row.verified === false || (row.status !== null && (row.status < 200 || row.status >= 300)) || (row.forward !== null && !row.forward.pending && (row.forward.status === null || row.forward.status < 200 || row.forward.status >= 300)),
  duplicate: (row) => row.duplicate,
  fault: (row) => row.fault !== null,
  unverified: (row) => row.verified === null && row.problem === undefined,
};

export const STATE_FILTERS = Object.keys(STATES) as StateFilter[];

export function isUnfiltered(query: ListQuery): boolean {
  return query.state === 'all' && !query.scheme && !query.type && !query.path && !query.q;
}

/** The row test for a query (the text search is separate: it reads headers and bodies). */
export function rowMatcher(query: ListQuery): (row: DeliverySummary) => boolean {
  const tests: Array<(row: DeliverySummary) => boolean> = [];
  if (query.state !== 'all') tests.push(STATES[query.state]);
  if (query.scheme) {
    const scheme = query.scheme === 'none' ? null : query.scheme;
    tests.push((row) => row.scheme === scheme);
  }
  if (query.type) {
    const matchType = eventTypeMatcher(query.type);
    tests.push((row) => matchType(row.eventType));
  }
  if (query.path) {
    const path = query.path;
    tests.push(path.startsWith('/') ? (row) => row.path.startsWith(path) : (row) => row.path.includes(path));
  }
  // An unreadable line matches only the unfiltered list.
  if (tests.length > 0) tests.unshift((row) => row.problem === undefined);
  return (row) => tests.every((test) => test(row));
}

const yieldToOthers = () => new Promise<void>((resolve) => setImmediate(resolve));

export class DeliveryStore {
  private readonly parts: Array<{ segment: Segment; base: number }> = [];
  private readonly views = new Map<string, View>();
  private readonly listeners = new Set<(event: StoreEvent) => void>();
  private warming: Promise<void> | undefined;
  private warmed = false;
  private closed = false;
  private growing = false;

  /**
   * Adds a segment at the end; `create` gets the seq of its first entry. Only the last segment may
   * grow afterwards (else the seqs after it would shift), so a segment stops growing once another
   * is appended.
   */
  append<S extends Segment>(create: (base: number) => S): S {
    const base = this.total;
    const segment = create(base);
    this.parts.push({ segment, base });
    return segment;
  }

  get total(): number {
    const last = this.parts[this.parts.length - 1];
    return last ? last.base + last.segment.size : 0;
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: StoreEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  /**
   * The last segment grew (a live delivery, or lines appended to a followed journal). Said once
   * per turn of the event loop, however many arrived in it: a busy listener adds thousands a second.
   */
  grew(): void {
    if (this.growing) return;
    this.growing = true;
    setImmediate(() => {
      this.growing = false;
      if (!this.closed) this.emit({ kind: 'grew', total: this.total });
    });
  }

  /** A row changed in place (a queued forward finished). */
  updated(seq: number): void {
    this.emit({ kind: 'updated', seq });
  }

  /** Progress of reading every summary (large journals), or null when all are read. */
  indexing(): { done: number; total: number } | null {
    if (this.warmed) return null;
    let done = 0;
    for (const { segment } of this.parts) done += segment.parsed;
    const total = this.total;
    return done >= total ? null : { done, total };
  }

  /** Reads every summary in the background, so filters are instant afterwards. */
  warm(): Promise<void> {
    this.warming ??= (async () => {
      let lastReport = 0;
      for (const { segment } of this.parts) {
        // A live segment has every summary at hand: building them all as a busy listener adds
        // deliveries would be work (and memory) per delivery for nothing.
        if (segment.parsed >= segment.size) continue;
        // What is there now: a growing segment is not chased.
        const size = segment.size;
        for (let from = 0; from < size && !this.closed; from += WARM_STEP) {
          await segment.summaries(from, Math.min(from + WARM_STEP, size));
          await yieldToOthers();
          const now = performance.now();
          if (now - lastReport > 100) {
            lastReport = now;
            const progress = this.indexing();
            if (progress) this.emit({ kind: 'indexing', ...progress });
          }
        }
      }
      this.warmed = true;
      this.emit({ kind: 'indexing', done: this.total, total: this.total });
    })();
    return this.warming;
  }

  private locate(seq: number): { segment: Segment; index: number } | undefined {
    for (let i = this.parts.length - 1; i >= 0; i--) {
      const part = this.parts[i]!;
      if (seq >= part.base) return seq - part.base < part.segment.size ? { segment: part.segment, index: seq - part.base } : undefined;
    }
    return undefined;
  }

  /** Calls `step` for each segment piece of the global range [from, to). */
  private async eachPiece(from: number, to: number, step: (segment: Segment, start: number, end: number, base: number) => Promise<void>): Promise<void> {
    for (const { segment, base } of this.parts) {
      const start = Math.max(from, base) - base;
      const end = Math.min(to, base + segment.size) - base;
      if (start < end) await step(segment, start, end, base);
    }
  }

  private async range(from: number, to: number): Promise<DeliverySummary[]> {
    const rows: DeliverySummary[] = [];
    await this.eachPiece(from, to, async (segment, start, end) => {
      rows.push(...(await segment.summaries(start, end)));
    });
    return rows;
  }

  private async rowsFor(seqs: number[]): Promise<DeliverySummary[]> {
    const rows: DeliverySummary[] = [];
    for (const seq of seqs) {
      const place = this.locate(seq);
      if (!place) continue;
      const row = place.segment.peek(place.index) ?? (await place.segment.summaries(place.index, place.index + 1))[0]!;
      rows.push(row);
    }
    return rows;
  }

  private view(query: ListQuery): View {
    const key = JSON.stringify([query.state, query.scheme, query.type, query.path, query.q]);
    let view = this.views.get(key);
    if (view) {
      // Most recently used last, so the oldest is dropped first.
      this.views.delete(key);
    } else {
      view = { matches: rowMatcher({ ...query, q: null }), needle: query.q ? needleOf(query.q) : null, seqs: [], scanned: 0, running: undefined };
      if (this.views.size >= MAX_VIEWS) this.views.delete(this.views.keys().next().value!);
    }
    this.views.set(key, view);
    return view;
  }

  /** Looks at the entries the view has not seen yet. */
  private async catchUp(view: View, rowFiltered: boolean): Promise<void> {
    while (view.scanned < this.total && !this.closed) {
      view.running ??= (async () => {
        const from = view.scanned;
        const to = Math.min(from + SCAN_STEP, this.total);
        const found: number[] = [];
        await this.eachPiece(from, to, async (segment, start, end, base) => {
          let candidates: number[] | undefined;
          if (rowFiltered) {
            const rows = await segment.summaries(start, end);
            candidates = [];
            for (let i = 0; i < rows.length; i++) if (view.matches(rows[i]!)) candidates.push(start + i);
          }
          if (view.needle) {
            const hits = await segment.search(start, end, view.needle);
            const allowed = candidates ? new Set(candidates) : undefined;
            for (const hit of hits) if (!allowed || allowed.has(hit)) found.push(base + hit);
          } else {
            for (const index of candidates ?? []) found.push(base + index);
          }
        });
        view.seqs.push(...found);
        view.scanned = to;
        await yieldToOthers();
      })().finally(() => {
        view.running = undefined;
      });
      await view.running;
    }
  }

  /**
   * One page of the list in arrival order. `offset` 'tail' asks for the last page (where a live
   * list starts); an offset past the end is pulled back to the last full page.
   */
  async page(query: ListQuery, offset: number | 'tail', limit: number): Promise<ListPage> {
    const size = Math.max(1, Math.min(MAX_PAGE, Math.floor(limit) || 1));
    const all = this.total;
    if (isUnfiltered(query)) {
      const start = offset === 'tail' ? Math.max(0, all - size) : Math.max(0, Math.min(offset, Math.max(0, all - size)));
      return { total: all, all, offset: start, rows: await this.range(start, Math.min(all, start + size)), indexing: this.indexing() };
    }
    const view = this.view(query);
    const rowFiltered = !isUnfiltered({ ...query, q: null });
    await this.catchUp(view, rowFiltered);
    const total = view.seqs.length;
    const start = offset === 'tail' ? Math.max(0, total - size) : Math.max(0, Math.min(offset, Math.max(0, total - size)));
    return { total, all: this.total, offset: start, rows: await this.rowsFor(view.seqs.slice(start, start + size)), indexing: this.indexing() };
  }

  async summary(seq: number): Promise<DeliverySummary | undefined> {
    const place = this.locate(seq);
    if (!place) return undefined;
    return place.segment.peek(place.index) ?? (await place.segment.summaries(place.index, place.index + 1))[0];
  }

  /** Everything about one delivery; undefined for an unknown seq. Throws for an unreadable one. */
  async load(seq: number): Promise<LoadedDelivery | undefined> {
    const place = this.locate(seq);
    return place ? place.segment.load(place.index) : undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    await Promise.all(this.parts.map(({ segment }) => segment.close()));
  }
}
