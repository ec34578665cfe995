import { createHmac } from 'node:crypto';
import { sign as octokitSign, verify as octokitVerify, verifyWithFallback } from '@octokit/webhooks-methods';
import '@shopify/shopify-api/adapters/node';
import { ApiVersion, LogSeverity, shopifyApi } from '@shopify/shopify-api';
import { getHmac } from '@shopify/shopify-api/test-helpers';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { signRequest } from '../../src/schemes/sign-request.js';
import { Webhook as SvixWebhook } from 'svix';
import { describe, expect, it } from 'vitest';
import { getScheme, verifyWith } from '../../src/schemes/registry.js';
import { atTime, boltVerify, input, lower, NOW_MS, NOW_S, ours, passes, sign, twilioWebhooks } from './support.js';

const stripe = new Stripe('sk_test_hookctl_conformance');
const STANDARD_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const BODIES = ['{"id":"evt_1","type":"invoice.paid","data":{"object":{"amount":4200}}}', '{"emoji":"héllo ✓ 🚀","n":[1,2,3]}\n', '{\r\n  "crlf": true\r\n}'];

describe('stripe@23', () => {
  const secret = 'whsec_test_secret_for_conformance';

  it('ours signs -> Stripe constructEvent verifies (and the reverse)', () => {
    for (const body of BODIES) {
      const header = lower(sign('stripe', body, secret))['stripe-signature']!;
      const event = stripe.webhooks.constructEvent(body, header, secret, 300, undefined, NOW_MS);
      expect(event).toEqual(JSON.parse(body));
      expect(() => stripe.webhooks.constructEvent(body, header, `${secret}x`, 300, undefined, NOW_MS)).toThrow(/No signatures found/);

      const theirs = stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp: NOW_S });
      expect(theirs).toBe(header);
      expect(ours({ scheme: 'stripe', body, headers: { 'Stripe-Signature': theirs }, secrets: secret })).toMatchObject({ verified: true });
    }
  });

  it('the whsec_ string is the key as is (not base64-decoded)', () => {
    const body = BODIES[0]!;
    const expected = createHmac('sha256', STANDARD_SECRET).update(`${NOW_S}.${body}`).digest('hex');
    expect(lower(sign('stripe', body, STANDARD_SECRET))['stripe-signature']).toBe(`t=${NOW_S},v1=${expected}`);
  });

  it('accepts future timestamps, refuses old ones, exactly at the same boundary as Stripe', () => {
    const body = BODIES[0]!;
    // now is NOW_S + 0.75 s; both sides floor it, so an age of exactly 300 s still passes.
    for (const [offset, accepted] of [[-300, true], [-301, false], [+10_000, true], [-10_000, false]] as const) {
      const header = stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp: NOW_S + offset });
      const theirs = passes(() => stripe.webhooks.constructEvent(body, header, secret, 300, undefined, NOW_MS));
      const result = ours({ scheme: 'stripe', body, headers: { 'stripe-signature': header }, secrets: secret });
      expect(theirs, `stripe at ${offset}s`).toBe(accepted);
      expect(result.verified, `ours at ${offset}s`).toBe(accepted);
      if (!accepted) expect(result).toMatchObject({ reason: 'timestamp_outside_tolerance', skewSeconds: offset });
    }
    // Tolerance 0 switches the age check off on both sides.
    const old = stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp: 1 });
    expect(passes(() => stripe.webhooks.constructEvent(body, old, secret, 0, undefined, NOW_MS))).toBe(true);
    expect(ours({ scheme: 'stripe', body, headers: { 'stripe-signature': old }, secrets: secret, toleranceSeconds: 0 }).verified).toBe(true);
  });

  it('rotation: several v1 signatures in one header, several secrets on our side', () => {
    const body = BODIES[1]!;
    const oldSecret = 'whsec_old';
    const newSecret = 'whsec_new';
    const a = stripe.webhooks.generateTestHeaderString({ payload: body, secret: oldSecret, timestamp: NOW_S });
    const b = stripe.webhooks.generateTestHeaderString({ payload: body, secret: newSecret, timestamp: NOW_S });
    // What Stripe sends while a secret is rolled: one t, one v1 per secret, and a v0 to ignore.
    const header = `${a},${b.split(',')[1]},v0=${'0'.repeat(64)}`;
    for (const secret of [oldSecret, newSecret]) {
      expect(passes(() => stripe.webhooks.constructEvent(body, header, secret, 300, undefined, NOW_MS))).toBe(true);
    }
    expect(ours({ scheme: 'stripe', body, headers: { 'stripe-signature': header }, secrets: oldSecret })).toMatchObject({ verified: true, secretIndex: 0 });
    expect(ours({ scheme: 'stripe', body, headers: { 'stripe-signature': header }, secrets: ['whsec_other', newSecret] })).toMatchObject({ verified: true, secretIndex: 1 });
    expect(ours({ scheme: 'stripe', body, headers: { 'stripe-signature': header }, secrets: ['whsec_other', 'whsec_another'] })).toMatchObject({ verified: false, reason: 'signature_mismatch' });
    // A malformed v1 beside a good one does not hide the good one, for Stripe or for us.
    const withJunk = `${a},v1=not-hex`;
    expect(passes(() => stripe.webhooks.constructEvent(body, withJunk, oldSecret, 300, undefined, NOW_MS))).toBe(true);
    expect(ours({ scheme: 'stripe', body, headers: { 'stripe-signature': withJunk }, secrets: oldSecret }).verified).toBe(true);
  });

  it('a t= with leading zeros is signed as Stripe re-prints it', () => {
    const body = BODIES[0]!;
    const v1 = createHmac('sha256', secret).update(`${NOW_S}.${body}`).digest('hex');
    const header = `t=0${NOW_S},v1=${v1}`;
    expect(passes(() => stripe.webhooks.constructEvent(body, header, secret, 300, undefined, NOW_MS))).toBe(true);
    expect(ours({ scheme: 'stripe', body, headers: { 'stripe-signature': header }, secrets: secret }).verified).toBe(true);
  });
});

