/**
 * The capture is the log to trust: a delivery the outbox hand-on acknowledged is recorded with a
 * pending forward per route (`outcome.forwards`, state "pending", in the record itself), and each
 * forward's end follows it (an outcome line in the journal, folded into a fixture file). At start
 * the outbox is checked against it: a forward the capture says is still pending (or dead) and
 * the outbox does not know (an emptied file, NUL bytes, a torn last line) is recreated.
 */
import { open as openFile, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { forEachLine } from '../capture/lines.js';
import { JOURNAL_FILE } from '../capture/index.js';
import { RECORD_FORMAT } from '../records/record.js';
import { OUTCOME_LINE_START, outcomeFrom, parseOutcomeLine, type DeliveryOutcome, type ForwardOutcome } from '../records/outcome.js';

/** A route's forward as the capture has it last. */
export interface CapturedForward {
  capture: string;
  event: string | null;
  type: string | null;
  /** The idempotency key when it is not the event id. */
  key?: string;
  /** The fixture file's name (a capture in files). */
  file?: string;
  route: string;
  target: string;
  forward: ForwardOutcome;
}

const OUTCOME_START = Buffer.from(OUTCOME_LINE_START, 'utf8');
/** Only the record's own `outcome` field writes this unescaped (bodies and headers are JSON strings). */
const PENDING_MARK = Buffer.from('"outcome":{"forwards":[', 'utf8');

/** Every forward the capture marks as pending or dead, after folding what followed it. */
export async function forwardsInCapture(dir: string, files: boolean): Promise<CapturedForward[]> {
  return files ? forwardsInFiles(dir) : forwardsInJournal(join(dir, JOURNAL_FILE));
}

function unsettled(found: Map<string, CapturedForward>): CapturedForward[] {
  return [...found.values()].filter((item) => item.forward.state === 'pending' || item.forward.state === 'dead');
}

function marksOf(value: Record<string, unknown>, outcome: DeliveryOutcome | undefined, file?: string): CapturedForward[] {
  if (typeof value.id !== 'string' || !outcome?.forwards) return [];
  const event = typeof value.eventId === 'string' ? value.eventId : null;
  const key = typeof value.idempotencyKey === 'string' && value.idempotencyKey !== event ? value.idempotencyKey : undefined;
  return outcome.forwards
    .filter((forward) => forward.route !== null)
    .map((forward) => ({
      capture: value.id as string,
      event,
      type: typeof value.eventType === 'string' ? value.eventType : null,
      ...(key !== undefined ? { key } : {}),
      ...(file !== undefined ? { file } : {}),
      route: forward.route!,
      target: forward.target ?? forward.route!,
      forward,
    }));
}

const RECORD_START = Buffer.from(`{"format":${JSON.stringify(RECORD_FORMAT)},"id":"`, 'utf8');
/** The record's own keys after its headers and body (toRecord's order): the raw text cannot occur inside a JSON string. */
const TAIL_START = Buffer.from(',"scheme":', 'utf8');
const ROUTE_KEY = Buffer.from('{"route":', 'utf8');

/**
 * What reconciling needs of a record that marks pending forwards — its id, event id, type,
 * idempotency key and outcome — read from the line's two ends, never parsing or decoding its
 * headers and body (a journal of a long run is read at every start). A line written another
 * way is parsed whole.
 */
function recordTail(line: Buffer): Record<string, unknown> | undefined {
  const mark = line.lastIndexOf(PENDING_MARK);
  if (mark < 0) return undefined;
  try {
    const tail = line.lastIndexOf(TAIL_START, mark);
    if (tail < 0 || line.compare(RECORD_START, 0, RECORD_START.length, 0, RECORD_START.length) !== 0) return JSON.parse(line.toString('utf8')) as Record<string, unknown>;
    const idEnd = line.indexOf(0x22, RECORD_START.length);
    const value = JSON.parse(`{${line.toString('utf8', tail + 1)}`) as Record<string, unknown>;
    value.id = line.toString('utf8', RECORD_START.length, idEnd);
    return value;
  } catch {
    return undefined;
  }
}

/** A record marking pending forwards that nothing after it has settled yet. */
interface OpenMark {
  offset: number;
  length: number;
  /** How many routes the record marks pending. */
  routes: number;
  /** Routes whose forward an outcome line says was delivered. */
  delivered?: Set<string>;
  /** Routes whose forward gave up (a dead letter): their last outcome. */
  dead?: Map<string, ForwardOutcome>;
}

/**
 * One pass over the journal that keeps only what is still open: a record marking pending forwards
 * is remembered by its offset (nothing of it parsed but its id) until outcome lines settle its
 * routes; only the records left open at the end are read again and parsed (from their tail). So a
 * long run's journal, where nearly every forward was delivered, costs a scan and no parsing.
 */
async function forwardsInJournal(path: string): Promise<CapturedForward[]> {
  const open = new Map<string, OpenMark>();
  await forEachLine(path, (line, torn, offset) => {
    if (torn || line.length === 0) return;
    if (line.length >= OUTCOME_START.length && line.compare(OUTCOME_START, 0, OUTCOME_START.length, 0, OUTCOME_START.length) === 0) {
      const idEnd = line.indexOf(0x22, OUTCOME_START.length);
      if (idEnd < 0) return;
      const mark = open.get(line.toString('utf8', OUTCOME_START.length, idEnd));
      if (!mark) return;
      const outcome = parseOutcomeLine(line.toString('utf8'));
      for (const forward of outcome?.forwards ?? []) {
        if (forward.route === null) continue;
        if (forward.state === 'delivered') {
          (mark.delivered ??= new Set()).add(forward.route);
          mark.dead?.delete(forward.route);
        } else if (forward.state === 'dead') (mark.dead ??= new Map()).set(forward.route, forward);
      }
      // Every route delivered: nothing owed, forgotten at once (the journal of a long run is mostly these).
      if ((mark.delivered?.size ?? 0) >= mark.routes) open.delete(line.toString('utf8', OUTCOME_START.length, idEnd));
      return;
    }
    const markAt = line.length < RECORD_START.length ? -1 : line.lastIndexOf(PENDING_MARK);
    if (markAt < 0) return;
    const id = line.compare(RECORD_START, 0, RECORD_START.length, 0, RECORD_START.length) === 0 ? line.toString('utf8', RECORD_START.length, line.indexOf(0x22, RECORD_START.length)) : idOf(line);
    if (id === undefined) return;
    let routes = 0;
    for (let at = line.indexOf(ROUTE_KEY, markAt); at >= 0; at = line.indexOf(ROUTE_KEY, at + ROUTE_KEY.length)) routes++;
    open.set(id, { offset, length: line.length, routes });
  });
  if (open.size === 0) return [];
  const owed: CapturedForward[] = [];
  const handle = await openFile(path, 'r');
  try {
    for (const mark of open.values()) {
      const line = Buffer.allocUnsafe(mark.length);
      const { bytesRead } = await handle.read(line, 0, mark.length, mark.offset);
      const value = recordTail(line.subarray(0, bytesRead));
      if (!value) continue;
      for (const item of marksOf(value, outcomeFrom(value.outcome))) {
        if (mark.delivered?.has(item.route)) continue;
        const dead = mark.dead?.get(item.route);
        if (dead) item.forward = dead;
        owed.push(item);
      }
    }
  } finally {
    await handle.close();
  }
  return owed;
}

function idOf(line: Buffer): string | undefined {
  try {
    const id = (JSON.parse(line.toString('utf8')) as { id?: unknown }).id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

async function forwardsInFiles(dir: string): Promise<CapturedForward[]> {
  const found = new Map<string, CapturedForward>();
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  for (const name of names) {
    if (name.startsWith('.') || !name.endsWith('.json')) continue;
    let text: string;
    try {
      text = await readFile(join(dir, name), 'utf8');
    } catch {
      continue;
    }
    if (!text.includes('"forwards": [') && !text.includes('"forwards":[')) continue;
    try {
      const value = JSON.parse(text) as Record<string, unknown>;
      for (const mark of marksOf(value, outcomeFrom(value.outcome), name)) found.set(`${mark.capture}\n${mark.route}`, mark);
    } catch {
      // Not a fixture this listener wrote whole; replay reports it.
    }
  }
  return unsettled(found);
}
