/** `replay --pick` on a terminal shows what came of each capture: one the app refused is not a clean one. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { toOutcomeLine } from '../../src/records/outcome.js';
import { toJournalLine } from '../../src/records/record.js';
import { drive, hasPty } from '../helpers/pty.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { SECRET, githubRecord, removeTempDirs, tempDir } from './support.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  removeTempDirs();
});

describe.skipIf(!hasPty)('replay --pick and kept outcomes', () => {
  it('labels a capture the app refused with the app\'s status; a clean one stays clean', async () => {
    server = await startServer();
    const dir = tempDir();
    const refused = githubRecord('{"action":"opened","n":1}', { id: '20260115T100000000Z-000001', eventId: 'gh-refused', verified: true });
    const clean = githubRecord('{"action":"opened","n":2}', { id: '20260115T100000000Z-000002', eventId: 'gh-clean', verified: true });
    const lines = [
      toJournalLine(refused),
      toOutcomeLine(refused.id, { answer: { status: 400, ms: 16 }, forwards: [{ route: 'http://127.0.0.1:3000/', target: 'http://127.0.0.1:3000/', state: 'refused', status: 400, ms: 15, error: 'HTTP 400: bad signature', attempts: 1 }] }),
      toJournalLine(clean),
    ];
    writeFileSync(join(dir, 'deliveries.ndjson'), `${lines.join('\n')}\n`);
    const result = await drive([{ wait: 'Pick deliveries' }, { send: '\r' }, { wait: 'nothing picked' }], ['replay', dir, '--to', server.url, '--secret', SECRET, '--pick']);
    expect(result.failed, result.output).toBeNull();
    expect(result.output).toMatch(/✓ verified · ✗ app 400 .*deliveries\.ndjson:1/);
    expect(result.output).toMatch(/✓ verified {14}push .*deliveries\.ndjson:3/);
    expect(result.output).not.toMatch(/✗.*deliveries\.ndjson:3/);
  });
});