describe('@octokit/webhooks-methods@6', () => {
  const secret = "It's a Secret to Everybody";

  it('ours signs -> octokit verifies, octokit signs -> ours verifies', async () => {
    for (const body of BODIES) {
      const header = lower(sign('github', body, secret))['x-hub-signature-256']!;
      expect(await octokitVerify(secret, body, header)).toBe(true);
      expect(await octokitVerify(`${secret}!`, body, header)).toBe(false);
      const theirs = await octokitSign(secret, body);
      expect(theirs).toBe(header);
      expect(ours({ scheme: 'github', body, headers: { 'X-Hub-Signature-256': theirs }, secrets: secret })).toMatchObject({ verified: true });
      expect(ours({ scheme: 'github', body, headers: { 'X-Hub-Signature-256': theirs }, secrets: `${secret}!` })).toMatchObject({ reason: 'signature_mismatch' });
    }
  });

  it('rotation agrees with verifyWithFallback', async () => {
    const body = BODIES[0]!;
    const header = await octokitSign('new-secret', body);
    expect(await verifyWithFallback('old-secret', body, header, ['new-secret'])).toBe(true);
    expect(ours({ scheme: 'github', body, headers: { 'x-hub-signature-256': header }, secrets: ['old-secret', 'new-secret'] })).toMatchObject({ verified: true, secretIndex: 1 });
    expect(await verifyWithFallback('old-secret', body, header, ['other'])).toBe(false);
    expect(ours({ scheme: 'github', body, headers: { 'x-hub-signature-256': header }, secrets: ['old-secret', 'other'] }).verified).toBe(false);
  });
});

