import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sign as octokitSign } from '@octokit/webhooks-methods';
import { afterEach, describe, expect, it } from 'vitest';
import { LEDGER_FILE } from '../../src/capture/ledger.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { cleanup, listen, onCleanup, post, tempDir } from './support.js';

afterEach(cleanup);

const SECRET = 'idempotency-secret';

async function githubHeaders(body: string, delivery: string): Promise<Record<string, string>> {
  return { 'x-hub-signature-256': await octokitSign(SECRET, body), 'x-github-event': 'push', 'x-github-delivery': delivery };
}

async function app(respond?: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const server = await startServer(respond);
  onCleanup(() => server.close());
  return server;
}

describe('idempotency', () => {
  it('a repeated event id is answered 2xx, flagged duplicate, captured as such and not forwarded again', async () => {
    const target = await app();
    const dir = tempDir();
    const listener = await listen({ secrets: [SECRET], captureDir: dir, forward: { url: target.url } });
    const body = '{"ref":"main"}';
    const first = await post(listener.url, body, await githubHeaders(body, 'dup-1'));
    const again = await post(listener.url, body, await githubHeaders(body, 'dup-1'));
    expect([first.status, again.status]).toEqual([200, 200]);
    expect([first.json.duplicate, again.json.duplicate]).toEqual([false, true]);
    expect(target.requests).toHaveLength(1);
    const [a, b] = await listener.waitForDeliveries(2);
    expect(a!.forward?.status).toBe(200);
    expect(b).toMatchObject({ duplicate: true, forward: null });
    await listener.close();
    // Delivery records (the forward's outcome follows its record as an outcome line).
    const lines = readFileSync(join(dir, 'deliveries.ndjson'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    const records = lines.filter((line) => line.format === 'hookctl.delivery.v1');
    expect(records.map((r) => r.duplicate)).toEqual([false, true]);
    expect(lines.filter((line) => line.format === 'hookctl.outcome.v1')).toMatchObject([{ of: records[0].id, forwards: [{ state: 'delivered', status: 200 }] }]);
    expect(listener.stats).toMatchObject({ received: 2, duplicates: 1, forwarded: 1 });
  });

  it('concurrent deliveries of one id are processed exactly once', async () => {
    // The app is slow, so all the copies arrive while the first is still being processed.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const target = await app(async (_req, res) => {
      await gate;
      res.end('ok');
    });
    const listener = await listen({ secrets: [SECRET], forward: { url: target.url } });
    const body = '{"ref":"concurrent"}';
    const headers = await githubHeaders(body, 'same-id');
    const copies = Array.from({ length: 20 }, () => post(listener.url, body, headers));
    await target.waitForRequests(1);
    release();
    const responses = await Promise.all(copies);
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(responses.filter((r) => r.json.duplicate === false)).toHaveLength(1);
    expect(target.requests).toHaveLength(1);
  });

  it('when the first copy fails at the app, a concurrent copy takes over (still exactly one success)', async () => {
    let calls = 0;
    const target = await app((_req, res) => {
      calls++;
      res.statusCode = calls === 1 ? 500 : 200;
      res.end();
    });
    const listener = await listen({ secrets: [SECRET], forward: { url: target.url } });
    const body = '{"ref":"takeover"}';
    const headers = await githubHeaders(body, 'takeover-id');
    const responses = await Promise.all([post(listener.url, body, headers), post(listener.url, body, headers), post(listener.url, body, headers)]);
    expect(responses.map((r) => r.status).sort()).toEqual([200, 200, 500]);
    expect(responses.filter((r) => r.status === 200 && r.json.duplicate === false)).toHaveLength(1);
    expect(target.requests).toHaveLength(2);
  });

  it('the ledger survives a restart, and a torn last line is tolerated', async () => {
    const dir = tempDir();
    const body = '{"ref":"persist"}';
    const first = await listen({ secrets: [SECRET], captureDir: dir });
    expect((await post(first.url, body, await githubHeaders(body, 'persist-1'))).json.duplicate).toBe(false);
    await first.close();

    // A crash mid-append leaves half a line.
    appendFileSync(join(dir, LEDGER_FILE), '{"eventId":"half-writ');
    const second = await listen({ secrets: [SECRET], captureDir: dir });
    expect(second.capture).toMatchObject({ ledgerEntries: 1, tornLedger: true });
    expect((await post(second.url, body, await githubHeaders(body, 'persist-1'))).json.duplicate).toBe(true);
    expect((await post(second.url, body, await githubHeaders(body, 'persist-2'))).json.duplicate).toBe(false);
    await second.close();

    const third = await listen({ secrets: [SECRET], captureDir: dir });
    expect(third.capture.ledgerEntries).toBe(2);
    expect((await post(third.url, body, await githubHeaders(body, 'persist-2'))).json.duplicate).toBe(true);
    const lines = readFileSync(join(dir, LEDGER_FILE), 'utf8').split('\n');
    expect(lines.at(-1)).toBe('');
  });

  it('rejected deliveries never claim an id (a forged copy cannot block the real one)', async () => {
    const listener = await listen({ secrets: [SECRET] });
    const body = '{"ref":"forged"}';
    const forged = { ...(await githubHeaders(body, 'victim-id')), 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` };
    expect((await post(listener.url, body, forged)).status).toBe(401);
    const real = await post(listener.url, body, await githubHeaders(body, 'victim-id'));
    expect(real.json.duplicate).toBe(false);
  });

  it('--id-header names the id for custom senders; without any id the body hash is used', async () => {
    const listener = await listen({ idHeader: 'x-custom-id' });
    expect((await post(listener.url, 'a', { 'x-custom-id': 'c-1' })).json.duplicate).toBe(false);
    expect((await post(listener.url, 'b', { 'x-custom-id': 'c-1' })).json.duplicate).toBe(true);
    expect((await post(listener.url, 'same body')).json.duplicate).toBe(false);
    expect((await post(listener.url, 'same body')).json.duplicate).toBe(true);
    expect((await post(listener.url, 'other body')).json.duplicate).toBe(false);
    const deliveries = await listener.waitForDeliveries(5);
    expect(deliveries[0]!.eventId).toBe('c-1');
  });

  it('per-scheme ids: Stripe body id, Standard Webhooks webhook-id, Slack event_id, Shopify webhook id', async () => {
    const listener = await listen();
    const cases: Array<[string, Record<string, string>, string]> = [
      ['{"id":"evt_S1","type":"x"}', { 'stripe-signature': 't=1,v1=00' }, 'evt_S1'],
      ['{}', { 'webhook-id': 'msg_W1', 'webhook-signature': 'v1,AA==', 'webhook-timestamp': '1' }, 'msg_W1'],
      ['{"event_id":"Ev9","type":"event_callback"}', { 'x-slack-signature': 'v0=00', 'x-slack-request-timestamp': '1' }, 'Ev9'],
      ['{}', { 'x-shopify-hmac-sha256': 'AA==', 'x-shopify-webhook-id': 'shop-9' }, 'shop-9'],
    ];
    for (const [body, headers] of cases) await post(listener.url, body, headers);
    const deliveries = await listener.waitForDeliveries(cases.length);
    expect(deliveries.map((d) => d.eventId)).toEqual(cases.map((c) => c[2]));
  });
});

describe('ledger file', () => {
  it('a damaged line in the middle is skipped, not fatal', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, LEDGER_FILE), '{"eventId":"a"}\nnot json\n{"eventId":"b"}\n');
    const listener = await listen({ captureDir: dir, idHeader: 'x-id' });
    expect(listener.capture.ledgerEntries).toBe(2);
    expect((await post(listener.url, '{}', { 'x-id': 'b' })).json.duplicate).toBe(true);
  });
});
