/**
 * Dedupe poisoning (issue 13): where the provider does not sign the event id (GitHub's
 * X-GitHub-Delivery, Shopify's webhook id, Twilio's idempotency token, the hmac scheme's
 * X-Event-Id, `--id-header`), one old valid delivery re-sent under a future id used to claim that
 * id, and the real delivery was later answered `duplicate` and never reached the app. The dedupe key
 * of such an id now also binds the signed content: the provider's genuine retry (same id, same
 * body) is still a duplicate, an old body under a new id steals nothing. Against a spawned
 * `hookctl listen --forward-to <app>`.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sign as octokitSign } from '@octokit/webhooks-methods';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { twilioWebhooks } from '../schemes/support.js';
import { cleanup, onCleanup, post, SECRET, spawnListener, tempDir, type Listener } from './support.js';

afterEach(cleanup);

const stripe = new Stripe('sk_test_dedupe');
const STRIPE_SECRET = 'whsec_dedupe_poisoning';
const STANDARD_SECRET = `whsec_${Buffer.from('dedupe-poisoning-standard-key').toString('base64')}`;

async function app(): Promise<TestServer> {
  const server = await startServer();
  onCleanup(() => server.close());
  return server;
}

/** A provider's delivery: the headers it signs `body` with, carrying `id` where the scheme puts it. */
type Sign = (body: string, id: string, listener: Listener) => Record<string, string> | Promise<Record<string, string>>;

interface UnsignedIdCase {
  name: string;
  args: string[];
  /** The header carrying the id (not covered by the signature). */
  idHeader: string;
  body: (n: string) => string;
  sign: Sign;
  /** How the provider retries: the same request again, or re-signed (a new timestamp). */
  retry?: Sign;
}

const json = (n: string) => JSON.stringify({ action: 'opened', issue: { number: n } });

function shopifyHeaders(body: string, id: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-shopify-hmac-sha256': createHmac('sha256', SECRET).update(body).digest('base64'),
    'x-shopify-topic': 'orders/create',
    'x-shopify-shop-domain': 'hookctl-dev.myshopify.com',
    'x-shopify-api-version': '2025-10',
    'x-shopify-webhook-id': id,
  };
}

function stripeHeader(body: string, timestamp = Math.floor(Date.now() / 1000)): string {
  return stripe.webhooks.generateTestHeaderString({ payload: body, secret: STRIPE_SECRET, timestamp });
}

const UNSIGNED: UnsignedIdCase[] = [
  {
    name: 'GitHub X-GitHub-Delivery',
    args: ['--secret', SECRET],
    idHeader: 'x-github-delivery',
    body: json,
    sign: async (body, id) => ({ 'content-type': 'application/json', 'x-github-event': 'issues', 'x-github-delivery': id, 'x-hub-signature-256': await octokitSign(SECRET, body) }),
  },
  {
    name: 'Shopify X-Shopify-Webhook-Id',
    args: ['--secret', SECRET],
    idHeader: 'x-shopify-webhook-id',
    body: (n) => JSON.stringify({ id: Number(n.replace(/\D/g, '').slice(0, 9)), note: n }),
    sign: shopifyHeaders,
  },
  {
    name: '--id-header with the generic hmac scheme',
    args: ['--secret', SECRET, '--scheme', 'hmac', '--id-header', 'X-Delivery-Id'],
    idHeader: 'x-delivery-id',
    body: json,
    sign: (body, id) => ({ 'content-type': 'application/json', 'x-delivery-id': id, 'x-signature': createHmac('sha256', SECRET).update(body).digest('hex') }),
  },
  {
    name: 'the hmac scheme\'s X-Event-Id',
    args: ['--secret', SECRET, '--scheme', 'hmac'],
    idHeader: 'x-event-id',
    body: json,
    sign: (body, id) => ({ 'content-type': 'application/json', 'x-event-id': id, 'x-signature': createHmac('sha256', SECRET).update(body).digest('hex') }),
  },
  {
    name: 'Twilio I-Twilio-Idempotency-Token',
    args: ['--secret', SECRET, '--scheme', 'twilio'],
    idHeader: 'i-twilio-idempotency-token',
    body: (n) => new URLSearchParams({ MessageSid: `SM${n}`, From: '+15005550006', Body: `message ${n}` }).toString(),
    sign: (body, id, listener) => ({
      'content-type': 'application/x-www-form-urlencoded',
      'i-twilio-idempotency-token': id,
      'x-twilio-signature': twilioWebhooks.getExpectedTwilioSignature(SECRET, listener.url, Object.fromEntries(new URLSearchParams(body))),
    }),
  },
  {
    // A timestamped scheme signs each attempt anew: the key binds the body, not the signature.
    name: '--id-header with Stripe (each retry re-signed with a new timestamp)',
    args: ['--secret', STRIPE_SECRET, '--scheme', 'stripe', '--id-header', 'X-Delivery-Id'],
    idHeader: 'x-delivery-id',
    body: (n) => JSON.stringify({ id: `evt_${n}`, type: 'charge.succeeded' }),
    sign: (body, id) => ({ 'content-type': 'application/json', 'x-delivery-id': id, 'stripe-signature': stripeHeader(body, Math.floor(Date.now() / 1000) - 30) }),
    retry: (body, id) => ({ 'content-type': 'application/json', 'x-delivery-id': id, 'stripe-signature': stripeHeader(body) }),
  },
];

