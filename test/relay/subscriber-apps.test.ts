/**
 * Provider → relay → `listen --relay --forward-to app` → app, as deployed: real processes, real
 * HTTP, and an app that verifies each delivery with the provider's official library (Stripe
 * constructEvent behind express.raw, @octokit/webhooks-methods, standardwebhooks, Slack Bolt's
 * verifySlackRequest, @shopify/shopify-api, twilio validateRequest). A form body (Twilio), JSON with
 * 19-digit ids and a body that is not UTF-8 arrive byte for byte.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verify as octokitVerify } from '@octokit/webhooks-methods';
import '@shopify/shopify-api/adapters/node';
import { ApiVersion, LogSeverity, shopifyApi } from '@shopify/shopify-api';
import express from 'express';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { getScheme } from '../../src/schemes/registry.js';
import { signRequest } from '../../src/schemes/sign-request.js';
import { boltVerify, twilioWebhooks } from '../schemes/support.js';
import { cleanup, cleanupShared, createChannel, deliver, onCleanup, startRelay, startSubscriber, type Relay } from './subscriber-support.js';

afterEach(cleanup);
afterAll(cleanupShared);
let relay: Relay;
beforeAll(async () => {
  relay = await startRelay({ shared: true });
});

/** One secret for every provider, so one listener (--scheme auto) verifies them all. */
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const stripe = new Stripe('sk_test_relay');
const shopify = shopifyApi({ apiKey: 'relay-test', apiSecretKey: SECRET, apiVersion: ApiVersion.October25, hostName: 'hookctl.test', isEmbeddedApp: false, logger: { level: LogSeverity.Error, log: async () => {} } });

interface Arrival {
  path: string;
  verified: boolean;
  body: Buffer;
  headers: Record<string, string | string[] | undefined>;
}

/** The app: each route verifies with the provider's own library, on the raw body it received. */
async function startApp(): Promise<{ url: string; arrivals: Arrival[]; waitFor(count: number): Promise<void> }> {
  const arrivals: Arrival[] = [];
  let wake: (() => void) | undefined;
  const app = express();
  app.use(express.raw({ type: () => true, limit: '5mb' }));
  const route = (path: string, check: (req: express.Request, body: Buffer, url: string) => boolean | Promise<boolean>) =>
    app.post(path, async (req, res) => {
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      let verified = false;
      try {
        verified = await check(req, body, `http://${req.headers.host}${req.originalUrl}`);
      } catch {
        verified = false;
      }
      arrivals.push({ path: req.originalUrl, verified, body, headers: req.headers });
      wake?.();
      res.status(verified ? 200 : 400).send(verified ? 'ok' : 'signature rejected');
    });
  route('/stripe', (req, body) => Boolean(stripe.webhooks.constructEvent(body, String(req.headers['stripe-signature']), SECRET)));
  route('/github', (req, body) => octokitVerify(SECRET, body.toString('utf8'), String(req.headers['x-hub-signature-256'])));
  route('/standard', (req, body) => Boolean(new StandardWebhook(SECRET).verify(body.toString('utf8'), req.headers as Record<string, string>)));
  route('/slack', (req, body) => {
    boltVerify({ signingSecret: SECRET, body: body.toString('utf8'), headers: { 'x-slack-signature': String(req.headers['x-slack-signature']), 'x-slack-request-timestamp': Number(req.headers['x-slack-request-timestamp']) } });
    return true;
  });
  route('/shopify', async (req, body) => (await shopify.webhooks.validate({ rawBody: body.toString('utf8'), rawRequest: { headers: req.headers, method: 'POST', url: req.originalUrl } as never, rawResponse: {} as never })).valid);
  route('/twilio', (req, body, url) => twilioWebhooks.validateRequest(SECRET, String(req.headers['x-twilio-signature']), url, Object.fromEntries(new URLSearchParams(body.toString('utf8')))));
  // Bytes no UTF-8 decoder keeps: the libraries above all decode to text first, so this one checks
  // GitHub's HMAC-SHA256 over the bytes as GitHub documents it.
  route('/binary', (req, body) => {
    const expected = Buffer.from(`sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`);
    const given = Buffer.from(String(req.headers['x-hub-signature-256']));
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  const server: Server = await new Promise((resolve) => {
    const started = app.listen(0, '127.0.0.1', () => resolve(started));
  });
  onCleanup(() => new Promise((resolve) => server.close(resolve)));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    arrivals,
    async waitFor(count) {
      const deadline = Date.now() + 15_000;
      while (arrivals.length < count) {
        if (Date.now() > deadline) throw new Error(`the app got ${arrivals.length} of ${count}`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, deadline - Date.now()).unref();
        });
      }
    },
  };
}

