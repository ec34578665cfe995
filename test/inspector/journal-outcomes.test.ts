/** The journal index tells outcome lines from records by their first bytes, wherever a read chunk cuts them. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { JournalIndex } from '../../src/inspector/journal-index.js';
import { toOutcomeLine } from '../../src/records/outcome.js';
import { toJournalLine } from '../../src/records/record.js';
import { cleanup, signedRecord, tempDir } from './support.js';

afterEach(cleanup);

it('every record is a row and every outcome is folded into its id, across 1 MB read chunks and lines longer than one', async () => {
  const dir = tempDir();
  const lines: string[] = [];
  const ids: string[] = [];
  // Sizes chosen so that line starts fall at every distance from a chunk's end, and some lines outgrow a chunk.
  for (let i = 0; i < 120; i++) {
    const record = { ...signedRecord({ eventType: `t.${i}` }), id: `id-${i}` };
    record.body = 'x'.repeat(i % 17 === 0 ? 1_300_000 : 7_000 + i * 997);
    record.bytes = record.body.length;
    ids.push(record.id);
    lines.push(toJournalLine(record));
    lines.push(toOutcomeLine(record.id, { answer: { status: 400 + (i % 3), ms: i }, forwards: [{ route: null, target: null, state: 'refused', status: 400, ms: 1, error: null, app: 'y'.repeat(i % 5 === 0 ? 1_100_000 : 10) }] }));
  }
  const path = join(dir, 'deliveries.ndjson');
  writeFileSync(path, `${lines.join('\n')}\n`);
  const index = new JournalIndex(path);
  try {
    await index.scan();
    expect(index.size).toBe(120);
    expect(index.outcomes.size).toBe(120);
    for (let i = 0; i < 120; i++) expect(index.outcomes.get(ids[i]!)?.answer?.status).toBe(400 + (i % 3));
    const first = JSON.parse((await index.readLines(0, 1))[0]!.toString('utf8'));
    expect(first.id).toBe('id-0');
    const last = JSON.parse((await index.readLines(119, 120))[0]!.toString('utf8'));
    expect(last.id).toBe('id-119');
  } finally {
    await index.close();
  }
});
