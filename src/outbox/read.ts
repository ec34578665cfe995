import { forEachLine } from '../capture/lines.js';
import { applyLine, emptyTotals, type ParsedOutbox } from './entry.js';

export interface ReadOutbox extends ParsedOutbox {
  bytes: number;
  /** NUL bytes found in the file (a crash on some file systems leaves runs of them): damage, counted. */
  nulBytes: number;
}

/**
 * Reads an outbox log line by line from the file (a missing file is an empty outbox), so a long
 * outage's millions of pending entries never have to fit in one string. Damaged lines are counted
 * (`skipped`, `nulBytes`); a torn last line is ignored.
 */
export async function readOutbox(path: string): Promise<ReadOutbox> {
  const parsed: ReadOutbox = { entries: new Map(), totals: emptyTotals(), deliveredAt: [], skipped: 0, tornTail: false, lines: 0, bytes: 0, nulBytes: 0 };
  const read = await forEachLine(path, (line, torn) => {
    for (let at = line.indexOf(0); at >= 0; at = line.indexOf(0, at + 1)) parsed.nulBytes++;
    if (torn) return;
    if (line.length === 0) return;
    parsed.lines++;
    let value: unknown;
    try {
      value = JSON.parse(line.toString('utf8'));
    } catch {
      parsed.skipped++;
      return;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value) || !applyLine(parsed, value as Record<string, unknown>)) parsed.skipped++;
  });
  parsed.tornTail = read.tornTail;
  parsed.bytes = read.bytes;
  return parsed;
}
