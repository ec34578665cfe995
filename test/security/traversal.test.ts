/**
 * Event ids and types come from the sender, and with --capture-files they become part of a file
 * name. Whatever they hold (../, slashes, backslashes, NUL, control characters, thousands of
 * characters), every file stays directly inside the capture folder with a safe name, no two
 * deliveries share a file, and the record keeps the exact id as data.
 */
import { createHmac } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeliveryRecord } from '../../src/records/record.js';
import { runCli } from '../helpers/cli.js';
import { cleanup, expectStillServes, filesUnder, githubHeaders, onCleanup, post, SECRET, spawnListener, tempDir } from './support.js';

afterEach(cleanup);

const WHSEC = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

const HOSTILE = [
  '../../../../../../tmp/hookctl-pwned',
  '/etc/passwd',
  '..',
  '.',
  '....//....//x',
  '..\\..\\windows\\system32',
  'a\u0000b',
  `${'x'.repeat(5000)}/../../y`,
  'CON',
  '%2e%2e%2fetc',
  '\u2025/\u2025/unicode-dots',
  '\u202eexe.txt',
  '.hidden',
  '-rf',
  '$(touch pwned)',
  'line\nbreak',
  'a/b',
  'a_b',
];

/** Stripe carries the id and type in the JSON body: any string JSON can hold reaches us. */
function stripeDelivery(id: string, type: string): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify({ id, type, object: 'event' });
  const ts = Math.floor(Date.now() / 1000);
  return { body, headers: { 'content-type': 'application/json', 'stripe-signature': `t=${ts},v1=${createHmac('sha256', SECRET).update(`${ts}.${body}`).digest('hex')}` } };
}

function expectContained(root: string, dir: string, expected: number): DeliveryRecord[] {
  // Nothing new next to the capture folder, nothing in sub-folders of it.
  expect(readdirSync(root)).toEqual(['captured']);
  expect(existsSync('/tmp/hookctl-pwned')).toBe(false);
  const files = filesUnder(dir).filter((file) => !file.endsWith('.hookctl-ledger'));
  for (const file of files) {
    expect(dirname(file)).toBe(dir);
    const name = file.slice(dir.length + 1);
    expect(name).toMatch(/^[0-9TZ-]+(_[A-Za-z0-9._-]+)*\.json$/);
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(255);
  }
  expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  // One file per delivery: ids that reduce to the same slug ("a/b", "a_b") do not overwrite each other.
  expect(files).toHaveLength(expected);
  return files.map((file) => JSON.parse(readFileSync(file, 'utf8')) as DeliveryRecord);
}

