import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { RECORD_FORMAT, encodeBody, toFixtureFile, toJournalLine, type DeliveryRecord } from '../../src/records/record.js';
import { CliProcess, runCli } from '../helpers/cli.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { SECRET, records, removeTempDirs, tempDir, verifyOfficially } from './support.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const servers: TestServer[] = [];
const processes: CliProcess[] = [];
afterEach(async () => {
  while (processes.length > 0) await processes.pop()!.stop('SIGKILL');
  while (servers.length > 0) await servers.pop()!.close();
  removeTempDirs();
});

async function server(respond?: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const started = await startServer(respond);
  servers.push(started);
  return started;
}

function stripeRecord(n: number, type: string, capturedAt: string): DeliveryRecord {
  const body = Buffer.from(`{\n  "id": "evt_${n}",\n  "object": "event",\n  "type": "${type}"\n}`);
  return {
    format: RECORD_FORMAT,
    id: `c${n}`,
    capturedAt,
    receivedAt: null,
    method: 'POST',
    path: '/stripe',
    headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': 't=1,v1=00', connection: 'keep-alive', 'content-length': String(body.length), host: 'old-host:8787', 'x-custom': 'kept' },
    ...encodeBody(body),
    scheme: 'stripe',
    eventId: `evt_${n}`,
    eventType: type,
    verified: true,
    reason: null,
    duplicate: false,
  };
}

