import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sign as octokitSign } from '@octokit/webhooks-methods';
import { afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { isLoopbackHost, listenOptionsFrom } from '../../src/commands/listen/options.js';
import { CliProcess, runCli } from '../helpers/cli.js';
import { startServer } from '../helpers/server.js';
import { cleanup, onCleanup, post, tempDir } from './support.js';

afterEach(cleanup);

function spawnListen(args: string[], cwd?: string): CliProcess {
  const cli = new CliProcess(['listen', '--port', '0', ...args], cwd ? { cwd } : {});
  onCleanup(() => cli.stop('SIGKILL'));
  return cli;
}

const SECRET = 'cli-secret';

describe('hookctl listen (spawned CLI)', () => {
  it('--json: listening, one delivery record per request, and on SIGINT a summary and exit 0', async () => {
    const dir = tempDir();
    const cli = spawnListen(['--json', '--secret', SECRET, '--capture', join(dir, 'cap')]);
    const { url } = await cli.waitForRecord<{ url: string }>((r) => r.type === 'listening');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const body = '{"action":"opened"}';
    const headers = { 'x-hub-signature-256': await octokitSign(SECRET, body), 'x-github-event': 'issues', 'x-github-delivery': 'cli-1' };
    await post(url, body, headers);
    await post(url, body, headers);
    await post(url, `${body} `, headers);
    await cli.waitForRecord((r) => r.type === 'delivery' && r.status === 401);
    const { code } = await cli.stop('SIGINT');
    expect(code).toBe(0);
    const records = cli.records();
    // Nothing but NDJSON on stdout.
    expect(records).toHaveLength(cli.stdoutLines.length);
    const deliveries = records.filter((r) => r.type === 'delivery');
    expect(deliveries[0]).toMatchObject({
      eventId: 'cli-1',
      eventType: 'issues.opened',
      method: 'POST',
      path: '/',
      scheme: 'github',
      verified: true,
      reason: null,
      duplicate: false,
      status: 200,
      bytes: body.length,
      forward: null,
    });
    expect(String(deliveries[0]!.capture)).toMatch(/cap\/deliveries\.ndjson$/);
    expect(typeof deliveries[0]!.id).toBe('string');
    expect(deliveries[1]).toMatchObject({ duplicate: true, status: 200 });
    expect(deliveries[2]).toMatchObject({ verified: false, reason: 'signature_mismatch', status: 401 });
    expect(records.at(-1)).toEqual(expect.objectContaining({ type: 'summary', received: 3, verified: 2, rejected: 1, duplicates: 1, forwarded: 0 }));
    expect(cli.stderrLines.join('\n')).not.toContain(SECRET);
  });

  it('human output: one line per delivery with ✓/✗, duplicate marker and diagnosis; summary on Ctrl-C', async () => {
    const cli = spawnListen(['--no-capture', '--secret', SECRET]);
    const banner = await cli.waitForLine((line) => line.startsWith('listening on'));
    const url = banner.replace('listening on ', '').trim();
    const body = '{"a":1}';
    const headers = { 'x-hub-signature-256': await octokitSign(SECRET, body), 'x-github-event': 'push', 'x-github-delivery': 'h-1' };
    await post(url, body, headers);
    await post(url, body, headers);
    // Signed pretty-printed, sent compact: the diagnosis names the cause.
    await post(url, body, { ...headers, 'x-hub-signature-256': await octokitSign(SECRET, JSON.stringify(JSON.parse(body), null, 2)) });
    await cli.waitForLine((line) => line.includes('likely cause'));
    const { code } = await cli.stop('SIGINT');
    expect(code).toBe(0);
    const out = cli.stdoutLines.join('\n');
    expect(out).toMatch(/POST \/ {2}push {2}h-1 {2}✓ github {2}7 B {2}200/);
    expect(out).toMatch(/✓ github {2}duplicate/);
    expect(out).toMatch(/✗ signature_mismatch \[github\].*401/);
    expect(out).toMatch(/likely cause: the signature matches this JSON re-serialized pretty-printed/);
    expect(cli.stdoutLines.at(-1)).toBe('summary: 3 received, 2 verified, 1 rejected, 1 duplicate, 0 forwarded');
  });

  it('--verbose shows headers and the pretty-printed body; sender text cannot inject terminal escapes', async () => {
    const cli = spawnListen(['--no-capture', '--verbose']);
    const url = (await cli.waitForLine((line) => line.startsWith('listening on'))).replace('listening on ', '').trim();
    // Headers cannot carry control characters (HTTP refuses them), but JSON bodies can: ids and types come from there.
    const body = JSON.stringify({ id: 'evil\u001b[2J\u001b]0;pwned\u0007', type: 'demo.event', nested: { a: [1, 2] } });
    await post(url, body, { 'x-custom': 'shown' });
    await cli.waitForLine((line) => line.includes('"nested": {'));
    expect((await cli.stop()).code).toBe(0);
    const out = cli.stdoutLines.join('\n');
    // Labelled blocks, each indented under its label.
    expect(out).toMatch(/ {4}request headers\n(?: {6}.*\n)* {6}x-custom: shown/);
    expect(out).toMatch(/ {4}request body \(\d+ B\)/);
    expect(out).toContain('          "a": [\n            1,');
    expect(out).toMatch(/demo\.event {2}evil\?\[2J\?\]0;pwned\?/);
    expect(out).not.toContain('\u001b');
  });

  it('--ack-first: Ctrl-C waits for queued forwards to reach the app before the summary', async () => {
    let calls = 0;
    const app = await startServer((_req, res) => {
      calls++;
      res.statusCode = calls === 1 ? 503 : 200;
      res.end();
    });
    onCleanup(() => app.close());
    const cli = spawnListen(['--json', '--no-capture', '--forward-to', app.url, '--ack-first', '--forward-retry-schedule', '0,300ms']);
    const { url } = await cli.waitForRecord<{ url: string }>((r) => r.type === 'listening');
    expect((await post(url, '{"id":"queued-1"}')).status).toBe(200);
    await app.waitForRequests(1);
    // Stop while the retry is still waiting in the queue.
    const { code } = await cli.stop('SIGINT');
    expect(code).toBe(0);
    expect(app.requests).toHaveLength(2);
    const records = cli.records();
    expect(records.find((r) => r.type === 'forward')).toMatchObject({ eventId: 'queued-1', delivered: true, status: 200, attempts: 2 });
    expect(records.at(-1)).toMatchObject({ type: 'summary', forwarded: 1 });
  });

  it('--capture-files --durable from the CLI writes one fixture per delivery', async () => {
    const dir = tempDir();
    const cli = spawnListen(['--json', '--capture-files', '--durable', '--capture', dir, '--id-header', 'x-id']);
    const { url } = await cli.waitForRecord<{ url: string }>((r) => r.type === 'listening');
    await post(url, '{}', { 'x-id': 'file-1' });
    const record = await cli.waitForRecord<{ capture: string }>((r) => r.type === 'delivery');
    expect(record.capture).toMatch(/_file-1\.json$/);
    expect(readdirSync(dir).filter((name) => name.endsWith('.json'))).toHaveLength(1);
    expect((await cli.stop()).code).toBe(0);
  });

  it('an unwritable capture folder: exit 1 with one clear line, no stack', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'file'), '');
    const result = await runCli(['listen', '--port', '0', '--capture', join(dir, 'file', 'sub')]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^hookctl: --capture: cannot write to .*file\/sub/);
  });

  it('bad flag values are usage errors (exit 2) naming the flag', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--fail-rate', '2'], /--fail-rate/],
      [['--ack-first'], /--ack-first: only makes sense with --forward-to/],
      [['--status', '99'], /--status/],
      [['--max-body', 'lots'], /--max-body/],
      [['--path', 'hooks'], /--path: expected a path starting with \//],
      [['--no-capture', '--durable'], /--durable/],
      [['--forward-to', 'ftp://x'], /--forward-to/],
      [['--scheme', 'standard', '--secret', 'whsec_!!not-base64!!'], /--secret: not a usable Standard Webhooks key/],
      [['--keep-header', 'bad header'], /--keep-header/],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(['listen', '--port', '0', ...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('--queue, --route and --dedupe-window: parsed and checked in one place; with --queue local capture is off unless --capture was given', () => {
    const queue = 'redis://app:s3cret@127.0.0.1:6379/2?stream=orders';
    const base = { port: '0', capture: 'fixtures/captured' };
    const byDefault = listenOptionsFrom({ ...base, queue }, {}, () => 'default');
    expect(byDefault.captureDir).toBeUndefined();
    expect(byDefault.queue).toEqual({ url: queue });
    expect(listenOptionsFrom({ ...base, queue, capture: 'here' }, {}, (name) => (name === 'capture' ? 'cli' : 'default')).captureDir).toBe('here');
    expect(listenOptionsFrom({ ...base, queue, capture: 'here' }, {}, (name) => (name === 'capture' ? 'env' : 'default')).captureDir).toBe('here');
    expect(listenOptionsFrom({ ...base, queue, dedupeWindow: '48h', stream: 'other' }, {}, () => 'default')).toMatchObject({ dedupeWindowMs: 48 * 3_600_000, queue: { stream: 'other' } });
    const routed = listenOptionsFrom({ ...base, forwardTo: 'http://127.0.0.1:3000/all', route: ['invoice.*=http://127.0.0.1:3000/billing'], ackFirst: true }, {});
    expect(routed.forward).toMatchObject({ url: 'http://127.0.0.1:3000/all', ackFirst: true, routes: [{ name: 'invoice.*=http://127.0.0.1:3000/billing', types: ['invoice.*'] }] });
    expect(listenOptionsFrom({ ...base, route: ['path:/gh/*=http://127.0.0.1:4000'] }, {}).forward).toMatchObject({ routes: [{ keepPath: true, paths: ['/gh/*'] }] });
    expect(listenOptionsFrom({ ...base, route: ['path:/gh/*=http://127.0.0.1:4000'] }, {}).forward?.url).toBeUndefined();
    const refused: Array<[Record<string, unknown>, RegExp]> = [
      [{ queue, forwardTo: 'http://127.0.0.1:3000/' }, /^--forward-to: with --queue the workers forward \(hookctl worker 'redis:\/\/app@127\.0\.0\.1:6379\/2\?stream=orders' --redis-password-file FILE --forward-to/],
      [{ queue, route: ['x=http://127.0.0.1:1/'] }, /^--route: with --queue/],
      [{ queue, ackFirst: true }, /^--ack-first: with --queue/],
      [{ queue: 'http://127.0.0.1:6379' }, /^--queue: expected a redis:\/\/ or rediss:\/\/ URL/],
      [{ stream: 'x' }, /^--stream: only makes sense with --queue/],
      [{ queue, dedupeWindow: 'a week' }, /^--dedupe-window: expected a duration/],
      [{ queue, durable: true }, /^--durable: with --queue nothing is written locally/],
      [{ route: ['no-url'] }, /^--route: "no-url" is not FILTER=URL/],
      [{ route: ['a=http://127.0.0.1:1/', 'a=http://127.0.0.1:1/'] }, /^--route: .* is given twice/],
      [{ forwardSecret: 'x' }, /^--forward-secret: only makes sense with --forward-to URL or --route/],
    ];
    for (const [extra, message] of refused) {
      let error: unknown;
      try {
        listenOptionsFrom({ ...base, ...extra }, {}, () => 'default');
      } catch (caught) {
        error = caught;
      }
      expect(error, JSON.stringify(extra)).toBeInstanceOf(UserError);
      expect((error as UserError).message, JSON.stringify(extra)).toMatch(message);
      expect((error as UserError).message).not.toContain('s3cret');
    }
  });

  it('binding beyond loopback is warned about (checked without binding anything public)', () => {
    for (const host of ['127.0.0.1', '127.0.0.2', '::1', 'localhost', 'LOCALHOST']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'example.com', '127.0.0.1.example.com']) expect(isLoopbackHost(host), host).toBe(false);
  });

  it('flags come from HOOKCTL_* too: --keep-header as a comma-separated list', () => {
    const options = listenOptionsFrom({ port: '0', capture: false, keepHeader: 'Authorization, X-Api-Key' }, {});
    expect(options.keepHeaders).toEqual(['authorization', 'x-api-key']);
    expect(listenOptionsFrom({ port: '0', capture: false, keepHeader: ['Cookie'] }, {}).keepHeaders).toEqual(['cookie']);
  });

  it('a port in use is one clear line, exit 1', async () => {
    const other = await startServer();
    onCleanup(() => other.close());
    const result = await runCli(['listen', '--port', String(other.port), '--no-capture']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/--port: \d+ is already in use/);
  });
});

describe('--dedupe-window', () => {
  it('takes days and reaches the capture folder\'s ledger as well as Redis', () => {
    expect(listenOptionsFrom({ port: '0', dedupeWindow: '7d' }, {}).dedupeWindowMs).toBe(7 * 24 * 3600_000);
    expect(listenOptionsFrom({ port: '0', capture: false, dedupeWindow: '90m' }, {}).dedupeWindowMs).toBe(90 * 60_000);
    expect(() => listenOptionsFrom({ port: '0', dedupeWindow: '0s' }, {})).toThrow(/--dedupe-window: must be greater than 0/);
  });
});