/** What each provider sends: its scheme signs these bytes for the ingress URL it posts to. */
function providerRequests(): Array<{ path: string; scheme: string; body: Buffer; contentType: string }> {
  return [
    { path: '/stripe', scheme: 'stripe', contentType: 'application/json; charset=utf-8', body: Buffer.from(JSON.stringify({ id: 'evt_relay_1', object: 'event', type: 'payment_intent.succeeded', data: { object: { amount: 1000, note: 'a\\/b' } } }, null, 2)) },
    // 19-digit ids: a JSON parser would round them; the bytes must not change.
    { path: '/github', scheme: 'github', contentType: 'application/json', body: Buffer.from('{"action":"opened","installation":{"id":1234567890123456789},"pull_request":{"id":9007199254740993123,"title":"caf\u00e9 \ud83d\ude00 \\u00e9"}}') },
    { path: '/standard', scheme: 'standard', contentType: 'application/json', body: Buffer.from('{"type":"invoice.paid","data":{"id":1234567890123456789}}') },
    { path: '/slack', scheme: 'slack', contentType: 'application/json', body: Buffer.from('{"type":"event_callback","event_id":"Ev0123","event":{"type":"app_mention","text":"hi <@U1>"}}') },
    { path: '/shopify', scheme: 'shopify', contentType: 'application/json', body: Buffer.from('{"id":820982911946154508,"email":"jon@example.com","total_price":"10.00"}') },
    // A form body: Twilio signs the ingress URL (with its query) and the sorted parameters.
    { path: '/twilio?team=a%20b', scheme: 'twilio', contentType: 'application/x-www-form-urlencoded', body: Buffer.from(new URLSearchParams({ MessageSid: 'SM0123', From: '+15005550006', Body: 'héllo & good-bye +1' }).toString()) },
    { path: '/binary', scheme: 'github', contentType: 'application/octet-stream', body: Buffer.from([0x7b, 0xe9, 0xff, 0x00, 0xc3, 0x28, 0x80, 0x7d]) },
  ];
}

describe('provider → relay → listen --relay → app', () => {
  it('every provider\'s official library verifies what arrives, byte for byte, and the records say via relay', async () => {
    const channel = await createChannel(relay, 'apps');
    const app = await startApp();
    const subscriber = await startSubscriber(channel, ['--no-capture', '--scheme', 'auto', '--forward-to', app.url], { HOOKCTL_SECRET: SECRET });
    expect(subscriber.cli.records().find((record) => record.type === 'listening')).toMatchObject({ relay: channel.subscribeUrl });

    const requests = providerRequests();
    let id = 0;
    for (const request of requests) {
      const url = `${channel.ingressUrl}${request.path}`;
      const signed = signRequest(getScheme(request.scheme), { body: request.body, secret: SECRET, timestamp: Math.floor(Date.now() / 1000), id: `relay_${++id}`, url, type: 'orders/create' });
      const headers = ['Content-Type', request.contentType, ...Object.entries(signed.headers).flatMap(([name, value]) => [name, String(value)])];
      const answer = await deliver(signed.url ?? url, request.body, headers);
      expect(answer.status, answer.body).toBe(200);
    }
    await app.waitFor(requests.length);
    for (const request of requests) {
      const arrival = app.arrivals.find((item) => item.path === request.path);
      expect(arrival, request.path).toBeDefined();
      expect(arrival!.verified, `${request.path} verified by the app`).toBe(true);
      expect(arrival!.body.equals(request.body), `${request.path} bytes`).toBe(true);
    }
    const deliveries = await Promise.all(requests.map((request) => subscriber.cli.waitForRecord((record) => record.type === 'delivery' && record.path === request.path)));
    for (const delivery of deliveries) expect(delivery).toMatchObject({ via: 'relay', verified: true, status: 200 });
  });
});

describe('a respond: wait channel', () => {
  it('the provider gets the listener\'s answer, passed back in the acknowledgement', async () => {
    const channel = await createChannel(relay, 'waits', ['--respond', 'wait']);
    const subscriber = await startSubscriber(channel, ['--no-capture', '--id-header', 'x-event-id', '--status', '201']);
    await subscriber.cli.waitForLine((line) => /relay connected/.test(line), { stream: 'stderr' });
    const answer = await deliver(channel.ingressUrl, '{"type":"event_callback","event":{"type":"app_mention"}}', { 'content-type': 'application/json', 'x-event-id': 'evt_wait_1' });
    expect(answer.status).toBe(201);
    expect(JSON.parse(answer.body)).toMatchObject({ ok: true, eventId: 'evt_wait_1', duplicate: false });
    // Slack's URL check, which the listener answers itself: the provider gets the challenge back through the relay.
    const challenge = await deliver(channel.ingressUrl, '{"type":"url_verification","challenge":"c-123"}', { 'content-type': 'application/json', 'x-event-id': 'evt_wait_2' });
    expect(challenge).toEqual({ status: 200, body: 'c-123' });
  });
});
