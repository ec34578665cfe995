import { createHmac } from 'node:crypto';
import { sign as octokitSign } from '@octokit/webhooks-methods';
import { getHmac } from '@shopify/shopify-api/test-helpers';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { boltVerify, input, lower, ours, passes, sign, twilioWebhooks } from './support.js';
import { verifyWith } from '../../src/schemes/registry.js';

/** Published vectors (shared/SIGNATURE-SCHEMES.md, from each provider's docs). */
const SLACK_BODY =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const TWILIO_PARAMS = { CallSid: 'CA1234567890ABCDE', Caller: '+12349013030', Digits: '1234', From: '+12349013030', To: '+18005551212' };
const TWILIO_URL = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const SHOPIFY_REQUIRED = {
  'X-Shopify-Topic': 'orders/create',
  'X-Shopify-Shop-Domain': 'example.myshopify.com',
  'X-Shopify-API-Version': '2025-10',
  'X-Shopify-Webhook-Id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
};

interface Vector {
  scheme: string;
  secret: string;
  body: string;
  timestamp?: number;
  id?: string;
  url?: string;
  options?: { legacySha1?: boolean };
  /** Header (lower case) and value our signer must produce. */
  expect: Record<string, string>;
  /** Extra headers a real delivery carries (not part of the signature). */
  extra?: Record<string, string>;
}

const VECTORS: Vector[] = [
  {
    scheme: 'github',
    secret: "It's a Secret to Everybody",
    body: 'Hello, World!',
    options: { legacySha1: true },
    expect: {
      'x-hub-signature-256': 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
      'x-hub-signature': 'sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59',
    },
  },
  {
    scheme: 'stripe',
    secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    body: '{"test": 2432232314}',
    timestamp: 1614265330,
    expect: { 'stripe-signature': 't=1614265330,v1=2e37df5d4a028c51a7f3133d64ae1e300d2c2c900f1b1d49d4369ad2530f8964' },
  },
  {
    scheme: 'standard',
    secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    body: '{"test": 2432232314}',
    timestamp: 1614265330,
    id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
    expect: {
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    },
  },
  {
    scheme: 'svix',
    secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    body: '{"test": 2432232314}',
    timestamp: 1614265330,
    id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
    expect: {
      'svix-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'svix-timestamp': '1614265330',
      'svix-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    },
  },
  {
    scheme: 'slack',
    secret: '8f742231b10e8888abcd99yyyzzz85a5',
    body: SLACK_BODY,
    timestamp: 1531420618,
    expect: {
      'x-slack-request-timestamp': '1531420618',
      'x-slack-signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    },
  },
  {
    scheme: 'shopify',
    secret: 'hush',
    body: '{"id":820982911946154508,"email":"jon@example.com"}',
    expect: { 'x-shopify-hmac-sha256': 'D0UMXmhjwBRi4y66TmhJrDlhQABD7zI2fm3p6/QLMo8=' },
    extra: SHOPIFY_REQUIRED,
  },
  {
    scheme: 'twilio',
    secret: '12345',
    body: new URLSearchParams(TWILIO_PARAMS).toString(),
    url: TWILIO_URL,
    expect: { 'x-twilio-signature': '0/KCTR6DLpKmkAf8muzZqo1nDgQ=' },
    extra: { 'Content-Type': 'application/x-www-form-urlencoded' },
  },
];

describe('published vectors', () => {
  for (const vector of VECTORS) {
    const nowMs = (vector.timestamp ?? 1_700_000_000) * 1000;
    it(`${vector.scheme}: our signer reproduces the provider's published signature`, () => {
      const headers = lower(sign(vector.scheme, vector.body, vector.secret, { timestamp: vector.timestamp ?? 0, id: vector.id ?? 'x', url: vector.url, options: vector.options }));
      for (const [name, value] of Object.entries(vector.expect)) expect(headers[name], name).toBe(value);
    });

    it(`${vector.scheme}: our verifier accepts the published signature, and only it`, () => {
      const headers = { ...vector.expect, ...vector.extra };
      const check = { scheme: vector.scheme, body: vector.body, headers, secrets: vector.secret, nowMs, url: vector.url, options: vector.options };
      expect(ours(check)).toMatchObject({ verified: true, reason: null, secretIndex: 0 });
      const wrong = vector.scheme === 'standard' || vector.scheme === 'svix' ? `whsec_${Buffer.from('another key').toString('base64')}` : `${vector.secret}x`;
      expect(ours({ ...check, secrets: wrong })).toMatchObject({ verified: false, reason: 'signature_mismatch' });
      expect(ours({ ...check, body: `${vector.body} ` })).toMatchObject({ verified: false, reason: 'signature_mismatch' });
      // Auto-detection finds the same scheme from the headers alone.
      if (vector.scheme !== 'twilio' || vector.url) {
        const auto = verifyWith('auto', input(check), vector.options);
        expect(auto.result.verified).toBe(true);
        expect(auto.scheme?.name).toBe(vector.scheme);
      }
    });
  }

  it('twilio: the published parameters also verify when Twilio posts them in any order', () => {
    const shuffled = new URLSearchParams(Object.entries(TWILIO_PARAMS).reverse()).toString();
    const result = ours({ scheme: 'twilio', body: shuffled, headers: { 'X-Twilio-Signature': '0/KCTR6DLpKmkAf8muzZqo1nDgQ=' }, secrets: '12345', url: TWILIO_URL });
    expect(result.verified).toBe(true);
  });

  it('the official libraries reproduce the same published values (the vectors themselves are right)', async () => {
    const byScheme = Object.fromEntries(VECTORS.map((vector) => [vector.scheme, vector]));
    const gh = byScheme.github!;
    expect(await octokitSign(gh.secret, gh.body)).toBe(gh.expect['x-hub-signature-256']);
    expect(`sha1=${createHmac('sha1', gh.secret).update(gh.body).digest('hex')}`).toBe(gh.expect['x-hub-signature']);
    const st = byScheme.stripe!;
    expect(new Stripe('sk_test_x').webhooks.generateTestHeaderString({ payload: st.body, secret: st.secret, timestamp: st.timestamp! })).toBe(st.expect['stripe-signature']);
    const sw = byScheme.standard!;
    expect(new StandardWebhook(sw.secret).sign(sw.id!, new Date(sw.timestamp! * 1000), sw.body)).toBe(sw.expect['webhook-signature']);
    const sl = byScheme.slack!;
    expect(passes(() => boltVerify({ signingSecret: sl.secret, body: sl.body, headers: { 'x-slack-signature': sl.expect['x-slack-signature']!, 'x-slack-request-timestamp': sl.timestamp! }, nowMilliseconds: sl.timestamp! * 1000 }))).toBe(true);
    const sh = byScheme.shopify!;
    expect(getHmac(sh.body, sh.secret)).toBe(sh.expect['x-shopify-hmac-sha256']);
    expect(twilioWebhooks.getExpectedTwilioSignature('12345', TWILIO_URL, TWILIO_PARAMS)).toBe(byScheme.twilio!.expect['x-twilio-signature']);
    expect(twilioWebhooks.validateRequest('12345', '0/KCTR6DLpKmkAf8muzZqo1nDgQ=', TWILIO_URL, TWILIO_PARAMS)).toBe(true);
  });
});
