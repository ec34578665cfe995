import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { JOURNAL_FILE } from '../capture/index.js';
import { recordFrom } from '../records/reader.js';
import { RECORD_FORMAT, type DeliveryRecord } from '../records/record.js';

/** Every journal line starts like this (toJournalLine writes the format, then the capture id). */
const LINE_START = `{"format":${JSON.stringify(RECORD_FORMAT)},"id":"`;

/** Which delivery records to find: capture id → fixture file name (a capture in files) or undefined (the journal). */
export type Wanted = Map<string, string | undefined>;

/**
 * The delivery records of pending forwards, from the capture folder: fixture files by name, and
 * the journal in one pass that parses only the lines it needs (the capture id is read from each
 * line's start). Records that are not there (a journal removed by hand, a write a crash cut off)
 * are simply missing from the result.
 */
export async function findRecords(dir: string, wanted: Wanted): Promise<Map<string, DeliveryRecord>> {
  const found = new Map<string, DeliveryRecord>();
  const inJournal = new Set<string>();
  for (const [capture, file] of wanted) {
    if (file === undefined) {
      inJournal.add(capture);
      continue;
    }
    const record = await readFixture(join(dir, file), capture);
    if (record) found.set(capture, record);
  }
  if (inJournal.size > 0) await scanJournal(join(dir, JOURNAL_FILE), inJournal, found);
  return found;
}

async function readFixture(path: string, capture: string): Promise<DeliveryRecord | undefined> {
  try {
    const record = recordFrom(JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>, capture);
    return typeof record === 'string' || record.id !== capture ? undefined : record;
  } catch {
    return undefined;
  }
}

function captureIdOf(line: string): string | undefined {
  if (line.startsWith(LINE_START)) {
    const end = line.indexOf('"', LINE_START.length);
    return end < 0 ? undefined : line.slice(LINE_START.length, end);
  }
  // Written by something else: parse it to know.
  try {
    const id = (JSON.parse(line) as { id?: unknown }).id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

async function scanJournal(path: string, wanted: Set<string>, found: Map<string, DeliveryRecord>): Promise<void> {
  let lines;
  let left = wanted.size;
  try {
    lines = createInterface({ input: createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 }), crlfDelay: Infinity });
    for await (const line of lines) {
      const id = captureIdOf(line);
      if (id === undefined || !wanted.has(id) || found.has(id)) continue;
      try {
        const record = recordFrom(JSON.parse(line) as Record<string, unknown>, id);
        if (typeof record !== 'string') {
          found.set(id, record);
          left--;
        }
      } catch {
        // a torn line: the delivery was never acknowledged
      }
      if (left === 0) break;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  } finally {
    lines?.close();
  }
}
