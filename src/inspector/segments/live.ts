/**
 * Deliveries a running listener reports, as they arrive. Adding one is O(1) and small: the
 * listener's throughput with the inspector open is the measure, and every object kept per delivery
 * is garbage-collector work for the listener. So what the journal holds (headers and body) is not
 * kept: it is read back from the journal when someone opens or searches that delivery. Deliveries
 * no journal holds (refused at the door, --no-capture, --capture-files) keep their headers, and
 * their bodies up to a memory budget (a dropped body is read back from a fixture file if there is
 * one). The row is built when a page asks for it.
 */
import { readFile } from 'node:fs/promises';
import { toRecord } from '../../listen/delivery.js';
import type { Delivery, QueuedForward } from '../../listen/types.js';
import { isJournalPath, recordFrom } from '../../records/reader.js';
import { decodeBody, type DeliveryRecord } from '../../records/record.js';
import { BLOCK_LINES, JournalIndex, parseJournalLine } from '../journal-index.js';
import { matchesNeedle, type LoadedDelivery, type Needle, type Segment } from '../segment.js';
import type { AttemptView, DeliverySummary, ForwardSummary } from '../types.js';

/** What the listener gives the inspector: every delivery it answered and every queued-forward outcome. */
export interface InspectorFeed {
  delivery(delivery: Delivery): void;
  forward(outcome: QueuedForward): void;
}

export const DEFAULT_BODY_BUDGET = 64 * 1024 * 1024;

/** A delivery as the list keeps it: all the listener reported but its headers and body. */
type Kept = Omit<Delivery, 'headers' | 'body'>;

/** One object of one fixed shape per delivery. */
function keep(d: Delivery): Kept {
  return {
    id: d.id,
    receivedAt: d.receivedAt,
    method: d.method,
    path: d.path,
    bytes: d.bytes,
    scheme: d.scheme,
    eventId: d.eventId,
    eventType: d.eventType,
    idempotencyKey: d.idempotencyKey,
    verified: d.verified,
    reason: d.reason,
    verification: d.verification,
    duplicate: d.duplicate,
    status: d.status,
    reset: d.reset,
    injected: d.injected,
    note: d.note,
    capture: d.capture,
    forward: d.forward,
    forwardQueued: d.forwardQueued,
    ms: d.ms,
  };
}

interface LiveItem {
  delivery: Kept;
  /** Headers of a delivery no journal holds; null: read them from the journal. */
  headers: Record<string, string> | null;
  /** Body of a delivery no journal holds, until the budget is spent; null: read back (or gone). */
  body: Buffer | null;
  summary: DeliverySummary | undefined;
  queued: QueuedForward | undefined;
}

function inJournal(delivery: Kept): boolean {
  return delivery.capture !== null && isJournalPath(delivery.capture);
}

/** An injected fault: a dropped connection, or the failure the listener answered on purpose. */
export function faultOf(delivery: Pick<Delivery, 'reset' | 'injected' | 'note'>): string | null {
  if (delivery.reset) return 'connection reset (--reset-rate)';
  return delivery.injected ? delivery.note : null;
}

const KEPT = 'kept in the outbox: the next start of the listener resumes it';

function forwardOf(item: LiveItem): ForwardSummary | null {
  const { delivery, queued } = item;
  if (queued) return { status: queued.status, ms: queued.ms, error: queued.kept ? KEPT : queued.error, attempts: queued.attempts, pending: false };
  if (delivery.forward) return { status: delivery.forward.status, ms: delivery.forward.ms, error: delivery.forward.error ?? null, attempts: delivery.forward.attempts ?? null, pending: false };
  if (delivery.forwardQueued) return { status: null, ms: 0, error: null, attempts: null, pending: true };
  return null;
}

/**
 * The app's answer to the last attempt, when it refused the delivery: its status, the headers that
 * tell what answered, the start of its body, and the hint when it looks like a failed signature.
 * (The listener reports the last attempt only.)
 */
function appAnswerOf(item: LiveItem): AttemptView[] {
  const outcome = item.queued ?? item.delivery.forward;
  if (!outcome?.app) return [];
  return [
    {
      attempt: outcome.attempts ?? 1,
      status: outcome.app.status,
      error: outcome.error ?? null,
      ms: outcome.ms,
      snippet: outcome.app.body || null,
      headers: Object.entries(outcome.app.headers),
      hint: outcome.hint ?? null,
    },
  ];
}

