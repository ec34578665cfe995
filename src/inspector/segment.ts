/**
 * A segment is one run of deliveries in the inspector's list: a journal, the fixture files of a
 * folder, or what a live listener reports. The store strings segments together; only the last
 * one may grow, so every delivery keeps its position (its `seq`) for as long as the inspector runs.
 */
import type { DeliveryRecord } from '../records/record.js';
import { worstForward, type DeliveryOutcome } from '../records/outcome.js';
import type { VerifyResult } from '../schemes/types.js';
import type { AttemptView, DeliverySummary } from './types.js';

/** Everything known about one delivery, for the detail view and the actions. */
export interface LoadedDelivery {
  summary: DeliverySummary;
  /** The record: headers as captured, body encoded as in captures. */
  record: DeliveryRecord;
  /** The body bytes; null when they are gone (see bodyMissing). */
  body: Buffer | null;
  bodyMissing: string | null;
  /** The listener's verdict on arrival (live deliveries); captures only record verified/reason. */
  verification: VerifyResult | null;
  /** Arrival time, Unix ms, for timestamp skew and re-verification; null when unknown. */
  arrivalMs: number | null;
  /** The full URL it was posted to, when known (Twilio signs it). */
  url: string | null;
  forwardAttempts: AttemptView[];
}

/** A search term in the forms it can take in a journal line: as typed and JSON-escaped, lower case. */
export interface Needle {
  forms: string[];
  /**
   * The forms as one pattern over raw bytes read as Latin-1 (one character per byte, so positions
   * are byte offsets and no UTF-8 is decoded): ASCII letters in either case, every other byte as
   * typed. Global: callers reset lastIndex.
   */
  bytePattern: RegExp;
}

function bytePatternOf(form: string): string {
  let pattern = '';
  for (const char of Buffer.from(form, 'utf8').toString('latin1')) {
    if (/[a-z]/i.test(char)) pattern += `[${char.toLowerCase()}${char.toUpperCase()}]`;
    else pattern += `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`;
  }
  return pattern;
}

export function needleOf(text: string): Needle {
  const escaped = JSON.stringify(text).slice(1, -1);
  const asTyped = escaped === text ? [text] : [text, escaped];
  return { forms: asTyped.map((form) => form.toLowerCase()), bytePattern: new RegExp(asTyped.map(bytePatternOf).join('|'), 'g') };
}

export function matchesNeedle(haystack: string, needle: Needle): boolean {
  const lower = haystack.toLowerCase();
  return needle.forms.some((form) => lower.includes(form));
}

export interface Segment {
  /** Entries in this segment (grows only for the last segment). */
  readonly size: number;
  /** Summaries of entries [from, to) (their seq counts from the segment's first). */
  summaries(from: number, to: number): Promise<DeliverySummary[]>;
  /** Summaries already in memory, without I/O (undefined where not parsed yet). */
  peek(index: number): DeliverySummary | undefined;
  /** Parsed entries, for progress while a large journal is read. */
  readonly parsed: number;
  load(index: number): Promise<LoadedDelivery>;
  /** Indices in [from, to) whose headers or body contain the needle. */
  search(from: number, to: number, needle: Needle): Promise<number[]>;
  close(): Promise<void>;
}

/** A summary of a record read from a capture: status and forward from its outcome, when one was recorded. */
export function summaryOfRecord(record: DeliveryRecord, seq: number, source: string): DeliverySummary {
  return withOutcome(plainSummary(record, seq, source), record.outcome);
}

/** The row with what the outcome says: the listener's answer, and the forward that says most. */
export function withOutcome(summary: DeliverySummary, outcome: DeliveryOutcome | undefined): DeliverySummary {
  if (!outcome) return summary;
  const forward = worstForward(outcome.forwards);
  return {
    ...summary,
    ...(outcome.answer ? { status: outcome.answer.status } : {}),
    ...(forward ? { forward: { status: forward.status, ms: forward.ms, error: forward.error, attempts: forward.attempts ?? null, pending: forward.state === 'pending' } } : {}),
  };
}

/** The app's answers to forwards it did not take, as the detail view shows attempts. */
export function attemptsOfOutcome(outcome: DeliveryOutcome | undefined): AttemptView[] {
  return (outcome?.forwards ?? [])
    .filter((forward) => forward.state !== 'delivered' && forward.state !== 'pending')
    .map((forward) => ({ attempt: forward.attempts ?? 1, status: forward.status, error: forward.error, ms: forward.ms, snippet: forward.app ?? null, hint: forward.hint ?? null }));
}

function plainSummary(record: DeliveryRecord, seq: number, source: string): DeliverySummary {
  return {
    seq,
    id: record.id,
    time: record.capturedAt,
    method: record.method,
    path: record.path,
    scheme: record.scheme,
    eventType: record.eventType,
    eventId: record.eventId,
    verified: record.verified,
    reason: record.reason,
    duplicate: record.duplicate,
    status: null,
    fault: null,
    bytes: record.bytes,
    forward: null,
    source,
  };
}

/** A row for something unreadable: shown in place, with why. */
export function problemSummary(seq: number, source: string, problem: string): DeliverySummary {
  return {
    seq,
    id: '',
    time: '',
    method: '',
    path: '',
    scheme: null,
    eventType: null,
    eventId: null,
    verified: null,
    reason: null,
    duplicate: false,
    status: null,
    fault: null,
    bytes: 0,
    forward: null,
    source,
    problem,
  };
}

/** The URL a captured record was posted to: its listener URL joined with its path. */
export function urlOfRecord(record: DeliveryRecord): string | null {
  if (!record.receivedAt) return null;
  try {
    return new URL(record.path, record.receivedAt).toString();
  } catch {
    return null;
  }
}

export function arrivalOfRecord(record: DeliveryRecord): number | null {
  const ms = Date.parse(record.capturedAt);
  return Number.isNaN(ms) ? null : ms;
}
