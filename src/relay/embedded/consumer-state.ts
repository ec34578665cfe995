/**
 * What one consumer (a subscriber, or a group) of a channel has of it, in memory: which entries are
 * settled, in flight, waiting for a retry, dead, or handed back. Pure: the embedded store persists
 * each change as a line (`StateLine`) and replays those lines at start, through the same methods.
 *
 * Settled entries are a floor (every seq up to it is settled) plus the few settled above it, so a
 * consumer that acknowledges in order costs a number, however many entries it has taken.
 */
export interface InFlight {
  member: string;
  sentAt: number;
  attempt: number;
}

export interface Retrying {
  attempt: number;
  dueAt: number;
  error: string;
}

export interface DeadLetter {
  attempts: number;
  error: string;
  deadAt: string;
}

/** One persisted change (a line of the channel's state log). Each is absolute, so replaying one twice changes nothing. */
export type StateLine =
  | { c: string; new: 1 }
  | { c: string; ack: number[] }
  | { c: string; fail: number; attempt: number; due: number; error: string }
  | { c: string; dead: number; attempts: number; error: string; at: string }
  | { c: string; requeue: number[] }
  | { c: string; floor: number; settled: number[] };

/** The seqs stored, in order: what the floor advances over. */
export interface SeqIndex {
  positionAfter(seq: number): number;
  rows: ReadonlyArray<{ seq: number }>;
  find(seq: number): unknown;
}

const NO_SEQS: ReadonlySet<number> = new Set();
const NOTHING: ReadonlyMap<never, never> = new Map<never, never>();

export class ConsumerState {
  /** Every seq up to this one is settled (acknowledged or dead). */
  floor = 0;
  /** The last seq handed out as new. */
  cursor = 0;
  lastSeenAt: number | null = null;
  // The collections are made on first write: an idle consumer (one per subscriber name, thousands
  // on a busy relay) costs a few numbers, not six hash tables.
  private settledSet?: Set<number>;
  private inFlightMap?: Map<number, InFlight>;
  private retryingMap?: Map<number, Retrying>;
  private deadMap?: Map<number, DeadLetter>;
  private returnedMap?: Map<number, number>;
  private membersMap?: Map<string, number>;

  /** Settled seqs above the floor. */
  get settled(): ReadonlySet<number> {
    return this.settledSet ?? NO_SEQS;
  }
  get inFlight(): ReadonlyMap<number, InFlight> {
    return this.inFlightMap ?? NOTHING;
  }
  get retrying(): ReadonlyMap<number, Retrying> {
    return this.retryingMap ?? NOTHING;
  }
  get dead(): ReadonlyMap<number, DeadLetter> {
    return this.deadMap ?? NOTHING;
  }
  /** Handed back (a member disconnected, or requeued): sent before anything new; seq → attempts made. */
  get returned(): ReadonlyMap<number, number> {
    return this.returnedMap ?? NOTHING;
  }
  /** Members reading now, with when each last asked. */
  get members(): ReadonlyMap<string, number> {
    return this.membersMap ?? NOTHING;
  }

  constructor(readonly name: string) {}

  /** Whether this consumer still owes an answer for the entry (so it is not new to it). */
  private known(seq: number): boolean {
    return seq <= this.floor || this.settled.has(seq) || this.inFlight.has(seq) || this.retrying.has(seq) || this.returned.has(seq);
  }

  private settle(seq: number, index: SeqIndex): void {
    this.inFlightMap?.delete(seq);
    this.retryingMap?.delete(seq);
    this.returnedMap?.delete(seq);
    if (seq > this.floor) (this.settledSet ??= new Set()).add(seq);
    let position = index.positionAfter(this.floor);
    for (let row = index.rows[position]; row && this.settled.has(row.seq); row = index.rows[++position]) {
      this.settledSet?.delete(row.seq);
      this.floor = row.seq;
    }
    if (this.cursor < this.floor) this.cursor = this.floor;
  }

  /** Applies one persisted change. */
  apply(line: StateLine, index: SeqIndex): void {
    if ('ack' in line) for (const seq of line.ack) this.settle(seq, index);
    else if ('fail' in line) {
      this.inFlightMap?.delete(line.fail);
      this.returnedMap?.delete(line.fail);
      this.settledSet?.delete(line.fail);
      (this.retryingMap ??= new Map()).set(line.fail, { attempt: line.attempt, dueAt: line.due, error: line.error });
    } else if ('dead' in line) {
      (this.deadMap ??= new Map()).set(line.dead, { attempts: line.attempts, error: line.error, deadAt: line.at });
      this.settle(line.dead, index);
    } else if ('requeue' in line) {
      for (const seq of line.requeue) {
        this.deadMap?.delete(seq);
        this.settledSet?.delete(seq);
        this.retryingMap?.delete(seq);
        (this.returnedMap ??= new Map()).set(seq, 0);
      }
    } else if ('floor' in line) {
      this.floor = Math.max(this.floor, line.floor);
      for (const seq of line.settled) if (seq > this.floor) (this.settledSet ??= new Set()).add(seq);
      if (this.cursor < this.floor) this.cursor = this.floor;
    }
  }