export interface LiveSegmentOptions {
  base: number;
  /** The listener's URL (what a capture records as receivedAt). */
  listenerUrl: string;
  /** Bytes of bodies kept in memory. */
  bodyBudget?: number;
  /** The listener's journal and its size before this run: what is fed here was appended after it. */
  journal?: { path: string; startBytes: number };
  /** Called when deliveries arrive or a row changes. */
  onGrow(): void;
  onUpdate(seq: number): void;
}

export class LiveSegment implements Segment, InspectorFeed {
  private readonly items: LiveItem[] = [];
  /** Capture id -> index, for deliveries whose forward outcome is still to come. */
  private readonly awaitingForward = new Map<string, number>();
  private bodyBytes = 0;
  private oldestBody = 0;
  private readonly budget: number;
  private readonly journals = new Map<string, JournalLookup>();

  constructor(private readonly options: LiveSegmentOptions) {
    this.budget = options.bodyBudget ?? DEFAULT_BODY_BUDGET;
  }

  get size(): number {
    return this.items.length;
  }

  get parsed(): number {
    return this.items.length;
  }

  delivery(delivery: Delivery): void {
    const index = this.items.length;
    const kept = keep(delivery);
    if (inJournal(kept)) {
      this.items.push({ delivery: kept, headers: null, body: null, summary: undefined, queued: undefined });
    } else {
      this.items.push({ delivery: kept, headers: delivery.headers, body: delivery.body, summary: undefined, queued: undefined });
      this.bodyBytes += delivery.body.length;
    }
    if (delivery.forwardQueued) this.awaitingForward.set(delivery.id, index);
    while (this.bodyBytes > this.budget && this.oldestBody < index) {
      const old = this.items[this.oldestBody++]!;
      this.bodyBytes -= old.body?.length ?? 0;
      old.body = null;
    }
    this.options.onGrow();
  }

  forward(outcome: QueuedForward): void {
    const index = this.awaitingForward.get(outcome.id);
    if (index === undefined) return;
    this.awaitingForward.delete(outcome.id);
    const item = this.items[index]!;
    item.queued = outcome;
    item.summary = undefined;
    this.options.onUpdate(this.options.base + index);
  }

  private summary(index: number): DeliverySummary {
    const item = this.items[index]!;
    if (item.summary) return item.summary;
    const d = item.delivery;
    item.summary = {
      seq: this.options.base + index,
      id: d.id,
      time: d.receivedAt.toISOString(),
      method: d.method,
      path: d.path,
      scheme: d.scheme,
      eventType: d.eventType,
      eventId: d.eventId,
      verified: d.verified,
      reason: d.reason,
      duplicate: d.duplicate,
      status: d.status,
      fault: faultOf(d),
      bytes: d.bytes,
      forward: forwardOf(item),
      source: 'live',
    };
    return item.summary;
  }

  async summaries(from: number, to: number): Promise<DeliverySummary[]> {
    const rows: DeliverySummary[] = [];
    for (let i = from; i < to; i++) rows.push(this.summary(i));
    return rows;
  }

  peek(index: number): DeliverySummary | undefined {
    return index < this.items.length ? this.summary(index) : undefined;
  }

  async load(index: number): Promise<LoadedDelivery> {
    const item = this.items[index]!;
    const d = item.delivery;
    let headers = item.headers;
    let body = item.body;
    if (headers === null || body === null) {
      const stored = await this.fromCapture(d);
      if (stored) {
        headers ??= stored.headers;
        body ??= decodeBody(stored);
      }
    }
    const bodyMissing = body !== null ? null : `the body is no longer in memory (the inspector keeps the newest ${Math.round(this.budget / 1024 / 1024)} MiB of bodies) and ${d.capture ? `was not found in ${d.capture}` : 'was not captured'}`;
    // The record the listener stored (the same function makes it), with what is known here.
    const record = toRecord({ ...d, headers: headers ?? {}, body: body ?? Buffer.alloc(0) }, this.options.listenerUrl);
    let url: string | null = null;
    try {
      url = new URL(d.path, this.options.listenerUrl).toString();
    } catch {
      url = null;
    }
    return {
      summary: this.summary(index),
      record,
      body,
      bodyMissing,
      verification: d.verification,
      arrivalMs: d.receivedAt.getTime(),
      url,
      forwardAttempts: appAnswerOf(item),
    };
  }

  private lookup(path: string): JournalLookup {
    let lookup = this.journals.get(path);
    if (!lookup) {
      // Only this run's part of the listener's journal is looked through (a large history is not).
      const { journal } = this.options;
      lookup = new JournalLookup(path, journal?.path === path ? journal.startBytes : 0);
      this.journals.set(path, lookup);
    }
    return lookup;
  }