describe('dedupe poisoning: an id the signature does not cover', () => {
  for (const scheme of UNSIGNED) {
    it(`${scheme.name}: an old delivery re-sent under a future id does not steal it; the genuine retry is still a duplicate`, async () => {
      const target = await app();
      const listener = await spawnListener([...scheme.args, '--no-capture', '--forward-to', `${target.url}/hooks`]);
      const tag = randomUUID().slice(0, 8);
      const oldId = `old-${tag}`;
      const futureId = `future-${tag}`;

      // One genuine delivery, long processed (a capture, a log, a copy off the wire).
      const oldBody = scheme.body(`1${tag}`);
      const oldHeaders = await scheme.sign(oldBody, oldId, listener);
      expect((await post(listener.url, oldBody, oldHeaders)).json).toMatchObject({ eventId: oldId, duplicate: false });

      // Re-sent under the id the provider will use next: it verifies (the id is not signed) and is processed as what it is.
      const poison = { ...oldHeaders, [scheme.idHeader]: futureId };
      const poisoned = await post(listener.url, oldBody, poison);
      expect(poisoned.status, poisoned.text).toBe(200);

      // The real delivery of that id arrives: processed, and the app gets it.
      const realBody = scheme.body(`2${tag}`);
      const realHeaders = await scheme.sign(realBody, futureId, listener);
      const real = await post(listener.url, realBody, realHeaders);
      expect(real.status, real.text).toBe(200);
      expect(real.json, 'the real delivery was answered as a duplicate of the replay').toMatchObject({ eventId: futureId, duplicate: false });
      // The provider's retry of it (its answer was lost): a duplicate, not processed twice.
      const retryHeaders = await (scheme.retry ?? scheme.sign)(realBody, futureId, listener);
      expect((await post(listener.url, realBody, retryHeaders)).json).toMatchObject({ eventId: futureId, duplicate: true });
      // The replay again is a duplicate of itself, and the old delivery of the old one.
      expect((await post(listener.url, oldBody, poison)).json).toMatchObject({ duplicate: true });
      expect((await post(listener.url, oldBody, oldHeaders)).json).toMatchObject({ eventId: oldId, duplicate: true });

      const bodies = target.requests.map((request) => request.body.toString('utf8'));
      expect(bodies).toEqual([oldBody, oldBody, realBody]);
      const record = await listener.cli.waitForRecord((r) => r.type === 'delivery' && r.eventId === futureId && r.duplicate === true);
      expect(record).toMatchObject({ verified: true, status: 200 });
    });
  }

  it('the bound key is what the ledger remembers: after a restart the retry is still a duplicate and the replay still steals nothing', async () => {
    const dir = tempDir();
    const gh = UNSIGNED[0]!;
    const first = await spawnListener(['--secret', SECRET, '--capture', dir]);
    const body = json('restart');
    const headers = await gh.sign(body, 'r-1', first);
    expect((await post(first.url, body, headers)).json).toMatchObject({ duplicate: false });
    expect((await first.cli.stop('SIGINT')).code).toBe(0);

    const second = await spawnListener(['--secret', SECRET, '--capture', dir]);
    expect((await post(second.url, body, headers)).json).toMatchObject({ eventId: 'r-1', duplicate: true });
    // The same body under another id is processed (GitHub does not sign the id), and claims nothing of r-2's.
    expect((await post(second.url, body, { ...headers, 'x-github-delivery': 'r-2' })).json).toMatchObject({ eventId: 'r-2', duplicate: false });
    const real = json('restart-2');
    expect((await post(second.url, real, await gh.sign(real, 'r-2', second))).json).toMatchObject({ eventId: 'r-2', duplicate: false });
    expect((await second.cli.stop('SIGINT')).code).toBe(0);
    // The capture keeps the provider's id as it was sent.
    const journal = readFileSync(join(dir, 'deliveries.ndjson'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { eventId: string });
    expect(journal.map((r) => r.eventId)).toEqual(['r-1', 'r-1', 'r-2', 'r-2']);
  });
});

describe('dedupe: an id the signature covers stays the key on its own', () => {
  it('Stripe (the id is in the signed body): a retry re-signed with a new timestamp is a duplicate', async () => {
    const listener = await spawnListener(['--secret', STRIPE_SECRET, '--no-capture']);
    const body = JSON.stringify({ id: `evt_${randomUUID()}`, type: 'charge.succeeded' });
    const now = Math.floor(Date.now() / 1000);
    expect((await post(listener.url, body, { 'stripe-signature': stripeHeader(body, now - 60) })).json).toMatchObject({ duplicate: false });
    expect((await post(listener.url, body, { 'stripe-signature': stripeHeader(body, now) })).json).toMatchObject({ duplicate: true });
  });

  it('Standard Webhooks (webhook-id is signed): a retry re-signed with a new timestamp is a duplicate; the body under another id is refused', async () => {
    const listener = await spawnListener(['--secret', STANDARD_SECRET, '--no-capture']);
    const webhook = new StandardWebhook(STANDARD_SECRET);
    const body = JSON.stringify({ type: 'invoice.paid', n: randomUUID() });
    const id = `msg_${randomUUID()}`;
    const headers = (at: Date) => ({ 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': webhook.sign(id, at, body) });
    const first = headers(new Date(Date.now() - 60_000));
    expect((await post(listener.url, body, first)).json).toMatchObject({ eventId: id, duplicate: false });
    expect((await post(listener.url, body, headers(new Date()))).json).toMatchObject({ eventId: id, duplicate: true });
    expect((await post(listener.url, body, { ...first, 'webhook-id': 'msg_future' })).status).toBe(401);
  });
});