/** A journal of four Stripe deliveries captured a minute apart, starting at `start`. */
function journal(start = Date.parse('2026-01-15T10:00:00.000Z')): string {
  const dir = tempDir();
  const types = ['invoice.paid', 'invoice.payment_failed', 'payment_intent.succeeded', 'customer.created'];
  const lines = types.map((type, i) => toJournalLine(stripeRecord(i + 1, type, new Date(start + i * 60_000).toISOString())));
  const path = join(dir, 'deliveries.ndjson');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

describe('replay options', () => {
  it('re-signs with a fresh timestamp, keeps other captured headers, drops transport and old signature headers', async () => {
    const target = await server();
    const result = await runCli(['replay', journal(), '--to', `${target.url}/x?y=1`, '--secret', SECRET, '--filter', 'invoice.paid']);
    expect(result.code).toBe(0);
    const [request] = target.requests;
    expect(request!.url).toBe('/x?y=1');
    expect(request!.headers['x-custom']).toBe('kept');
    expect(request!.headers.host).not.toBe('old-host:8787');
    expect(request!.headers['stripe-signature']).not.toBe('t=1,v1=00');
    const t = Number(/t=(\d+)/.exec(String(request!.headers['stripe-signature']))![1]);
    expect(Math.abs(t - Date.now() / 1000)).toBeLessThan(60);
    await verifyOfficially('stripe', request!, SECRET, '');

    // --keep-path: the captured path goes after the target's path.
    const kept = await runCli(['replay', journal(), '--to', `${target.url}/base/`, '--secret', SECRET, '--filter', 'invoice.paid', '--keep-path']);
    expect(kept.code).toBe(0);
    expect(target.requests[1]!.url).toBe('/base/stripe');
  });

  it('--dry-run lists the plan and sends nothing; --filter globs and --since select', async () => {
    const target = await server();
    const path = journal(Date.now() - 3 * 60_000 - 30_000);
    const dry = await runCli(['replay', path, '--to', target.url, '--dry-run', '--json', '--filter', 'invoice.*']);
    expect(dry.code).toBe(0);
    expect(target.requests).toHaveLength(0);
    const plan = records(dry.stdout);
    expect(plan.map((item) => [item.type, item.eventType, item.line])).toEqual([
      ['plan', 'invoice.paid', 1],
      ['plan', 'invoice.payment_failed', 2],
      ['summary', undefined, undefined],
    ]);
    expect(plan[0]).toMatchObject({ method: 'POST', url: target.url + '/', scheme: 'stripe', asIs: false, ok: true });
    expect(plan[2]).toMatchObject({ total: 2, ok: 2, failed: 0, dryRun: true, skipped: 2 });
    expect(dry.stderr).toMatch(/skipped 2 not matching --filter/);

    const human = await runCli(['replay', path, '--dry-run', '--filter', '{customer,payment_intent}.*']);
    expect(human.stdout).toMatch(/^• .*deliveries\.ndjson:3 {2}payment_intent\.succeeded {2}POST \(no --to\)/m);
    expect(human.stdout).toMatch(/dry run: 2 of 2 would be sent; nothing was sent/);

    // Captured in the last 2 minutes: the last two lines.
    const since = await runCli(['replay', path, '--to', target.url, '--secret', SECRET, '--since', '2m', '--json']);
    expect(since.code).toBe(0);
    expect(records(since.stdout).filter((item) => item.type === 'replay').map((item) => item.eventType)).toEqual(['payment_intent.succeeded', 'customer.created']);
    const none = await runCli(['replay', path, '--to', target.url, '--secret', SECRET, '--filter', 'charge.*']);
    expect([none.code, none.stderr]).toEqual([1, expect.stringMatching(/nothing to replay: no delivery in .* matches --filter charge\.\*/)]);
  });

  it('captured ids are kept (a receiver dedupes them); --new-ids gets past the dedupe', async () => {
    const listener = new CliProcess(['listen', '--port', '0', '--secret', SECRET, '--no-capture', '--json']);
    processes.push(listener);
    const { url } = await listener.waitForRecord<{ url: string }>((item) => item.type === 'listening');
    const fixture = join(ROOT, 'fixtures/github/push.json');
    for (let i = 0; i < 2; i++) expect((await runCli(['replay', fixture, '--to', url, '--secret', SECRET])).code).toBe(0);
    expect((await runCli(['replay', fixture, '--to', url, '--secret', SECRET, '--new-ids'])).code).toBe(0);
    await listener.waitForLine(() => listener.records().filter((item) => item.type === 'delivery').length >= 3);
    const deliveries = listener.records().filter((item) => item.type === 'delivery');
    expect(deliveries.map((item) => [item.verified, item.duplicate])).toEqual([
      [true, false],
      [true, true],
      [true, false],
    ]);
    expect(deliveries[1]!.eventId).toBe(deliveries[0]!.eventId);
    expect(deliveries[2]!.eventId).not.toBe(deliveries[0]!.eventId);
  });

  it('retries like send: a 503 then 200 is delivered on the second attempt; --no-retry gives up', async () => {
    let calls = 0;
    const flaky = await server((_request, res) => {
      calls++;
      res.statusCode = calls === 1 ? 503 : 200;
      res.end(calls === 1 ? 'busy' : 'ok');
    });
    const fixture = join(ROOT, 'fixtures/slack/url_verification.json');
    const retried = await runCli(['replay', fixture, '--to', flaky.url, '--secret', SECRET, '--retry-schedule', '0,20ms', '--json']);
    expect(retried.code).toBe(0);
    expect(records(retried.stdout)[0]).toMatchObject({ status: 200, ok: true, attempts: 2 });
    // Each attempt is signed afresh; both verify.
    for (const request of flaky.requests) await verifyOfficially('slack', request, SECRET, '');

    calls = 0;
    const once = await runCli(['replay', fixture, '--to', flaky.url, '--secret', SECRET, '--no-retry']);
    expect(once.code).toBe(1);
    expect(once.stdout).toMatch(/✗ .*url_verification\.json {2}url_verification {2}503 {2}\d+ms {2}answered 503: busy/);
  });

  it('--concurrency and --delay shape the sends', async () => {
    let open = 0;
    let peak = 0;
    // Each answer is held briefly, so every request the sender has in flight overlaps.
    const slow = await server((_request, res) => {
      open++;
      peak = Math.max(peak, open);
      setTimeout(() => {
        open--;
        res.end('ok');
      }, 40);
    });
    const path = journal();
    const parallel = await runCli(['replay', path, '--to', slow.url, '--secret', SECRET, '--concurrency', '2']);
    expect(parallel.code).toBe(0);
    expect(slow.requests).toHaveLength(4);
    expect(peak).toBe(2);

    const spaced = await server();
    const arrivals: number[] = [];
    spaced.server.on('request', () => arrivals.push(performance.now()));
    const delayed = await runCli(['replay', path, '--to', spaced.url, '--secret', SECRET, '--delay', '150ms']);
    expect(delayed.code).toBe(0);
    expect(arrivals).toHaveLength(4);
    for (let i = 1; i < arrivals.length; i++) expect(arrivals[i]! - arrivals[i - 1]!).toBeGreaterThanOrEqual(140);
  });

  it('Ctrl-C prints what was done and exits 130', async () => {
    // Answers the first delivery and never the second: the replay is stuck until interrupted.
    const hanging = await server((request, res) => {
      if (hanging.requests.indexOf(request) === 0) res.end('ok');
    });
    const replay = new CliProcess(['replay', journal(), '--to', hanging.url, '--secret', SECRET, '--json', '--no-retry']);
    processes.push(replay);
    await replay.waitForRecord((item) => item.type === 'replay' && item.ok === true);
    await hanging.waitForRequests(2);
    replay.child.kill('SIGINT');
    const { code } = await replay.exited;
    expect(code).toBe(130);
    const out = replay.records();
    expect(out.filter((item) => item.type === 'replay').map((item) => [item.ok, item.error ?? null])).toEqual([
      [true, null],
      [false, 'interrupted'],
    ]);
    expect(out.at(-1)).toEqual({ type: 'summary', total: 4, ok: 1, failed: 1, interrupted: true, notSent: 2 });
    expect(replay.stderrLines.join('\n')).toMatch(/interrupted: stopping/);
    expect(hanging.requests).toHaveLength(2);
  });
});
