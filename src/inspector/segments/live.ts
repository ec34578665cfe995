/**
 * Deliveries a running listener reports, as they arrive. Adding one is O(1) and copies nothing
 * (the listener's throughput with the inspector open is the measure); the row is built when a page
 * asks for it. Bodies are kept up to a memory budget, oldest dropped first; a dropped body is read
 * back from the capture (journal or fixture file) when someone opens that delivery.
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

interface LiveItem {
  delivery: Delivery;
  /** Dropped (null) once the budget is spent. */
  body: Buffer | null;
  summary: DeliverySummary | undefined;
  queued: QueuedForward | undefined;
}

/** An injected fault: a dropped connection, or the failure the listener answered on purpose. */
export function faultOf(delivery: Delivery): string | null {
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
    this.items.push({ delivery, body: delivery.body, summary: undefined, queued: undefined });
    if (delivery.forwardQueued) this.awaitingForward.set(delivery.id, index);
    this.bodyBytes += delivery.body.length;
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

  /** The record the listener stores, with the body as it is known here (read back from the capture when dropped). */
  private record(delivery: Delivery, body: Buffer): DeliveryRecord {
    return toRecord(delivery.body === body ? delivery : { ...delivery, body }, this.options.listenerUrl);
  }

  async load(index: number): Promise<LoadedDelivery> {
    const item = this.items[index]!;
    const d = item.delivery;
    let body = item.body;
    let bodyMissing: string | null = null;
    if (body === null) {
      body = await this.fromCapture(d);
      if (body === null) bodyMissing = `the body is no longer in memory (the inspector keeps the newest ${Math.round(this.budget / 1024 / 1024)} MiB of bodies) and ${d.capture ? `was not found in ${d.capture}` : 'was not captured'}`;
    }
    const record = this.record(d, body ?? Buffer.alloc(0));
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

  private async fromCapture(delivery: Delivery): Promise<Buffer | null> {
    const path = delivery.capture;
    if (!path) return null;
    try {
      if (isJournalPath(path)) {
        let lookup = this.journals.get(path);
        if (!lookup) {
          lookup = new JournalLookup(path);
          this.journals.set(path, lookup);
        }
        const record = await lookup.find(delivery.id);
        return record ? decodeBody(record) : null;
      }
      const value: unknown = JSON.parse(await readFile(path, 'utf8'));
      if (value === null || typeof value !== 'object') return null;
      const record = recordFrom(value as Record<string, unknown>, delivery.id);
      return typeof record === 'string' ? null : decodeBody(record);
    } catch {
      return null;
    }
  }

  async search(from: number, to: number, needle: Needle): Promise<number[]> {
    const hits: number[] = [];
    for (let i = from; i < to; i++) {
      const item = this.items[i]!;
      const d = item.delivery;
      let text = `${d.method} ${d.path}\n${d.eventId ?? ''} ${d.eventType ?? ''}\n`;
      for (const [name, value] of Object.entries(d.headers)) text += `${name}: ${value}\n`;
      if (item.body) text += item.body.toString('utf8');
      if (matchesNeedle(text, needle)) hits.push(i);
    }
    return hits;
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

  constructor(path: string) {
    this.index = new JournalIndex(path);
  }

  async find(id: string): Promise<DeliveryRecord | undefined> {
    if (!this.lineById.has(id)) {
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
    const line = this.lineById.get(id);
    if (line === undefined) return undefined;
    const [text] = await this.index.readLines(line, line + 1);
    const parsed = parseJournalLine(text!.toString('utf8'), id);
    return 'record' in parsed ? parsed.record : undefined;
  }

  close(): Promise<void> {
    return this.index.close();
  }
}
