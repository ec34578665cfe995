/**
 * The capture is the log to trust: a delivery the outbox hand-on acknowledged is recorded with a
 * pending forward per route (`outcome.forwards`, state "pending", in the record itself), and each
 * forward's end follows it (an outcome line in the journal, folded into a fixture file). At start
 * the outbox is checked against it: a forward the capture says is still pending (or dead) and
 * the outbox does not know (an emptied file, NUL bytes, a torn last line) is recreated.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { forEachLine } from '../capture/lines.js';
import { JOURNAL_FILE } from '../capture/index.js';
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

async function forwardsInJournal(path: string): Promise<CapturedForward[]> {
  const found = new Map<string, CapturedForward>();
  await forEachLine(path, (line, torn) => {
    if (torn || line.length === 0) return;
    if (line.length >= OUTCOME_START.length && line.compare(OUTCOME_START, 0, OUTCOME_START.length, 0, OUTCOME_START.length) === 0) {
      const outcome = parseOutcomeLine(line.toString('utf8'));
      for (const forward of outcome?.forwards ?? []) {
        const known = found.get(`${outcome!.of}\n${forward.route}`);
        if (known) known.forward = forward;
      }
      return;
    }
    if (line.indexOf(PENDING_MARK) < 0) return;
    let value: Record<string, unknown>;
    try {
      value = JSON.parse(line.toString('utf8')) as Record<string, unknown>;
    } catch {
      return;
    }
    for (const mark of marksOf(value, outcomeFrom(value.outcome))) found.set(`${mark.capture}\n${mark.route}`, mark);
  });
  return unsettled(found);
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
