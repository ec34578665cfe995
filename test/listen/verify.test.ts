import { createRequire } from 'node:module';
import { sign as octokitSign } from '@octokit/webhooks-methods';
import { getHmac } from '@shopify/shopify-api/test-helpers';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { Webhook as SvixWebhook } from 'svix';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, listen, post } from './support.js';

const require = createRequire(import.meta.url);
const twilioWebhooks = require('twilio/lib/webhooks/webhooks.js') as typeof import('twilio/lib/webhooks/webhooks.js');
const stripe = new Stripe('sk_test_hookctl_listen');

afterEach(cleanup);

const BODY = '{"id":"evt_1PZ","type":"invoice.paid","action":"opened","event_id":"Ev01","data":{"amount":4200}}';
const TAMPERED = BODY.replace('4200', '4201');

interface Case {
  name: string;
  scheme: string;
  secret: string;
  headers(body: string): Promise<Record<string, string>> | Record<string, string>;
  eventId: string;
}

const STANDARD_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

/** Each provider's delivery, signed by the provider's own library. */
const CASES: Case[] = [
  {
    name: 'Stripe (stripe@23 generateTestHeaderString)',
    scheme: 'stripe',
    secret: 'whsec_listen_stripe',
    headers: (body) => ({ 'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload: body, secret: 'whsec_listen_stripe' }), 'content-type': 'application/json' }),
    eventId: 'evt_1PZ',
  },
  {
    name: 'GitHub (@octokit/webhooks-methods sign)',
    scheme: 'github',
    secret: "It's a Secret to Everybody",
    headers: async (body) => ({ 'x-hub-signature-256': await octokitSign("It's a Secret to Everybody", body), 'x-github-event': 'pull_request', 'x-github-delivery': 'gh-delivery-1' }),
    eventId: 'gh-delivery-1',
  },
  {
    name: 'Standard Webhooks (standardwebhooks sign)',
    scheme: 'standard',
    secret: STANDARD_SECRET,
    headers: (body) => {
      const now = new Date();
      return {
        'webhook-id': 'msg_std_1',
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': new StandardWebhook(STANDARD_SECRET).sign('msg_std_1', now, body),
      };
    },
    eventId: 'msg_std_1',
  },
  {
    name: 'Svix (svix sign)',
    scheme: 'svix',
    secret: STANDARD_SECRET,
    headers: (body) => {
      const now = new Date();
      return {
        'svix-id': 'msg_svix_1',
        'svix-timestamp': String(Math.floor(now.getTime() / 1000)),
        'svix-signature': new SvixWebhook(STANDARD_SECRET).sign('msg_svix_1', now, body),
      };
    },
    eventId: 'msg_svix_1',
  },
  {
    name: 'Shopify (@shopify/shopify-api getHmac)',
    scheme: 'shopify',
    secret: 'hush',
    headers: (body) => ({ 'x-shopify-hmac-sha256': getHmac(body, 'hush'), 'x-shopify-topic': 'orders/create', 'x-shopify-webhook-id': 'shop-wh-1', 'x-shopify-shop-domain': 'demo.myshopify.com', 'x-shopify-api-version': '2025-10' }),
    eventId: 'shop-wh-1',
  },
];

describe('listen verifies real deliveries signed by the official libraries', () => {
  for (const c of CASES) {
    it(`${c.name}: valid -> 200 verified; tampered -> 401 {error, reason}`, async () => {
      const listener = await listen({ secrets: [c.secret] });
      const good = await post(listener.url, BODY, await c.headers(BODY));
      expect(good.status).toBe(200);
      expect(good.json).toMatchObject({ ok: true, duplicate: false, eventId: c.eventId });

      const bad = await post(listener.url, TAMPERED, await c.headers(BODY));
      expect(bad.status).toBe(401);
      expect(bad.json.reason).toBe('signature_mismatch');
      expect(String(bad.json.error)).toMatch(/signature/);

      const [first, second] = await listener.waitForDeliveries(2);
      expect(first).toMatchObject({ verified: true, scheme: c.scheme, eventId: c.eventId, status: 200, duplicate: false });
      expect(second).toMatchObject({ verified: false, reason: 'signature_mismatch', status: 401 });
    });
  }

  it('Twilio (twilio getExpectedTwilioSignature): verifies against the public URL from --url', async () => {
    const token = 'twilio-auth-token';
    const listener = await listen({ secrets: [token], publicUrl: 'https://hooks.example.com' });
    const params = { MessageSid: 'SM123', SmsStatus: 'received', Body: 'hello' };
    const form = new URLSearchParams(params).toString();
    const signature = twilioWebhooks.getExpectedTwilioSignature(token, 'https://hooks.example.com/sms', params);
    const headers = { 'x-twilio-signature': signature, 'content-type': 'application/x-www-form-urlencoded' };
    expect((await post(new URL('/sms', listener.url).href, form, headers)).status).toBe(200);
    expect((await post(new URL('/other', listener.url).href, form, headers)).status).toBe(401);
    const [ok] = await listener.waitForDeliveries(2);
    expect(ok).toMatchObject({ scheme: 'twilio', verified: true, eventId: 'SM123', eventType: 'message.received' });
  });

  it('Twilio without --url verifies against the URL built from Host and the path', async () => {
    const token = 'twilio-auth-token';
    const listener = await listen({ secrets: [token] });
    const url = new URL('/voice?x=1', listener.url).href;
    const params = { CallSid: 'CA9', CallStatus: 'ringing' };
    const signature = twilioWebhooks.getExpectedTwilioSignature(token, url, params);
    const response = await post(url, new URLSearchParams(params).toString(), { 'x-twilio-signature': signature, 'content-type': 'application/x-www-form-urlencoded' });
    expect(response.status).toBe(200);
  });

  it('a stale Stripe timestamp is 401 timestamp_outside_tolerance; a mismatch is diagnosed', async () => {
    const secret = 'whsec_listen_stripe';
    const listener = await listen({ secrets: [secret], toleranceSeconds: 60 });
    const old = stripe.webhooks.generateTestHeaderString({ payload: BODY, secret, timestamp: Math.floor(Date.now() / 1000) - 600 });
    const stale = await post(listener.url, BODY, { 'stripe-signature': old });
    expect(stale.status).toBe(401);
    expect(stale.json.reason).toBe('timestamp_outside_tolerance');

    // Signed pretty-printed, delivered compact: what a JSON-parsing middleware does.
    const pretty = JSON.stringify(JSON.parse(BODY), null, 2);
    const header = stripe.webhooks.generateTestHeaderString({ payload: pretty, secret });
    expect((await post(listener.url, BODY, { 'stripe-signature': header })).status).toBe(401);
    const [, mismatch] = await listener.waitForDeliveries(2);
    expect(mismatch!.verification?.diagnosis).toMatch(/pretty-printed with 2 spaces/);
  });

  it('secret rotation: either secret verifies', async () => {
    const listener = await listen({ secrets: ['old-secret', 'new-secret'], scheme: 'github' });
    for (const secret of ['old-secret', 'new-secret']) {
      const response = await post(listener.url, BODY, { 'x-hub-signature-256': await octokitSign(secret, BODY), 'x-github-delivery': `rot-${secret}` });
      expect(response.status).toBe(200);
    }
    expect((await post(listener.url, BODY, { 'x-hub-signature-256': await octokitSign('other', BODY) })).status).toBe(401);
  });

  it('no secret: accepts everything, unverified (verified: null)', async () => {
    const listener = await listen();
    const response = await post(listener.url, 'plain text, no signature', { 'content-type': 'text/plain' });
    expect(response.status).toBe(200);
    const [delivery] = await listener.waitForDeliveries(1);
    expect(delivery).toMatchObject({ verified: null, reason: null, status: 200 });
    expect(delivery!.idempotencyKey).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("a listener pinned to one scheme names another provider's signature header when its own is missing", async () => {
    const listener = await listen({ secrets: ['whsec_pinned'], scheme: 'stripe' });
    const github = await post(listener.url, BODY, { 'x-hub-signature-256': await octokitSign('gh-secret', BODY), 'x-github-delivery': 'gh-pinned-1' });
    expect(github.status).toBe(401);
    expect(github.json.reason).toBe('missing_signature');
    // The 401 body, and the delivery the terminal line and the --json record are written from.
    expect(github.json.error).toMatch(/no Stripe-Signature header.*GitHub signature header \(X-Hub-Signature-256\).*--scheme github.*--scheme auto/);
    const [delivery] = await listener.waitForDeliveries(1);
    expect(delivery!.verification?.message).toMatch(/GitHub signature header \(X-Hub-Signature-256\)/);

    // Nothing to point to: the refusal stays as it was.
    const bare = await post(listener.url, BODY, { 'content-type': 'application/json' });
    expect(bare.json.error).toBe('signature verification failed: no Stripe-Signature header');
  });

  it('a request with no known signature header is 401 missing_signature when a secret is set', async () => {
    const listener = await listen({ secrets: ['s3cret'] });
    const response = await post(listener.url, BODY, { 'content-type': 'application/json' });
    expect(response.status).toBe(401);
    expect(response.json.reason).toBe('missing_signature');
  });
});