  /** The record as captured (journal or fixture file), or null. */
  private async fromCapture(delivery: Kept): Promise<DeliveryRecord | null> {
    const path = delivery.capture;
    if (!path) return null;
    try {
      if (isJournalPath(path)) return (await this.lookup(path).find(delivery.id)) ?? null;
      const value: unknown = JSON.parse(await readFile(path, 'utf8'));
      if (value === null || typeof value !== 'object') return null;
      const record = recordFrom(value as Record<string, unknown>, delivery.id);
      return typeof record === 'string' ? null : record;
    } catch {
      return null;
    }
  }

  async search(from: number, to: number, needle: Needle): Promise<number[]> {
    const hits: number[] = [];
    /** Journal path -> capture id -> index, for the deliveries whose headers and body are there. */
    const inJournals = new Map<string, Map<string, number>>();
    for (let i = from; i < to; i++) {
      const item = this.items[i]!;
      const d = item.delivery;
      if (item.headers === null) {
        const ids = inJournals.get(d.capture!) ?? inJournals.set(d.capture!, new Map()).get(d.capture!)!;
        ids.set(d.id, i);
        continue;
      }
      let text = `${d.method} ${d.path}\n${d.eventId ?? ''} ${d.eventType ?? ''}\n`;
      for (const [name, value] of Object.entries(item.headers)) text += `${name}: ${value}\n`;
      if (item.body) text += item.body.toString('utf8');
      if (matchesNeedle(text, needle)) hits.push(i);
    }
    for (const [path, ids] of inJournals) {
      try {
        for (const id of await this.lookup(path).matching(ids.keys(), needle)) hits.push(ids.get(id)!);
      } catch {
        // The journal is gone or unreadable: those deliveries cannot be searched.
      }
    }
    return hits.sort((a, b) => a - b);
  }

  async close(): Promise<void> {
    await Promise.all([...this.journals.values()].map((lookup) => lookup.close()));
  }
}

/** Finds records by capture id in a journal that is still being appended to. */
class JournalLookup {
  private readonly index: JournalIndex;
  private readonly lineById = new Map<string, number>();
  private parsedUpTo = 0;

  constructor(path: string, startBytes: number) {
    this.index = new JournalIndex(path, startBytes);
  }

  /** Reads the ids of lines appended since the last call. */
  private async catchUp(): Promise<void> {
    await this.index.scan();
    while (this.parsedUpTo < this.index.size) {
      const to = Math.min(this.parsedUpTo + BLOCK_LINES, this.index.size);
      const lines = await this.index.readLines(this.parsedUpTo, to);
      lines.forEach((line, i) => {
        // Only the id is kept (the record is read again when asked for). The listener writes
        // `format` then `id` first, so the head of the line holds it.
        const match = /"id":"([^"\\]*)"/.exec(line.subarray(0, 256).toString('utf8'));
        if (match) this.lineById.set(match[1]!, this.parsedUpTo + i);
      });
      this.parsedUpTo = to;
    }
  }

  async find(id: string): Promise<DeliveryRecord | undefined> {
    if (!this.lineById.has(id)) await this.catchUp();
    const line = this.lineById.get(id);
    if (line === undefined) return undefined;
    const [text] = await this.index.readLines(line, line + 1);
    const parsed = parseJournalLine(text!.toString('utf8'), id);
    return 'record' in parsed ? parsed.record : undefined;
  }

  /**
   * The ids whose journal line holds the needle: the raw lines are searched as bytes, as `hookctl
   * inspect` searches a journal (the deliveries of one run sit together, so this reads runs of lines).
   */
  async matching(ids: Iterable<string>, needle: Needle): Promise<string[]> {
    await this.catchUp();
    const wanted: Array<[number, string]> = [];
    for (const id of ids) {
      const line = this.lineById.get(id);
      if (line !== undefined) wanted.push([line, id]);
    }
    wanted.sort((a, b) => a[0] - b[0]);
    const found: string[] = [];
    const pattern = needle.bytePattern;
    for (let next = 0; next < wanted.length; ) {
      const { buffer, starts, ends, count } = await this.index.readRange(wanted[next]![0], wanted[wanted.length - 1]![0] + 1);
      const first = wanted[next]![0];
      for (; next < wanted.length && wanted[next]![0] < first + count; next++) {
        const at = wanted[next]![0] - first;
        pattern.lastIndex = 0;
        if (pattern.test(buffer.subarray(starts[at], ends[at]).toString('latin1'))) found.push(wanted[next]![1]);
      }
    }
    return found;
  }

  close(): Promise<void> {
    return this.index.close();
  }
}
