import { sign as octokitSign, verify as octokitVerify } from '@octokit/webhooks-methods';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { cleanup, listen, onCleanup, post, rawPost } from './support.js';

afterEach(cleanup);

async function app(respond?: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const server = await startServer(respond);
  onCleanup(() => server.close());
  return server;
}

const SECRET = 'forward-secret';

describe('--forward-to', () => {
  it('passes body and headers byte for byte (minus hop-by-hop) and mirrors the app status', async () => {
    const target = await app((req, res) => {
      res.statusCode = req.headers['x-want'] === 'fail' ? 503 : 201;
      res.end();
    });
    const listener = await listen({ secrets: [SECRET], forward: { url: `${target.url}/hooks?x=1` } });
    const body = Buffer.from('{"a":1}\r\n\u00e9', 'utf8');
    const headers = { 'x-hub-signature-256': await octokitSign(SECRET, body.toString('utf8')), 'x-github-delivery': 'f-1', 'x-github-event': 'push', 'x-custom': 'kept', 'content-type': 'application/json' };
    // Hop-by-hop: Keep-Alive, and any header Connection names.
    const ok = await rawPost(listener.url, body, { ...headers, connection: 'keep-alive, x-hop', 'keep-alive': 'timeout=5', 'x-hop': 'for the next hop only' });
    expect(ok.status).toBe(201);
    const [received] = await target.waitForRequests(1);
    expect(received!.url).toBe('/hooks?x=1');
    expect(received!.body.equals(body)).toBe(true);
    expect(received!.headers).toMatchObject({ 'x-custom': 'kept', 'x-github-delivery': 'f-1', 'x-hub-signature-256': headers['x-hub-signature-256'], 'content-type': 'application/json' });
    expect(received!.headers['keep-alive']).toBeUndefined();
    expect(received!.headers['x-hop']).toBeUndefined();
    // The original signature still verifies at the app: nothing was changed.
    expect(await octokitVerify(SECRET, received!.body.toString('utf8'), String(received!.headers['x-hub-signature-256']))).toBe(true);

    // A failing app: its status goes back to the sender, and the id stays open for the retry.
    const failing = { ...headers, 'x-github-delivery': 'f-2', 'x-want': 'fail' };
    const first = await post(listener.url, body, failing);
    expect(first.status).toBe(503);
    expect(first.json.reason).toBe('forward_status');
    const retry = await post(listener.url, body, { ...failing, 'x-want': 'ok' });
    expect(retry.status).toBe(201);
    expect(retry.json.duplicate).toBe(false);
    expect(target.requests).toHaveLength(3);
    const deliveries = await listener.waitForDeliveries(3);
    expect(deliveries.map((d) => d.forward?.status)).toEqual([201, 503, 201]);
    expect(listener.stats).toMatchObject({ forwarded: 2, forwardFailed: 1 });
  });

  it('an unreachable app is 502 to the sender', async () => {
    const gone = await startServer();
    await gone.close();
    const listener = await listen({ forward: { url: gone.url, timeoutMs: 2000 } });
    const response = await post(listener.url, '{"id":"unreachable"}');
    expect(response.status).toBe(502);
    expect(response.json.reason).toBe('forward_failed');
    expect(String(response.json.error)).toMatch(/ECONNREFUSED/);
  });

  it('--forward-secret re-signs with a fresh signature the official library accepts, same event id', async () => {
    const target = await app();
    const appSecret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const providerSecret = 'whsec_cHJvdmlkZXItc2VjcmV0LWZvci10ZXN0cw==';
    const listener = await listen({ secrets: [providerSecret], forward: { url: target.url, secret: appSecret } });
    const body = '{"type":"user.created"}';
    const now = new Date();
    const headers = {
      'webhook-id': 'msg_fwd_1',
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': new StandardWebhook(providerSecret).sign('msg_fwd_1', now, body),
    };
    expect((await post(listener.url, body, headers)).status).toBe(200);
    const [received] = await target.waitForRequests(1);
    const forwarded = Object.fromEntries(Object.entries(received!.headers).map(([k, v]) => [k, String(v)]));
    expect(forwarded['webhook-id']).toBe('msg_fwd_1');
    expect(forwarded['webhook-signature']).not.toBe(headers['webhook-signature']);
    expect(new StandardWebhook(appSecret).verify(received!.body.toString('utf8'), forwarded)).toEqual(JSON.parse(body));
    expect(() => new StandardWebhook(providerSecret).verify(received!.body.toString('utf8'), forwarded)).toThrow();
  });

  it('--ack-first answers 2xx at once and the queue retries until the app takes it; close() drains the queue', async () => {
    let calls = 0;
    const target = await app((_req, res) => {
      calls++;
      res.statusCode = calls <= 2 ? 500 : 200;
      res.end();
    });
    const listener = await listen({ forward: { url: target.url, ackFirst: true, retryScheduleMs: [0, 20, 20, 20] }, idHeader: 'x-id' });
    const started = performance.now();
    const response = await post(listener.url, '{"n":1}', { 'x-id': 'q-1' });
    expect(response.status).toBe(200);
    const [delivery] = await listener.waitForDeliveries(1);
    expect(delivery).toMatchObject({ forwardQueued: true, forward: null });
    // A second queued delivery, then stop: close() waits for both to reach the app.
    expect((await post(listener.url, '{"n":2}', { 'x-id': 'q-2' })).status).toBe(200);
    const summary = await listener.close();
    expect(summary).toMatchObject({ forwarded: 2, forwardFailed: 0, abandonedForwards: 0 });
    expect(listener.forwards.map((f) => [f.eventId, f.delivered])).toEqual(expect.arrayContaining([['q-1', true], ['q-2', true]]));
    expect(listener.forwards.find((f) => f.eventId === 'q-1')!.attempts + listener.forwards.find((f) => f.eventId === 'q-2')!.attempts).toBe(4);
    expect(target.requests).toHaveLength(4);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('--ack-first: a duplicate is not queued again', async () => {
    const target = await app();
    const listener = await listen({ forward: { url: target.url, ackFirst: true }, idHeader: 'x-id' });
    await post(listener.url, '{}', { 'x-id': 'once' });
    expect((await post(listener.url, '{}', { 'x-id': 'once' })).json.duplicate).toBe(true);
    await listener.close();
    expect(target.requests).toHaveLength(1);
  });

  it('close() gives up on queued forwards after the drain timeout and reports them', async () => {
    const target = await app((_req, res) => {
      res.statusCode = 500;
      res.end();
    });
    const listener = await listen({ forward: { url: target.url, ackFirst: true, retryScheduleMs: [0, 60_000] }, drainTimeoutMs: 200, idHeader: 'x-id' });
    await post(listener.url, '{}', { 'x-id': 'stuck' });
    await target.waitForRequests(1);
    const summary = await listener.close();
    expect(summary.abandonedForwards).toBe(1);
    expect(summary.forwarded).toBe(0);
  });
});

describe('--ack-first queue', () => {
  it('a forward waiting for its retry holds no slot: the next one goes out at once', async () => {
    let first = true;
    const target = await app((_req, res) => {
      res.statusCode = first ? 503 : 200;
      first = false;
      res.end();
    });
    // One slot, and a long wait before the failed forward's retry.
    const listener = await listen({ forward: { url: target.url, ackFirst: true, concurrency: 1, retryScheduleMs: [0, 60_000] } });
    expect((await post(listener.url, '{"id":"waits"}')).status).toBe(200);
    await target.waitForRequests(1);
    expect((await post(listener.url, '{"id":"next"}')).status).toBe(200);
    const requests = await target.waitForRequests(2, 5_000);
    expect(requests.map((request) => JSON.parse(request.body.toString()).id)).toEqual(['waits', 'next']);
    const [forward] = await listener.waitForForwards(1);
    expect(forward).toMatchObject({ eventId: 'next', delivered: true });
  });
});
