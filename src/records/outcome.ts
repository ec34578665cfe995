/**
 * What came of a delivery after it was recorded: the listener's answer and each forward's outcome.
 * The record is written before either is known, so the outcome follows it: in a journal as an
 * outcome line after the record, naming the record's capture id; in a fixture file, folded into
 * the record's `outcome` field. Readers fold outcome lines into their record (the last word about
 * each route wins); a journal without outcome lines (older, or nothing to say) still reads.
 *
 *   {"format":"hookctl.outcome.v1","of":"20261123T161724123Z-000042","at":"2026-11-23T16:17:24.140Z",
 *    "answer":{"status":400,"ms":16},
 *    "forwards":[{"route":"http://127.0.0.1:3000/","target":"http://127.0.0.1:3000/","state":"refused",
 *                 "status":400,"ms":15,"error":"HTTP 400: No signatures found…","attempts":1,"app":"No signatures found…"}]}
 *
 * A delivery answered 2xx with nothing forwarded gets no line: the record alone says it.
 */
import { isoTime } from './record.js';

export const OUTCOME_FORMAT = 'hookctl.outcome.v1';
/** Every outcome line starts like this (format, then `of`): readers tell it from a record by its first bytes. */
export const OUTCOME_LINE_START = `{"format":${JSON.stringify(OUTCOME_FORMAT)},"of":"`;

/**
 * delivered: the app took it (2xx); refused: the app answered, not 2xx; failed: no answer
 * (unreachable, timed out); pending: waiting for an attempt (--ack-first); dead: gave up (a dead
 * letter in the outbox).
 */
export type ForwardState = 'delivered' | 'refused' | 'failed' | 'pending' | 'dead';

export interface ForwardOutcome {
  /** The route's name (`FILTERS=URL`, or the --forward-to URL); null when there is one target. */
  route: string | null;
  /** The URL called, without a password. */
  target: string | null;
  state: ForwardState;
  status: number | null;
  ms: number;
  error: string | null;
  attempts?: number;
  /** The start of the app's answer when it did not take the delivery. */
  app?: string;
  /** When that answer looks like a failed signature check: the likely cause and the fix. */
  hint?: string;
}

export interface DeliveryOutcome {
  /** What the listener answered the sender; status null: the connection was dropped. */
  answer?: { status: number | null; ms: number; note?: string | null };
  forwards?: ForwardOutcome[];
}

export interface OutcomeLine extends DeliveryOutcome {
  format: typeof OUTCOME_FORMAT;
  /** The capture id of the record this is about. */
  of: string;
  at: string;
}

/** Longest app answer kept in an outcome (the rest is cut, with an ellipsis). */
export const APP_SNIPPET_CHARS = 2000;

export function snippetOf(text: string | undefined | null): string | undefined {
  if (!text) return undefined;
  return text.length > APP_SNIPPET_CHARS ? `${text.slice(0, APP_SNIPPET_CHARS)}…` : text;
}

export function toOutcomeLine(of: string, outcome: DeliveryOutcome, at: Date | number = Date.now()): string {
  // Key order matters: OUTCOME_LINE_START is how readers recognise the line. The bytes are those of
  // JSON.stringify({ format, of, at, ...outcome }), built without the spread (one line per forward).
  const head = `${OUTCOME_LINE_START}${JSON.stringify(of).slice(1)},"at":"${isoTime(typeof at === 'number' ? at : at.getTime())}"`;
  const rest = JSON.stringify(outcome);
  return rest === '{}' ? `${head}}` : `${head},${rest.slice(1)}`;
}

export function isOutcomeLineText(text: string): boolean {
  return text.startsWith(OUTCOME_LINE_START);
}

/** The outcome line in `text`, or undefined when it is not one (or is damaged). */
export function parseOutcomeLine(text: string): OutcomeLine | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  const line = value as Partial<OutcomeLine>;
  if (line.format !== OUTCOME_FORMAT || typeof line.of !== 'string') return undefined;
  const outcome = outcomeFrom(line);
  return outcome ? { format: OUTCOME_FORMAT, of: line.of, at: typeof line.at === 'string' ? line.at : '', ...outcome } : undefined;
}