describe('standardwebhooks@1.1.1 and svix@1.99', () => {
  const id = 'msg_2Lm1Yv0Jb1oNn4Oq7Tt9Zz';

  function theirHeaders(prefix: 'webhook' | 'svix', secret: string, body: string, timestamp: number): Record<string, string> {
    const signature = new StandardWebhook(secret).sign(id, new Date(timestamp * 1000), body);
    return { [`${prefix}-id`]: id, [`${prefix}-timestamp`]: String(timestamp), [`${prefix}-signature`]: signature };
  }

  it('ours signs -> standardwebhooks verifies, and the reverse', () => {
    for (const body of BODIES) {
      const headers = lower(sign('standard', body, STANDARD_SECRET, { id }));
      expect(atTime(NOW_MS, () => new StandardWebhook(STANDARD_SECRET).verify(body, headers))).toEqual(JSON.parse(body));
      expect(headers).toEqual(theirHeaders('webhook', STANDARD_SECRET, body, NOW_S));
      expect(ours({ scheme: 'standard', body, headers: theirHeaders('webhook', STANDARD_SECRET, body, NOW_S), secrets: STANDARD_SECRET }).verified).toBe(true);
    }
  });

  it('ours signs -> svix verifies (svix- headers), and the reverse', () => {
    for (const body of BODIES) {
      const headers = lower(sign('svix', body, STANDARD_SECRET, { id }));
      expect(Object.keys(headers).sort()).toEqual(['svix-id', 'svix-signature', 'svix-timestamp']);
      expect(atTime(NOW_MS, () => new SvixWebhook(STANDARD_SECRET).verify(body, headers))).toEqual(JSON.parse(body));
      const theirs = theirHeaders('svix', STANDARD_SECRET, body, NOW_S);
      expect(ours({ scheme: 'svix', body, headers: theirs, secrets: STANDARD_SECRET }).verified).toBe(true);
      // Like svix's library, the svix scheme also reads webhook-* headers.
      expect(ours({ scheme: 'svix', body, headers: theirHeaders('webhook', STANDARD_SECRET, body, NOW_S), secrets: STANDARD_SECRET }).verified).toBe(true);
    }
  });

  it('the whsec_ secret is base64-decoded after the prefix (unlike Stripe)', () => {
    const body = BODIES[0]!;
    const key = Buffer.from(STANDARD_SECRET.slice('whsec_'.length), 'base64');
    const expected = createHmac('sha256', key).update(`${id}.${NOW_S}.${body}`).digest('base64');
    expect(lower(sign('standard', body, STANDARD_SECRET, { id }))['webhook-signature']).toBe(`v1,${expected}`);
    expect(lower(sign('stripe', body, STANDARD_SECRET))['stripe-signature']).not.toContain(Buffer.from(expected, 'base64').toString('hex'));
  });

  it('refuses timestamps too old AND too new, at the library boundary', () => {
    const body = BODIES[0]!;
    for (const [offset, accepted] of [[-300, true], [-301, false], [300, true], [301, false], [-10_000, false], [10_000, false]] as const) {
      const headers = theirHeaders('webhook', STANDARD_SECRET, body, NOW_S + offset);
      const theirs = atTime(NOW_MS, () => passes(() => new StandardWebhook(STANDARD_SECRET).verify(body, headers)));
      const result = ours({ scheme: 'standard', body, headers, secrets: STANDARD_SECRET });
      expect(theirs, `standardwebhooks at ${offset}s`).toBe(accepted);
      expect(result.verified, `ours at ${offset}s`).toBe(accepted);
      if (!accepted) expect(result).toMatchObject({ reason: 'timestamp_outside_tolerance', skewSeconds: offset });
    }
  });

  it('rotation: several space-separated signatures, several secrets', () => {
    const body = BODIES[2]!;
    const other = `whsec_${Buffer.from('the-next-secret-32-bytes-long!!!').toString('base64')}`;
    const a = theirHeaders('webhook', STANDARD_SECRET, body, NOW_S);
    const b = theirHeaders('webhook', other, body, NOW_S);
    const headers = { ...a, 'webhook-signature': `v2,ignored-future-version ${a['webhook-signature']} ${b['webhook-signature']}` };
    for (const secret of [STANDARD_SECRET, other]) {
      expect(atTime(NOW_MS, () => passes(() => new StandardWebhook(secret).verify(body, headers)))).toBe(true);
      expect(ours({ scheme: 'standard', body, headers, secrets: secret }).verified).toBe(true);
    }
    expect(ours({ scheme: 'standard', body, headers: b, secrets: [STANDARD_SECRET, other] })).toMatchObject({ verified: true, secretIndex: 1 });
  });

  it('a sender using the key raw (format: "raw") is diagnosed as a secret-encoding mix-up', () => {
    const body = BODIES[0]!;
    const secret = 'whsec_plainTextKeyUsedRaw';
    const signature = new StandardWebhook(secret, { format: 'raw' }).sign(id, new Date(NOW_S * 1000), body);
    const headers = { 'webhook-id': id, 'webhook-timestamp': String(NOW_S), 'webhook-signature': signature };
    const { result } = verifyWith('standard', input({ scheme: 'standard', body, headers, secrets: secret }));
    expect(result).toMatchObject({ verified: false, reason: 'signature_mismatch' });
    expect(result.diagnosis).toMatch(/secret string used as-is \(UTF-8\)/);
  });
});