describe('path traversal through ids and types (--capture-files)', () => {
  it('Stripe ids and types from the body, GitHub and Standard Webhooks ids from headers: every file stays in the folder', async () => {
    const root = tempDir();
    const dir = join(root, 'captured');
    mkdirSync(dir);
    const listener = await spawnListener(['--capture', dir, '--capture-files', '--secret', SECRET, '--secret', WHSEC]);
    let sent = 0;
    for (const [index, id] of HOSTILE.entries()) {
      const { body, headers } = stripeDelivery(id, HOSTILE[(index + 3) % HOSTILE.length]!);
      const answer = await post(listener.url, body, headers);
      expect(answer.status, `${JSON.stringify(id)}: ${answer.text}`).toBe(200);
      sent++;
    }
    // Headers cannot carry NUL or newlines (the HTTP parser refuses them), but slashes and dots they can.
    for (const id of HOSTILE.filter((text) => !/[\u0000-\u001f\u0080-\uffff]/.test(text))) {
      const body = `{"action":"${id.length > 100 ? 'long' : 'opened'}"}`;
      const answer = await post(listener.url, body, { ...githubHeaders(body, SECRET, id), 'x-github-event': id });
      expect(answer.status, id).toBe(200);
      sent++;
    }
    const ts = Math.floor(Date.now() / 1000);
    const body = '{"type":"../../../etc/cron.d/x"}';
    const key = Buffer.from(WHSEC.slice(6), 'base64');
    const id = '../../../../etc/cron.d/evil';
    const signature = createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64');
    expect((await post(listener.url, body, { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': `v1,${signature}` })).status).toBe(200);
    sent++;
    await expectStillServes(listener);
    sent++;
    const { code } = await listener.cli.stop('SIGINT');
    expect(code).toBe(0);

    const records = expectContained(root, dir, sent);
    // The exact ids survive as data, whatever the file is called.
    const ids = new Set(records.map((record) => record.eventId));
    for (const hostile of HOSTILE) expect(ids.has(hostile), JSON.stringify(hostile)).toBe(true);
    expect(ids.has(id)).toBe(true);
    // Ids with newlines and quotes never break the NDJSON on stdout: every line is one record.
    expect(listener.cli.records()).toHaveLength(listener.cli.stdoutLines.length);
    // Every delivery record on stdout points inside the folder too.
    for (const record of listener.cli.records().filter((r) => r.type === 'delivery')) {
      expect(dirname(String(record.capture))).toBe(dir);
    }
  });

  it('--id-header ids: the same containment, and the journal (default capture) has a fixed file name', async () => {
    const root = tempDir();
    const dir = join(root, 'captured');
    const files = await spawnListener(['--capture', dir, '--capture-files', '--id-header', 'x-id']);
    for (const id of HOSTILE.filter((text) => !/[\u0000-\u001f\u0080-\uffff]/.test(text))) {
      expect((await post(files.url, '{}', { 'x-id': id })).status).toBe(200);
    }
    await files.cli.stop('SIGINT');
    expectContained(root, dir, HOSTILE.filter((text) => !/[\u0000-\u001f\u0080-\uffff]/.test(text)).length);

    const journalRoot = tempDir();
    const journalDir = join(journalRoot, 'captured');
    const journal = await spawnListener(['--capture', journalDir, '--id-header', 'x-id']);
    expect((await post(journal.url, '{}', { 'x-id': '../../escape' })).status).toBe(200);
    await journal.cli.stop('SIGINT');
    expect(readdirSync(journalRoot)).toEqual(['captured']);
    expect(readdirSync(journalDir).sort()).toEqual(['.hookctl-ledger', 'deliveries.ndjson']);
  });
});

describe('captured paths cannot redirect a replay', () => {
  it('a fixture whose path looks like another host (//host, http://host, @host, \\host) is still replayed to --to', async () => {
    const dir = tempDir();
    const { startServer } = await import('../helpers/server.js');
    const target = await startServer((_req, res) => {
      res.end('ok');
    });
    onCleanup(() => target.close());
    const paths = ['//evil.example/x', 'http://evil.example/y', '@evil.example/z', '/\\evil.example/w', '/..%2f..%2fadmin', '/%0d%0aX-Injected:%201'];
    paths.forEach((path, index) => {
      writeFileSync(
        join(dir, `p${index}.json`),
        JSON.stringify({ format: 'hookctl.delivery.v1', id: `c${index}`, capturedAt: '2026-01-01T00:00:00.000Z', method: 'POST', path, headers: { 'x-github-delivery': `p-${index}` }, bodyEncoding: 'utf8', body: '{}', bytes: 2, scheme: 'github', eventId: `p-${index}`, eventType: null, verified: true, reason: null, duplicate: false }),
      );
    });
    const result = await runCli(['replay', dir, '--to', `${target.url}/base`, '--secret', SECRET, '--no-retry', '--json']);
    // Whatever happened to each, nothing went anywhere but the target.
    const replays = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>).filter((r) => r.type === 'replay');
    expect(replays).toHaveLength(paths.length);
    const ok = replays.filter((r) => r.ok === true).length;
    expect(target.requests).toHaveLength(ok);
    for (const request of target.requests) {
      expect(request.url === '/base' || request.url.startsWith('/base/'), request.url).toBe(true);
      expect(request.headers['x-injected']).toBeUndefined();
    }
    expect(ok).toBe(paths.length);
  });
});