  /** The lines that rebuild this state (compaction). */
  snapshot(): StateLine[] {
    const lines: StateLine[] = [{ c: this.name, floor: this.floor, settled: [...this.settled] }];
    for (const [seq, retry] of this.retrying) lines.push({ c: this.name, fail: seq, attempt: retry.attempt, due: retry.dueAt, error: retry.error });
    for (const [seq, dead] of this.dead) lines.push({ c: this.name, dead: seq, attempts: dead.attempts, error: dead.error, at: dead.deadAt });
    const requeued = [...this.returned.keys()];
    if (requeued.length > 0) lines.push({ c: this.name, requeue: requeued });
    return lines;
  }

  /**
   * Up to `max` seqs for `member`, marked in flight: handed-back entries first, then due retries,
   * then entries sent but unsettled for longer than the ack timeout, then new ones.
   */
  take(member: string, max: number, nowMs: number, ackTimeoutMs: number, index: SeqIndex): Array<{ seq: number; attempt: number }> {
    (this.membersMap ??= new Map()).set(member, nowMs);
    this.lastSeenAt = nowMs;
    const out: Array<{ seq: number; attempt: number }> = [];
    const send = (seq: number, attempt: number) => {
      // Deleted first so the map stays in the order entries were sent: the ack-timeout scan below stops at the first recent one.
      this.inFlightMap?.delete(seq);
      (this.inFlightMap ??= new Map()).set(seq, { member, sentAt: nowMs, attempt });
      out.push({ seq, attempt });
    };
    for (const [seq, attempt] of this.returned) {
      if (out.length >= max) return out;
      this.returnedMap?.delete(seq);
      if (index.find(seq)) send(seq, attempt);
    }
    for (const [seq, retry] of this.retrying) {
      if (out.length >= max) return out;
      if (retry.dueAt > nowMs) continue;
      this.retryingMap?.delete(seq);
      if (index.find(seq)) send(seq, retry.attempt);
    }
    const sentBefore = out.length;
    for (const [seq, flight] of this.inFlight) {
      if (out.length >= max || nowMs - flight.sentAt < ackTimeoutMs) break;
      if (out.length > sentBefore && out[sentBefore]!.seq === seq) break; // came round to the ones re-sent just now
      if (index.find(seq)) send(seq, flight.attempt);
      else this.inFlightMap?.delete(seq);
    }
    for (let position = index.positionAfter(this.cursor); out.length < max && position < index.rows.length; position++) {
      const seq = index.rows[position]!.seq;
      this.cursor = seq;
      if (!this.known(seq)) send(seq, 0);
    }
    return out;
  }

  /** Puts this member's in-flight entries back, to be sent first. */
  release(member: string): number {
    let count = 0;
    for (const [seq, flight] of this.inFlight) {
      if (flight.member !== member) continue;
      this.inFlightMap?.delete(seq);
      (this.returnedMap ??= new Map()).set(seq, flight.attempt);
      count++;
    }
    this.membersMap?.delete(member);
    return count;
  }

  /** Entries not yet settled: what counts against the backlog cap. */
  unsettled(index: SeqIndex): number {
    // Requeued dead letters below the floor are unsettled again.
    return index.rows.length - index.positionAfter(this.floor) - this.settled.size + countAtOrBelow(this.returned, this.floor);
  }

  /** Entries this consumer has not been sent yet (new after its cursor, and handed back). */
  waiting(index: SeqIndex): number {
    // After a restart the cursor is back at the floor: what is settled (dead letters too) or retrying above it is not waiting.
    let accounted = 0;
    for (const seq of this.settled) if (seq > this.cursor) accounted++;
    for (const seq of this.retrying.keys()) if (seq > this.cursor) accounted++;
    return index.rows.length - index.positionAfter(this.cursor) - accounted + this.returned.size;
  }

  /** The next moment something of this consumer falls due (a retry, an ack timeout), after now. */
  nextDue(nowMs: number, ackTimeoutMs: number): number {
    let next = Infinity;
    for (const retry of this.retrying.values()) if (retry.dueAt > nowMs && retry.dueAt < next) next = retry.dueAt;
    for (const flight of this.inFlight.values()) {
      const due = flight.sentAt + ackTimeoutMs;
      if (due > nowMs && due < next) next = due;
    }
    return next;
  }

  /** Forgets entries retention dropped (every seq up to `seq`). */
  dropThrough(seq: number): void {
    for (const map of [this.inFlightMap, this.retryingMap, this.deadMap, this.returnedMap]) if (map) for (const key of map.keys()) if (key <= seq) map.delete(key);
    for (const key of this.settled) if (key <= seq) this.settledSet?.delete(key);
    if (this.floor < seq) this.floor = seq;
    if (this.cursor < seq) this.cursor = seq;
  }
}

function countAtOrBelow(map: ReadonlyMap<number, unknown>, seq: number): number {
  let count = 0;
  for (const key of map.keys()) if (key <= seq) count++;
  return count;
}