describe('@slack/bolt@5 verifySlackRequest', () => {
  const secret = '8f742231b10e8888abcd99yyyzzz85a5';

  function bolt(body: string, headers: Record<string, string>, nowMilliseconds = NOW_MS): boolean {
    return passes(() =>
      boltVerify({
        signingSecret: secret,
        body,
        headers: { 'x-slack-signature': headers['x-slack-signature']!, 'x-slack-request-timestamp': Number(headers['x-slack-request-timestamp']) },
        nowMilliseconds,
      }),
    );
  }

  it('ours signs -> Bolt verifies; a node:crypto signature per the docs -> ours verifies', () => {
    for (const body of [...BODIES, 'token=abc&text=hello+world']) {
      const headers = lower(sign('slack', body, secret));
      expect(bolt(body, headers)).toBe(true);
      expect(bolt(`${body} `, headers)).toBe(false);
      const documented = `v0=${createHmac('sha256', secret).update(`v0:${NOW_S}:${body}`).digest('hex')}`;
      expect(ours({ scheme: 'slack', body, headers: { 'X-Slack-Signature': documented, 'X-Slack-Request-Timestamp': String(NOW_S) }, secrets: secret }).verified).toBe(true);
    }
  });

  it('old timestamps: refused by both at the same boundary; future: Bolt accepts, we follow Slack docs and refuse', () => {
    const body = BODIES[0]!;
    for (const [offset, boltAccepts, weAccept] of [[-300, true, true], [-301, false, false], [300, true, true], [301, true, false], [5000, true, false]] as const) {
      const headers = lower(sign('slack', body, secret, { timestamp: NOW_S + offset }));
      expect(bolt(body, headers), `bolt at ${offset}s`).toBe(boltAccepts);
      const result = ours({ scheme: 'slack', body, headers, secrets: secret });
      expect(result.verified, `ours at ${offset}s`).toBe(weAccept);
      if (!weAccept) expect(result).toMatchObject({ reason: 'timestamp_outside_tolerance', skewSeconds: offset });
    }
  });
});

describe('@shopify/shopify-api@13 webhooks.validate', () => {
  const secret = 'hush-shopify-api-secret';
  const shopify = shopifyApi({
    apiKey: 'hookctl-test-key',
    apiSecretKey: secret,
    apiVersion: ApiVersion.October25,
    hostName: 'hookctl.test',
    isEmbeddedApp: false,
    logger: { level: LogSeverity.Error, log: async () => {} },
  });
  const delivery = {
    'X-Shopify-Topic': 'orders/create',
    'X-Shopify-Shop-Domain': 'hookctl-dev.myshopify.com',
    'X-Shopify-API-Version': '2025-10',
    'X-Shopify-Webhook-Id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
  };

  async function validate(body: string, headers: Record<string, string>) {
    // The node adapter reads only headers/method/url from the request object.
    return shopify.webhooks.validate({ rawBody: body, rawRequest: { headers: lower(headers), method: 'POST', url: '/webhooks' } as never, rawResponse: {} as never });
  }

  it('ours signs (with our delivery headers) -> Shopify validates, and the reverse', async () => {
    for (const body of BODIES) {
      const { headers } = signRequest(getScheme('shopify'), { body: Buffer.from(body), secret, timestamp: NOW_S, id: 'wh_1', type: 'orders/paid' });
      expect(await validate(body, headers)).toMatchObject({ valid: true, topic: 'ORDERS_PAID' });
      expect(await validate(body, { ...headers, 'X-Shopify-Hmac-Sha256': lower(sign('shopify', body, 'other'))['x-shopify-hmac-sha256']! })).toMatchObject({ valid: false, reason: 'invalid_hmac' });

      const theirs = getHmac(body, secret);
      expect(theirs).toBe(headers['X-Shopify-Hmac-Sha256']);
      expect(ours({ scheme: 'shopify', body, headers: { ...delivery, 'X-Shopify-Hmac-Sha256': theirs }, secrets: secret }).verified).toBe(true);
    }
  });

  it('a valid HMAC without the required headers is refused by both, with the same names missing', async () => {
    const body = BODIES[0]!;
    const hmac = getHmac(body, secret);
    const theirs = await validate(body, { 'X-Shopify-Hmac-Sha256': hmac, 'X-Shopify-Topic': 'orders/create' });
    expect(theirs).toMatchObject({ valid: false, reason: 'missing_headers' });
    const result = ours({ scheme: 'shopify', body, headers: { 'X-Shopify-Hmac-Sha256': hmac, 'X-Shopify-Topic': 'orders/create' }, secrets: secret });
    expect(result).toMatchObject({ verified: false, reason: 'missing_header', secretIndex: 0 });
    for (const name of (theirs as { missingHeaders: string[] }).missingHeaders) expect(result.message.toLowerCase()).toContain(name.toLowerCase());
  });

  it('Events deliveries (unprefixed Shopify-* headers) agree too', async () => {
    const body = BODIES[0]!;
    const headers = {
      'shopify-hmac-sha256': getHmac(body, secret),
      'shopify-topic': 'orders/create',
      'shopify-shop-domain': 'hookctl-dev.myshopify.com',
      'shopify-api-version': '2025-10',
      'shopify-webhook-id': 'wh_2',
      'shopify-event-id': 'ev_2',
    };
    expect(await validate(body, headers)).toMatchObject({ valid: true, webhookType: 'events' });
    expect(ours({ scheme: 'shopify', body, headers, secrets: secret }).verified).toBe(true);
    const { 'shopify-event-id': _dropped, ...without } = headers;
    expect(await validate(body, without)).toMatchObject({ valid: false });
    expect(ours({ scheme: 'shopify', body, headers: without, secrets: secret }).reason).toBe('missing_header');
  });
});

