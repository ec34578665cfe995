/**
 * The prompts on a real terminal: `--to` asked when missing and `--pick` choosing with the
 * checkbox, driven through a pseudo-terminal (Python's pty module; skipped where there is none).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
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

describe.skipIf(!hasPty)('replay on a terminal', () => {
  it('asks for --to when it is missing, and --pick sends only the chosen fixtures', async () => {
    server = await startServer();
    const result = await drive(
      [
        { wait: 'Replay to which URL?' },
        { send: `\x15${server.url}/picked\r` },
        { wait: 'Pick deliveries to replay (3)' },
        { send: ' ' }, // the first: push
        { send: '\x1b[B' },
        { send: '\x1b[B' },
        { send: ' ' }, // the third: ping
        { send: '\r' },
        { wait: 'replayed' },
      ],
      ['replay', 'fixtures/github', '--secret', SECRET, '--pick'],
    );
    expect(result.failed, result.output).toBeNull();
    expect(result.code, result.output).toBe(0);
    expect(server.requests.map((request) => [request.url, request.headers['x-github-event']])).toEqual([
      ['/picked', 'push'],
      ['/picked', 'ping'],
    ]);
    expect(result.output).toMatch(/2 replayed: 2 ok/);
  });

  it('Ctrl-C at the URL prompt cancels: nothing sent, exit 130, no stack', async () => {
    const result = await drive([{ wait: 'Replay to which URL?' }, { send: '\x03' }, { wait: 'cancelled' }], ['replay', 'fixtures/github', '--secret', SECRET]);
    expect(result.failed, result.output).toBeNull();
    expect(result.code).toBe(130);
    expect(result.output).toMatch(/cancelled; nothing sent/);
    expect(result.output).not.toMatch(/unexpected error|\n\s+at /);
  });

  it('picking nothing sends nothing', async () => {
    server = await startServer();
    const result = await drive(
      [{ wait: 'Pick deliveries' }, { send: '\r' }, { wait: 'nothing picked' }],
      ['replay', 'fixtures/stripe', '--to', server.url, '--secret', SECRET, '--pick'],
    );
    expect(result.failed, result.output).toBeNull();
    expect(result.code).toBe(0);
    expect(server.requests).toHaveLength(0);
  });
  it('--pick without a secret fails before asking anything', async () => {
    const result = await drive([{ wait: 'hookctl:' }], ['replay', 'fixtures/github', '--pick']);
    expect(result.code, result.output).toBe(2);
    expect(result.output).toMatch(/hookctl: --secret: a secret is required to re-sign/);
    expect(result.output).not.toMatch(/Replay to which URL\?/);
  });

  it('--pick shows how each capture verified, its event type and when it was captured', async () => {
    const dir = tempDir();
    const lines = [
      githubRecord('{"n":1}', { capturedAt: '2026-01-15T10:00:01.000Z', eventType: 'push', verified: true }),
      githubRecord('{"n":2}', { capturedAt: '2026-01-15T10:00:02.000Z', eventType: 'issues.opened', verified: false, reason: 'signature_mismatch' }),
      githubRecord('{"n":3}', { capturedAt: '2026-01-15T10:00:03.000Z', eventType: 'ping', verified: null }),
    ];
    writeFileSync(join(dir, 'captured.ndjson'), `${lines.map(toJournalLine).join('\n')}\n`);
    server = await startServer();
    const result = await drive([{ wait: 'Pick deliveries' }, { send: '\r' }, { wait: 'nothing picked' }], ['replay', dir, '--to', server.url, '--secret', SECRET, '--pick']);
    expect(result.failed, result.output).toBeNull();
    // The verdict column is as wide as its widest label, so the types line up.
    expect(result.output).toMatch(/2026-01-15 10:00:01Z {2}✓ verified {12}push/);
    expect(result.output).toMatch(/2026-01-15 10:00:02Z {2}✗ signature_mismatch {2}issues\.opened/);
    expect(result.output).toMatch(/2026-01-15 10:00:03Z {2}· unchecked {11}ping/);
  });
});
