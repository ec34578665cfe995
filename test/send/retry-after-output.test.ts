/**
 * A receiver asking for a day (503 + Retry-After: 86400) is retried after --max-retry-after, and
 * the output says so, so a person knows why the wait was shorter than asked (or why it is ten
 * minutes, not a day): send's line, its --json attempt record, replay's note and its record.
 */
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startServer, type ReceivedRequest, type TestServer } from '../helpers/server.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** 503 + Retry-After: 86400 to the first request, 200 after. */
async function asksForADay(): Promise<TestServer> {
  let seen = 0;
  server = await startServer((_req: ReceivedRequest, res: ServerResponse) => {
    if (++seen === 1) res.writeHead(503, { 'retry-after': '86400' }).end('{"error":"down for maintenance"}');
    else res.end('ok');
  });
  return server;
}

const SIGNING = ['--scheme', 'github', '--secret', 's3cret', '--retry-schedule', '0,10ms', '--max-retry-after', '300ms'];

describe('Retry-After cut by --max-retry-after, in the output', () => {
  it('send: the attempt line names the ask and the cap', async () => {
    const target = await asksForADay();
    const result = await runCli(['send', target.url, '--data', '{"a":1}', ...SIGNING]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('attempt 1: 503 Service Unavailable');
    expect(result.stdout).toContain('retrying in 300ms (Retry-After 24h, capped at 300ms (--max-retry-after))');
  });

  it('send --json: the attempt record carries retryAfterCappedMs beside retryAfterMs', async () => {
    const target = await asksForADay();
    const result = await runCli(['send', target.url, '--data', '{"a":1}', ...SIGNING, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const [first, second] = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(first).toMatchObject({ type: 'attempt', attempt: 1, status: 503, retryAfterMs: 86_400_000, retryAfterCappedMs: 300, nextDelayMs: 300, willRetry: true });
    expect(second).toMatchObject({ type: 'attempt', attempt: 2, status: 200 });
    expect(second).not.toHaveProperty('retryAfterCappedMs');
  });

  it('--max-retry-after 0: the ask is said to be ignored', async () => {
    const target = await asksForADay();
    const result = await runCli(['send', target.url, '--data', '{"a":1}', ...SIGNING, '--max-retry-after', '0']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('retrying in 10ms (Retry-After 24h, ignored (--max-retry-after 0))');
  });

  it('replay: a note when it happens, and the replay record carries both', async () => {
    const target = await asksForADay();
    const human = await runCli(['replay', 'fixtures/github/push.json', '--to', target.url, ...SIGNING]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stderr).toContain('fixtures/github/push.json: 503, retrying in 300ms (Retry-After 24h, capped at 300ms (--max-retry-after))');

    const again = await asksForADay();
    const json = await runCli(['replay', 'fixtures/github/push.json', '--to', again.url, ...SIGNING, '--json']);
    expect(json.code, json.stderr).toBe(0);
    const records = json.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records[0]).toMatchObject({ type: 'replay', ok: true, attempts: 2, retryAfterMs: 86_400_000, retryAfterCappedMs: 300 });
  });
});