describe('twilio@6 validateRequest', () => {
  const token = '12345';
  const params = { CallSid: 'CA1234567890ABCDE', Caller: '+12349013030', Digits: '1234', From: '+12349013030', To: '+18005551212', Body: 'héllo wörld & more' };
  const form = new URLSearchParams(params).toString();

  it('form posts: ours signs -> twilio validates, twilio signs -> ours verifies', () => {
    for (const url of ['https://mycompany.com/myapp.php?foo=1&bar=2', 'https://example.com:8443/sms', 'https://user:pass@example.com/voice']) {
      const signature = lower(sign('twilio', form, token, { url }))['x-twilio-signature']!;
      expect(twilioWebhooks.validateRequest(token, signature, url, params)).toBe(true);
      expect(twilioWebhooks.validateRequest(token, signature, url, { ...params, Digits: '9' })).toBe(false);
      const theirs = twilioWebhooks.getExpectedTwilioSignature(token, url, params);
      expect(theirs).toBe(signature);
      const headers = { 'X-Twilio-Signature': theirs, 'Content-Type': 'application/x-www-form-urlencoded' };
      expect(ours({ scheme: 'twilio', body: form, headers, secrets: token, url }).verified).toBe(true);
    }
  });

  it('the default port may be present or not, as in twilio (user-info URLs included)', () => {
    const signed = 'https://user:pass@example.com/voice';
    const theirs = twilioWebhooks.getExpectedTwilioSignature(token, signed, params);
    for (const url of ['https://user:pass@example.com:443/voice', signed]) {
      expect(twilioWebhooks.validateRequest(token, theirs, url, params)).toBe(true);
      expect(ours({ scheme: 'twilio', body: form, headers: { 'x-twilio-signature': theirs, 'content-type': 'application/x-www-form-urlencoded' }, secrets: token, url }).verified).toBe(true);
    }
  });

  it('JSON bodies: the URL carries bodySHA256 and only the URL is signed', () => {
    const body = BODIES[1]!;
    const url = getScheme('twilio').targetUrl!('https://example.com/status', Buffer.from(body));
    expect(url).toMatch(/\?bodySHA256=[0-9a-f]{64}$/);
    const signature = lower(sign('twilio', body, token, { url: 'https://example.com/status' }))['x-twilio-signature']!;
    expect(twilioWebhooks.validateRequestWithBody(token, signature, url, body)).toBe(true);
    const theirs = twilioWebhooks.getExpectedTwilioSignature(token, url, {});
    expect(theirs).toBe(signature);
    expect(ours({ scheme: 'twilio', body, headers: { 'x-twilio-signature': theirs, 'content-type': 'application/json' }, secrets: token, url }).verified).toBe(true);
    // The body is covered by the hash: a changed body fails on both sides, even with the URL signature intact.
    expect(twilioWebhooks.validateRequestWithBody(token, signature, url, `${body} `)).toBe(false);
    expect(ours({ scheme: 'twilio', body: `${body} `, headers: { 'x-twilio-signature': theirs }, secrets: token, url }).reason).toBe('signature_mismatch');
    // A bodySHA256 that is not even hex cannot be satisfied (it once skipped the body check).
    const bogus = 'https://example.com/status?bodySHA256=nothex';
    const bogusSig = twilioWebhooks.getExpectedTwilioSignature(token, bogus, {});
    expect(twilioWebhooks.validateRequestWithBody(token, bogusSig, bogus, body)).toBe(false);
    expect(ours({ scheme: 'twilio', body, headers: { 'x-twilio-signature': bogusSig }, secrets: token, url: bogus }).verified).toBe(false);
  });
});

