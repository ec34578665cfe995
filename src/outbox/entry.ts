/**
 * The outbox's lines. The outbox is an append-only log (`.hookctl-outbox` in the capture folder, a
 * dotfile so replay never takes it for a fixture) of forward states, one JSON object per line,
 * keyed by an entry id; the last line about an entry wins. The bytes of the delivery stay in the
 * capture (the journal, or a fixture file): an entry names its capture id.
 *
 *   a new forward (one per route the delivery matched), and every entry in a compacted log:
 *     {"id":"1712345678901-0","capture":"20260401T101112123Z-000042","event":"evt_1","type":"invoice.paid",
 *      "route":"invoice.*=http://127.0.0.1:3000/billing","target":"http://127.0.0.1:3000/billing",
 *      "state":"pending","attempts":0,"due":1712345678901,"at":1712345678901}
 *     (plus "file" for a capture in fixture files, "key" when the idempotency key is not the event
 *      id, "secret" for which --secret verified it, "status"/"error"/"reason" once tried)
 *   a change of one entry: {"id":"…","state":"pending","attempts":2,"due":…,"status":503,"error":"HTTP 503","at":…}
 *   entries delivered, many to a line (written shortly after, with the next entries or at most
 *     SETTLED_FLUSH_MS later): {"delivered":["1712345678901-0","1712345678901-1"],"at":…}
 *   the running totals, first in a compacted log: {"totals":{"delivered":N,"retried":N,"dead":N},"at":…}
 *
 * States: pending (waiting for its next attempt, at `due`), delivered, dead (gave up: a dead
 * letter, kept until requeued), cancelled (never acknowledged: the delivery could not be stored).
 * Delivered and cancelled entries are dropped when the log is compacted.
 */

export const OUTBOX_FILE = '.hookctl-outbox';

export type OutboxState = 'pending' | 'delivered' | 'dead' | 'cancelled';
export type DeadReason = 'exhausted' | 'refused' | 'lost';

export interface OutboxEntry {
  id: string;
  /** Capture id of the delivery record: where its bytes are. */
  capture: string;
  /** The fixture file's name, for a capture in files (--capture-files). */
  file?: string;
  event: string | null;
  type: string | null;
  /** The idempotency key, when it is not the event id (a body hash): the ledger knows it by this. */
  key?: string;
  /** Which of the listener's secrets verified it (a URL-bound scheme is re-signed with it). */
  secret?: number;
  /** The route's name (`FILTERS=URL`, or the --forward-to URL) and its URL. */
  route: string;
  target: string;
  state: OutboxState;
  /** Attempts made so far. */
  attempts: number;
  /** When the next attempt is due (pending), Unix ms. */
  due: number;
  /** The last attempt's status, or null (no answer). */
  status?: number | null;
  error?: string | null;
  reason?: DeadReason;
  /** When the entry was last changed, Unix ms. */
  at: number;
}

export type OutboxChange = Partial<Pick<OutboxEntry, 'state' | 'attempts' | 'due' | 'status' | 'error' | 'reason'>> & { at?: number };

export interface OutboxTotals {
  delivered: number;
  retried: number;
  dead: number;
}

/** Where an entry stands after its lines so far: live entries (pending and dead) and what was counted. */
export interface OutboxView {
  entries: Map<string, OutboxEntry>;
  totals: OutboxTotals;
  /** Deliveries per second: times of the deliveries seen (Unix ms), newest last. */
  deliveredAt: number[];
}

export function emptyTotals(): OutboxTotals {
  return { delivered: 0, retried: 0, dead: 0 };
}

export function isLive(entry: OutboxEntry): boolean {
  return entry.state === 'pending' || entry.state === 'dead';
}

/**
 * Applies one line's change to the entries. Totals count transitions only, so a line applied twice
 * (a change written just after a compaction already took it in) is counted once.
 */
export function applyLine(state: OutboxView, line: Record<string, unknown>): boolean {
  if (line.totals !== undefined) {
    const totals = line.totals as Partial<OutboxTotals>;
    state.totals = { delivered: Number(totals.delivered) || 0, retried: Number(totals.retried) || 0, dead: Number(totals.dead) || 0 };
    return true;
  }
  if (Array.isArray(line.delivered)) {
    const at = typeof line.at === 'number' ? line.at : Date.now();
    for (const id of line.delivered) if (typeof id === 'string') markDelivered(state, id, at);
    return true;
  }
  const id = line.id;
  if (typeof id !== 'string') return false;
  const existing = state.entries.get(id);
  if (typeof line.capture === 'string' && typeof line.route === 'string') {
    // A whole entry: new, or in a compacted log (already in its totals).
    const entry = line as unknown as OutboxEntry;
    if (typeof entry.state !== 'string' || typeof entry.attempts !== 'number') return false;
    if (isLive(entry)) state.entries.set(id, entry);
    else state.entries.delete(id);
    return true;
  }
  // A change to an entry a compaction already dropped (delivered, cancelled): nothing to do.
  if (!existing) return true;
  // Only changes of a known entry count, and only transitions: a line applied twice counts once.
  const nextState = line.state ?? existing.state;
  const attempts = typeof line.attempts === 'number' ? line.attempts : existing.attempts;
  if (nextState === 'delivered' && existing.state !== 'delivered') {
    state.totals.delivered++;
    state.deliveredAt.push(typeof line.at === 'number' ? line.at : existing.at);
  }
  if (nextState === 'dead' && existing.state !== 'dead') state.totals.dead++;
  if (nextState === 'pending' && attempts > existing.attempts) state.totals.retried++;
  // The listener's own lines (its entries are never shared): changed in place, no copy per change.
  Object.assign(existing, line);
  if (!isLive(existing)) state.entries.delete(id);
  return true;
}

/** An entry was delivered: counted once, and dropped (delivered entries are not live). */
export function markDelivered(state: OutboxView, id: string, at: number): void {
  const existing = state.entries.get(id);
  // Unknown: a compaction already dropped it, or its delivery was written before (a line applied twice).
  if (!existing) return;
  state.totals.delivered++;
  state.deliveredAt.push(at);
  state.entries.delete(id);
}

export interface ParsedOutbox extends OutboxView {
  /** Lines that were not outbox lines (damage). */
  skipped: number;
  /** A last line without its newline: a crash mid-write. Ignored. */
  tornTail: boolean;
  lines: number;
}

/** Reads a whole outbox log. */
export function parseOutbox(text: string): ParsedOutbox {
  const parsed: ParsedOutbox = { entries: new Map(), totals: emptyTotals(), deliveredAt: [], skipped: 0, tornTail: false, lines: 0 };
  const lines = text.split('\n');
  const tail = lines.pop();
  if (tail) parsed.tornTail = true;
  for (const line of lines) {
    if (line === '') continue;
    parsed.lines++;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      parsed.skipped++;
      continue;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value) || !applyLine(parsed, value as Record<string, unknown>)) parsed.skipped++;
  }
  return parsed;
}

/** Entry ids look like stream ids, `<unix ms>-<n>`, so `hookctl queue requeue` takes the same ids for both engines. */
export const ENTRY_ID = /^\d+-\d+$/;
