/** Filtering the live output without jq: --only-failures, --filter (event type), --filter-path. */
import { sign as octokitSign } from '@octokit/webhooks-methods';
import { afterEach, describe, expect, it } from 'vitest';
import { CliProcess } from '../helpers/cli.js';

const SECRET = 'filter-secret';
const running: CliProcess[] = [];
afterEach(async () => {
  for (const cli of running.splice(0)) await cli.stop();
});

async function deliver(url: string, path: string, type: string, id: string, secret = SECRET): Promise<number> {
  const body = `{"action":"${type}"}`;
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', 'x-github-event': type, 'x-github-delivery': id, 'x-hub-signature-256': await octokitSign(secret, body) },
  });
  return response.status;
}

async function run(args: string[]): Promise<Array<Record<string, unknown>>> {
  const cli = new CliProcess(['listen', '--port', '0', '--no-capture', '--json', '--secret', SECRET, ...args]);
  running.push(cli);
  const { url } = await cli.waitForRecord<{ url: string }>((r) => r.type === 'listening');
  const base = url.replace(/\/$/, '');
  expect(await deliver(base, '/github', 'push', 'a')).toBe(200);
  expect(await deliver(base, '/github', 'issues', 'b')).toBe(200);
  expect(await deliver(base, '/stripe', 'push', 'c', 'wrong-secret')).toBe(401);
  expect(await deliver(base, '/github/push', 'push', 'd')).toBe(200);
  await cli.stop();
  const records = cli.records();
  // The summary counts everything, whatever is shown.
  expect(records.at(-1)).toMatchObject({ type: 'summary', received: 4, verified: 3, rejected: 1 });
  return records.filter((r) => r.type === 'delivery');
}

describe('listen output filters', () => {
  it('--only-failures shows only the refused delivery', async () => {
    expect((await run(['--only-failures'])).map((r) => r.eventId)).toEqual(['c']);
  });
  it('--filter shows only matching event types', async () => {
    expect((await run(['--filter', 'iss*'])).map((r) => r.eventId)).toEqual(['b']);
  });
  it('--filter-path shows only matching paths; filters combine', async () => {
    expect((await run(['--filter-path', '/github*'])).map((r) => r.eventId)).toEqual(['a', 'b', 'd']);
    expect((await run(['--filter-path', '/github*', '--filter', 'push*'])).map((r) => r.eventId)).toEqual(['a', 'd']);
  });
});