const STATES = new Set<ForwardState>(['delivered', 'refused', 'failed', 'pending', 'dead']);
const numberOrNull = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const textOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** An outcome from parsed JSON (a fixture's field, a line), with anything malformed left out. */
export function outcomeFrom(value: unknown): DeliveryOutcome | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const raw = value as Record<string, unknown>;
  const outcome: DeliveryOutcome = {};
  const answer = raw.answer as Record<string, unknown> | undefined;
  if (answer && typeof answer === 'object') {
    outcome.answer = { status: numberOrNull(answer.status), ms: numberOrNull(answer.ms) ?? 0 };
    if (typeof answer.note === 'string') outcome.answer.note = answer.note;
  }
  if (Array.isArray(raw.forwards)) {
    const forwards: ForwardOutcome[] = [];
    for (const item of raw.forwards as unknown[]) {
      if (item === null || typeof item !== 'object') continue;
      const f = item as Record<string, unknown>;
      if (!STATES.has(f.state as ForwardState)) continue;
      const forward: ForwardOutcome = { route: textOrNull(f.route), target: textOrNull(f.target), state: f.state as ForwardState, status: numberOrNull(f.status), ms: numberOrNull(f.ms) ?? 0, error: textOrNull(f.error) };
      if (typeof f.attempts === 'number') forward.attempts = f.attempts;
      if (typeof f.app === 'string') forward.app = f.app;
      if (typeof f.hint === 'string') forward.hint = f.hint;
      forwards.push(forward);
    }
    outcome.forwards = forwards;
  }
  return outcome.answer || outcome.forwards ? outcome : undefined;
}

/** `next` folded into `into`: the newer answer wins, and each route's newer forward replaces its older one. */
export function foldOutcome(into: DeliveryOutcome | undefined, next: DeliveryOutcome): DeliveryOutcome {
  if (!into) return { ...(next.answer ? { answer: next.answer } : {}), ...(next.forwards ? { forwards: [...next.forwards] } : {}) };
  const folded: DeliveryOutcome = { ...into };
  if (next.answer) folded.answer = next.answer;
  if (next.forwards) {
    const forwards = [...(into.forwards ?? [])];
    for (const forward of next.forwards) {
      const at = forwards.findIndex((old) => old.route === forward.route);
      if (at >= 0) forwards[at] = forward;
      else forwards.push(forward);
    }
    folded.forwards = forwards;
  }
  return folded;
}

const isSuccess = (status: number | null | undefined) => status !== null && status !== undefined && status >= 200 && status < 300;

/** The forward that says most about how it went: a failure before a refusal before pending before delivered. */
export function worstForward(forwards: readonly ForwardOutcome[] | undefined): ForwardOutcome | undefined {
  if (!forwards || forwards.length === 0) return undefined;
  const rank: Record<ForwardState, number> = { dead: 0, failed: 1, refused: 2, pending: 3, delivered: 4 };
  return [...forwards].sort((a, b) => rank[a.state] - rank[b.state])[0];
}

/** The listener refused it, or the app did not take it: what "failed" means when looking back. */
export function outcomeFailed(outcome: DeliveryOutcome | undefined): boolean {
  if (!outcome) return false;
  if (outcome.answer && !isSuccess(outcome.answer.status)) return true;
  return (outcome.forwards ?? []).some((forward) => forward.state === 'refused' || forward.state === 'failed' || forward.state === 'dead');
}

/** The state of a forward from its status: 2xx delivered, another status refused, none failed. */
export function forwardStateOf(status: number | null, settled = true): ForwardState {
  if (isSuccess(status)) return 'delivered';
  if (!settled) return 'pending';
  return status === null ? 'failed' : 'refused';
}
