/**
 * What a stream entry holds. A delivery the listener accepted is one field, `record`: the journal
 * line, byte for byte the format `listen --capture` writes (src/records/record.ts), so whatever
 * reads captures reads queues. A retry that came due, or a dead letter put back, carries the same
 * line plus its route's state:
 *
 *   record   the delivery record as one JSON line (always)
 *   route    the route this entry is for (absent: every route whose filter matches)
 *   attempt  forward attempts already made on that route (absent: 0)
 *   error    the last attempt's error or status
 *   origin   the entry id the delivery first arrived as (absent: this entry)
 */
import { recordFrom } from '../records/reader.js';
import { toJournalLine, type DeliveryRecord } from '../records/record.js';

export const FIELD = { record: 'record', route: 'route', attempt: 'attempt', error: 'error', origin: 'origin' } as const;

export interface QueueJob {
  entryId: string;
  /** The entry id the delivery first arrived as: the same across its retries. */
  origin: string;
  record: DeliveryRecord;
  /** The `record` field as stored: retries carry it on unchanged. */
  line: string;
  route: string | null;
  /** Attempts already made on `route`. */
  attempt: number;
  lastError: string | null;
  /** The entry's fields as stored, for a dead letter. */
  fields: string[];
}

export type DecodedEntry = { ok: true; job: QueueJob } | { ok: false; entryId: string; reason: string; fields: string[] };

/** The fields of a new delivery's entry. */
export function deliveryFields(record: DeliveryRecord): string[] {
  return [FIELD.record, toJournalLine(record)];
}

/** The fields of a job for one route after `attempt` attempts (a retry, or a requeued dead letter with attempt 0). */
export function jobFields(job: Pick<QueueJob, 'line' | 'origin'>, route: string, attempt: number, error: string | null): string[] {
  const fields = [FIELD.record, job.line, FIELD.route, route, FIELD.attempt, String(attempt), FIELD.origin, job.origin];
  if (error !== null) fields.push(FIELD.error, error);
  return fields;
}

/** Redis hands entries as [id, [field, value, …]]; a damaged or foreign entry may hold anything. */
export function fieldMap(fields: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i]!, fields[i + 1]!);
  return map;
}

/** A stream entry as a job, or the reason it cannot be one (it becomes a dead letter with that reason). */
export function decodeEntry(entryId: string, rawFields: unknown): DecodedEntry {
  const fields = Array.isArray(rawFields) ? rawFields.map((value) => String(value)) : [];
  const fail = (reason: string): DecodedEntry => ({ ok: false, entryId, reason, fields });
  if (!Array.isArray(rawFields) || fields.length % 2 !== 0) return fail('its fields are not name/value pairs');
  const map = fieldMap(fields);
  const line = map.get(FIELD.record);
  if (line === undefined) return fail(`no "${FIELD.record}" field (fields: ${[...map.keys()].slice(0, 5).join(', ') || 'none'})`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (error) {
    return fail(`"${FIELD.record}" is not JSON (${(error as Error).message})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return fail(`"${FIELD.record}" is not a delivery record`);
  const record = recordFrom(parsed as Record<string, unknown>, entryId);
  if (typeof record === 'string') return fail(record);
  const attemptText = map.get(FIELD.attempt) ?? '0';
  if (!/^\d{1,6}$/.test(attemptText)) return fail(`"${FIELD.attempt}" is not a count: ${JSON.stringify(attemptText.slice(0, 40))}`);
  return {
    ok: true,
    job: {
      entryId,
      origin: map.get(FIELD.origin) ?? entryId,
      record,
      line,
      route: map.get(FIELD.route) ?? null,
      attempt: Number(attemptText),
      lastError: map.get(FIELD.error) ?? null,
      fields,
    },
  };
}

/** Stream ids are `<unix ms>-<seq>`: the time an entry was added. */
export function entryTime(entryId: string): number {
  return Number(entryId.split('-')[0]);
}
