import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { toFixtureFile, toJournalLine } from '../../src/records/record.js';
import { CliProcess, runCli } from '../helpers/cli.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { SECRET, githubRecord as record, records, removeTempDirs, tempDir } from './support.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let server: TestServer | undefined;
let listener: CliProcess | undefined;
afterEach(async () => {
  await listener?.stop();
  listener = undefined;
  await server?.close();
  server = undefined;
  removeTempDirs();
});

function noStack(text: string): void {
  expect(text).not.toMatch(/\n\s+at /);
  expect(text).not.toMatch(/unexpected error/);
}

describe('replay: bad input', () => {
  it('one corrupt file is reported with its name and the rest still replay; exit 1', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a-good.json'), toFixtureFile(record('{"n":1}', { capturedAt: '2026-01-15T10:00:01.000Z' })));
    writeFileSync(join(dir, 'b-corrupt.json'), '{"format": "hookctl.delivery.v1", "body": ');
    writeFileSync(join(dir, 'c-good.json'), toFixtureFile(record('{"n":2}', { capturedAt: '2026-01-15T10:00:02.000Z' })));
    writeFileSync(join(dir, 'journal.ndjson'), `${toJournalLine(record('{"n":3}', { capturedAt: '2026-01-15T10:00:03.000Z' }))}\n{"torn": `);
    server = await startServer();
    const result = await runCli(['replay', dir, '--to', server.url, '--secret', SECRET]);
    noStack(result.stderr);
    expect(result.code).toBe(1);
    expect(server.requests.map((request) => request.body.toString())).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
    expect(result.stdout).toMatch(/✗ .*b-corrupt\.json .*not valid JSON: Unexpected end of JSON input/);
    expect(result.stdout).toMatch(/✗ .*journal\.ndjson:2 .*torn last line/);
    expect(result.stdout).toMatch(/✓ .*a-good\.json {2}push {2}200 {2}\d+ms/);
    expect(result.stdout.trim().split('\n').at(-1)).toBe('5 replayed: 3 ok, 2 failed');

    const json = await runCli(['replay', dir, '--to', server.url, '--secret', SECRET, '--json']);
    expect(json.code).toBe(1);
    const out = records(json.stdout);
    expect(out).toContainEqual(expect.objectContaining({ type: 'replay', file: expect.stringMatching(/b-corrupt\.json$/), status: null, ok: false, error: expect.stringMatching(/not valid JSON/) }));
    expect(out.at(-1)).toEqual({ type: 'summary', total: 5, ok: 3, failed: 2 });
  });

  it('a path that does not exist is a usage error naming it; nothing is sent', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'good.json'), toFixtureFile(record('{}')));
    server = await startServer();
    const result = await runCli(['replay', join(dir, 'good.json'), join(dir, 'nope'), '--to', server.url, '--secret', SECRET]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(`hookctl: ${join(dir, 'nope')}: no such file or folder`);
    expect(server.requests).toHaveLength(0);
  });

  it('an empty folder says so (exit 1); without a PATH and no ./fixtures/ it asks for one (exit 2)', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'empty'));
    const empty = await runCli(['replay', 'empty', '--to', 'http://127.0.0.1:9/', '--secret', SECRET], { cwd: dir });
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/empty: the folder holds no fixtures \(\.json\) or journals \(\.ndjson\)/);
    expect(empty.stderr).toMatch(/hookctl: nothing to replay: empty holds no fixtures/);
    const none = await runCli(['replay', '--to', 'http://127.0.0.1:9/', '--secret', SECRET], { cwd: dir });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no PATH given and \.\/fixtures\/ does not exist here/);
  });

  it('a body too big for the target: the 413 is explained, the other fixture still goes through, the listener keeps serving', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, '1-big.json'), toFixtureFile(record(`{"pad":"${'x'.repeat(5000)}"}`, { capturedAt: '2026-01-15T10:00:01.000Z', eventType: 'push' })));
    writeFileSync(join(dir, '2-small.json'), toFixtureFile(record('{"small":true}', { capturedAt: '2026-01-15T10:00:02.000Z' })));
    listener = new CliProcess(['listen', '--port', '0', '--max-body', '1kb', '--secret', SECRET, '--no-capture', '--json']);
    const { url } = await listener.waitForRecord<{ url: string }>((item) => item.type === 'listening');
    const result = await runCli(['replay', dir, '--to', url, '--secret', SECRET]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/✗ .*1-big\.json {2}push {2}413 .*the target refused the 4\.9 KiB body as too large \(413\); raise its body limit/);
    expect(result.stdout).toMatch(/✓ .*2-small\.json .*200/);
    // 413 is final: one attempt, no retries against the same limit.
    expect(result.stdout).not.toMatch(/attempts/);
    await listener.waitForRecord((item) => item.type === 'delivery' && item.verified === true);
  });

  it('clear usage errors: no --to and no TTY, --pick without a TTY, no secret, bad flag values', async () => {
    const fixture = join(ROOT, 'fixtures/github/ping.json');
    const cases: Array<[string[], RegExp]> = [
      [['replay', fixture, '--secret', SECRET], /^hookctl: --to: the URL to replay to is required/],
      [['replay', fixture, '--to', 'http://127.0.0.1:9/', '--secret', SECRET, '--pick'], /^hookctl: --pick: choosing fixtures needs an interactive terminal/],
      [['replay', fixture, '--to', 'http://127.0.0.1:9/'], /^hookctl: --secret: a secret is required to re-sign .*--as-is/],
      [['replay', fixture, '--to', 'not a url', '--secret', SECRET], /^hookctl: --to: "not a url" is not a valid URL/],
      [['replay', fixture, '--to', 'http://127.0.0.1:9/', '--secret', SECRET, '--concurrency', '0'], /^hookctl: --concurrency/],
      [['replay', fixture, '--to', 'http://127.0.0.1:9/', '--secret', SECRET, '--since', 'yesterday-ish'], /^hookctl: --since: expected an ISO time/],
      [['replay', fixture, '--to', 'http://127.0.0.1:9/', '--as-is', '--new-ids'], /^hookctl: --as-is and --new-ids/],
      [['replay', fixture, '--to', 'http://127.0.0.1:9/', '--secret', SECRET, '--out', 'x.json'], /^hookctl: --out: only with --extract/],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(args);
      expect([result.code, result.stderr], args.join(' ')).toEqual([2, expect.stringMatching(message)]);
      expect(result.stdout, args.join(' ')).toBe('');
    }
  });

  it('a bare body needs a scheme to be re-signed: reported per file, and --scheme makes it go', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'event.json'), '{"id":"evt_bare","type":"invoice.paid"}');
    server = await startServer();
    const without = await runCli(['replay', dir, '--to', server.url, '--secret', SECRET]);
    expect(without.code).toBe(1);
    expect(without.stdout).toMatch(/✗ .*event\.json {2}invoice\.paid {2}a bare body has no scheme to re-sign with: pass --scheme/);
    expect(server.requests).toHaveLength(0);
    const withScheme = await runCli(['replay', dir, '--to', server.url, '--secret', SECRET, '--scheme', 'stripe', '--json']);
    expect(withScheme.code).toBe(0);
    expect(server.requests[0]!.body.toString()).toBe('{"id":"evt_bare","type":"invoice.paid"}');
    expect(server.requests[0]!.headers['stripe-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(records(withScheme.stdout)[0]).toMatchObject({ eventId: 'evt_bare', eventType: 'invoice.paid', ok: true });
  });

  it('the default PATH is ./fixtures/', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'fixtures', 'stripe'), { recursive: true });
    copyFileSync(join(ROOT, 'fixtures/stripe/invoice.payment_failed.json'), join(dir, 'fixtures', 'stripe', 'x.json'));
    server = await startServer();
    const result = await runCli(['replay', '--to', server.url, '--secret', SECRET], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/✓ fixtures\/stripe\/x\.json {2}invoice\.payment_failed {2}200/);
  });
});
