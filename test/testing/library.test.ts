import { verify as octokitVerify } from '@octokit/webhooks-methods';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { generateEd25519KeyPair, getScheme, signRequest, verifyWith } from '../../src/index.js';
import { loadSample, sampleSchemes, sampleTypes } from '../../src/records/samples.js';
import { SCHEME_NAMES } from '../../src/schemes/names.js';
import { SCHEME_CATALOG } from '../../src/schemes/catalog.js';
import { deliveryRecord } from '../../src/commands/listen/ndjson.js';
import type { Delivery } from '../../src/listen/types.js';
import { receivedDelivery } from '../../src/testing/receiver.js';
import { samples, send, sign, signedDelivery, signedRequest, startReceiver, verify, webhookMatchers, type SigningKey, type VerifyingKey, type WebhookMatchers } from '../../src/testing/index.js';

expect.extend(webhookMatchers);
declare module 'vitest' {
  interface Assertion<T = any> extends WebhookMatchers<T> {}
}

afterEach(() => vi.useRealTimers());

const stripe = new Stripe('sk_test_hookctl_library');
const STRIPE_SECRET = 'whsec_library_test_secret';
const STANDARD_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const NOW = Date.UTC(2026, 0, 15, 10, 0, 0);

/** A PEM key pair of the kind a key-pair provider signs with. */
function pemPair(kind: 'ed25519' | 'ec' | 'rsa'): { privateKey: string; publicKey: string } {
  const pair = kind === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : kind === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ed25519');
  return { privateKey: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKey: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

/**
 * The keys each scheme signs and verifies with: a PEM key pair for the catalog's key-pair
 * providers, else a secret in the form the scheme reads (its key encoding); and the options it needs.
 */
function setupFor(scheme: string): { sign: SigningKey; verify: VerifyingKey; url: string; signatureHeader?: string } {
  const url = 'https://example.test/webhooks';
  const extra = { url, ...(scheme === 'hmac' ? { signatureHeader: 'X-Signature' } : {}) };
  const keys = SCHEME_CATALOG.find((info) => info.scheme === scheme)?.keys;
  if (keys) {
    const pair = pemPair(keys === 'ec-p256' ? 'ec' : keys);
    return { sign: { privateKey: pair.privateKey }, verify: { publicKey: pair.publicKey }, ...extra };
  }
  const encoding = getScheme(scheme, { signatureHeader: 'X-Signature' }).keyEncoding;
  const secret = encoding === 'base64' ? STANDARD_SECRET : encoding === 'hex' ? 'a1b2c3d4e5f60718293a4b5c6d7e8f90' : `${scheme}-secret`;
  return { sign: { secret }, verify: { secret }, ...extra };
}

/** Every scheme hookctl can both sign and verify (the catalog says which). */
const SIGNING_SCHEMES = SCHEME_CATALOG.filter((info) => info.signs && info.verifies).map((info) => info.scheme);

describe('every scheme, by name', () => {
  it('the catalog covers every scheme name', async () => {
    expect(SCHEME_CATALOG.map((info) => info.scheme).sort()).toEqual([...SCHEME_NAMES].sort());
  });

  it.each(SIGNING_SCHEMES)('%s: signedDelivery verifies with verify(), at its own now', async (scheme) => {
    const { sign: key, verify: verifyKey, ...setup } = setupFor(scheme);
    const delivery = await signedDelivery({ scheme, ...key, ...setup, now: NOW, id: 'evt_library_0001' });
    expect(delivery.body.length).toBeGreaterThan(0);
    const result = verify({ scheme, ...verifyKey, ...setup, headers: delivery.headers, body: delivery.body, now: NOW, ...(delivery.url ? { url: delivery.url } : {}) });
    expect(result, result.message).toMatchObject({ ok: true, reason: null });
    // And the same delivery signed with a wrong key of the same kind is refused.
    const wrong = await signedDelivery({ scheme, ...key, ...setup, now: NOW, id: 'evt_library_0001', wrongSecret: true });
    expect(verify({ scheme, ...verifyKey, ...setup, headers: wrong.headers, body: wrong.body, now: NOW, ...(wrong.url ? { url: wrong.url } : {}) }).ok).toBe(false);
  });

  it('a key pair: privateKey signs, publicKey verifies (Standard Webhooks v1a, Ed25519)', async () => {
    const { secretKey, publicKey } = generateEd25519KeyPair();
    const delivery = await signedDelivery({ scheme: 'standard', privateKey: secretKey, event: 'invoice.paid', now: NOW });
    expect(delivery.headers['webhook-signature']).toMatch(/^v1a,/);
    expect(verify({ scheme: 'standard', publicKey, headers: delivery.headers, body: delivery.body, now: NOW })).toMatchObject({ ok: true });
    expect(() => sign({ scheme: 'standard', secret: 's', privateKey: secretKey, body: '{}' } as never)).toThrow(/secret and privateKey: give one or the other/);
    await using receiver = await startReceiver({ scheme: 'standard', publicKey });
    expect(await send(receiver.url, { scheme: 'standard', privateKey: secretKey })).toMatchObject({ status: 200 });
    expect(await send(receiver.url, { scheme: 'standard', privateKey: secretKey, wrongSecret: true })).toMatchObject({ status: 401 });
  });

  it('an unknown scheme (or a Scheme object passed by mistake) is a TypeError naming every scheme', async () => {
    expect(() => sign({ scheme: 'strpe', secret: 's', body: '{}' })).toThrow(/scheme: unknown scheme "strpe"; expected one of github, stripe/);
    expect(() => sign({ scheme: getScheme('github') as unknown as string, secret: 's', body: '{}' })).toThrow(/unknown scheme an object \(pass the scheme's name\)/);
    expect(() => sign({ scheme: undefined as unknown as string, secret: 's', body: '{}' })).toThrow(/unknown scheme undefined \(pass the scheme's name\)/);
  });
});

describe('bytes end to end', () => {
  it('an object body is serialised once, and those bytes are both signed and sent', async () => {
    const payload = { id: 'evt_1', type: 'invoice.paid', data: { amount: 1.5, note: 'ü' } };
    const delivery = await signedDelivery({ scheme: 'stripe', secret: STRIPE_SECRET, body: payload, now: NOW });
    expect(delivery.body.toString('utf8')).toBe(JSON.stringify(payload));
    expect(stripe.webhooks.constructEvent(delivery.body, delivery.headers['Stripe-Signature']!, STRIPE_SECRET, 300, undefined, NOW)).toMatchObject({ id: 'evt_1' });
    const request = await signedRequest('http://localhost/hook', { scheme: 'stripe', secret: STRIPE_SECRET, body: payload, now: NOW });
    expect(Buffer.from(await request.arrayBuffer()).equals(delivery.body)).toBe(true);
  });

  it('bytes that are not UTF-8 go through untouched', async () => {
    const body = new Uint8Array([0xff, 0x00, 0xfe, 0x41]);
    const delivery = await signedDelivery({ scheme: 'hmac', secret: 'k', signatureHeader: 'X-Sig', body });
    expect([...delivery.body]).toEqual([...body]);
    expect(verify({ scheme: 'hmac', signatureHeader: 'X-Sig', secret: 'k', headers: delivery.headers, body }).ok).toBe(true);
  });

  it('now and id make a delivery deterministic; without id each gets a fresh one', async () => {
    const options = { scheme: 'standard', secret: STANDARD_SECRET, body: { type: 'invoice.paid' }, now: new Date(NOW), id: 'msg_fixed' };
    expect(sign(options)).toEqual(sign(options));
    expect(sign(options)['webhook-timestamp']).toBe(String(NOW / 1000));
    expect(sign(options)['webhook-id']).toBe('msg_fixed');
    const { id: _, ...withoutId } = options;
    expect(sign(withoutId)['webhook-id']).not.toBe(sign(withoutId)['webhook-id']);
  });

  it('sign takes the bytes it signs: without a body it says where a sample comes from', () => {
    expect(() => sign({ scheme: 'github', secret: 's', event: 'push' })).toThrow(/body: sign needs the bytes to sign; for a sample event, `await signedDelivery/);
  });

  it('a Stripe sample gets the asked id in its body, as send --id does', async () => {
    const delivery = await signedDelivery({ scheme: 'stripe', secret: STRIPE_SECRET, event: 'invoice.payment_failed', id: 'evt_library_fixed_id', now: NOW });
    expect(JSON.parse(delivery.body.toString('utf8'))).toMatchObject({ id: 'evt_library_fixed_id', type: 'invoice.payment_failed' });
    expect(delivery.eventId).toBe('evt_library_fixed_id');
  });
});

describe('tampering, the same names in every function', () => {
  const base = { scheme: 'stripe', secret: STRIPE_SECRET, event: 'payment_intent.succeeded', now: NOW } as const;

  async function check(options: Parameters<typeof signedDelivery>[0]) {
    const delivery = await signedDelivery(options);
    return verify({ scheme: options.scheme, secret: options.secret!, headers: delivery.headers, body: delivery.body, now: NOW });
  }

  it('stale and futureTimestamp: outside the tolerance, Stripe agrees', async () => {
    expect(await check({ ...base, stale: '10m' })).toMatchObject({ ok: false, reason: 'timestamp_outside_tolerance' });
    expect(await check({ ...base, stale: 4 * 60_000 })).toMatchObject({ ok: true });
    // Stripe's library accepts a timestamp from the future, and so does the stripe scheme; Standard Webhooks refuses it.
    expect(await check({ ...base, futureTimestamp: true })).toMatchObject({ ok: true });
    expect(await check({ scheme: 'standard', secret: STANDARD_SECRET, now: NOW, futureTimestamp: '6m' })).toMatchObject({ ok: false, reason: 'timestamp_outside_tolerance' });
    const stale = await signedDelivery({ ...base, stale: true });
    expect(() => stripe.webhooks.constructEvent(stale.body, stale.headers['Stripe-Signature']!, STRIPE_SECRET, 300, undefined, NOW)).toThrow(/Timestamp outside the tolerance zone/);
  });

  it('stale on a scheme that signs no timestamp is an error, not a vacuous pass', async () => {
    expect(() => sign({ scheme: 'github', secret: 's', body: '{}', stale: '10m' })).toThrow(/stale: github signs no timestamp/);
  });

  it('reserialize: the signature covers the original, the body sent is re-emitted; the diagnosis names it', async () => {
    const result = await check({ ...base, reserialize: true });
    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
    expect(result.diagnosis).toMatch(/re-serialized/);
    // A compact body (GitHub's) is re-emitted pretty, so it still differs.
    const github = await signedDelivery({ scheme: 'github', secret: 's', event: 'push', reserialize: true });
    expect(github.body.toString('utf8')).toContain('\n  ');
    expect(verify({ scheme: 'github', secret: 's', headers: github.headers, body: github.body }).ok).toBe(false);
    // sign() returns headers only: they are the re-emitted bytes', so the body as given fails.
    const body = '{"a": 1}';
    expect(verify({ scheme: 'github', secret: 's', headers: sign({ scheme: 'github', secret: 's', body, reserialize: true }), body }).ok).toBe(false);
  });

  it('wrongSecret keeps the secret shape (a whsec_ secret stays valid base64) and fails on the signature', async () => {
    expect(await check({ ...base, wrongSecret: true })).toMatchObject({ ok: false, reason: 'signature_mismatch' });
    const standard = await signedDelivery({ scheme: 'standard', secret: STANDARD_SECRET, wrongSecret: true });
    expect(() => new StandardWebhook(STANDARD_SECRET).verify(standard.body.toString(), lower(standard.headers))).toThrow(/No matching signature found/);
    expect(await check({ ...base, wrongSecret: 'whsec_other' })).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('missingHeader of a header the provider does not send is an error, not a vacuous pass', async () => {
    expect(() => signedDelivery({ ...base, missingHeader: 'X-Hub-Signature-256' })).toThrow(/missingHeader: stripe sends no x-hub-signature-256 header, so leaving it out changes nothing/);
  });

  it('a spoiled delivery that verifies all the same is an error: dropping a header the signature does not need', async () => {
    expect(() => signedDelivery({ scheme: 'github', secret: 's', event: 'push', missingHeader: 'X-GitHub-Event' })).toThrow(/missingHeader: this github delivery verifies all the same, so a correct handler accepts it/);
  });

  it('missingHeader drops the signature header, or the one named', async () => {
    expect(await check({ ...base, missingHeader: true })).toMatchObject({ ok: false, reason: 'missing_signature' });
    const noTimestamp = await signedDelivery({ scheme: 'standard', secret: STANDARD_SECRET, missingHeader: 'Webhook-Timestamp', now: NOW });
    expect(Object.keys(noTimestamp.headers).map((name) => name.toLowerCase())).not.toContain('webhook-timestamp');
    expect(verify({ scheme: 'standard', secret: STANDARD_SECRET, headers: noTimestamp.headers, body: noTimestamp.body, now: NOW })).toMatchObject({ ok: false, reason: 'missing_timestamp' });
  });
});

function lower(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

describe('signedRequest', () => {
  it('carries a GitHub sample that octokit verifies', async () => {
    // The contract's form: a Request at once, sample or not, so a handler can take it inline.
    const request = signedRequest('http://localhost/api/github', { scheme: 'github', secret: 'gh-secret', event: 'pull_request.opened' });
    expect(request).toBeInstanceOf(Request);
    expect(request.method).toBe('POST');
    expect(request.headers.get('x-github-event')).toBe('pull_request');
    const body = await request.text();
    expect(JSON.parse(body)).toMatchObject({ action: 'opened' });
    expect(await octokitVerify('gh-secret', body, request.headers.get('x-hub-signature-256')!)).toBe(true);
  });
});

describe('samples', () => {
  it('lists every sample of hookctl samples, each by the name send --event takes, with its bytes', async () => {
    // Samples may carry fresh timestamps (made as they are read): one clock for both readings.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
    const listed = await samples.list();
    const expected: Array<{ scheme: string; event: string }> = [];
    for (const scheme of await sampleSchemes()) for (const event of await sampleTypes(scheme)) expected.push({ scheme, event });
    expect(listed).toEqual(expected);
    expect(listed).toContainEqual({ scheme: 'stripe', event: 'payment_intent.succeeded' });
    for (const { scheme, event } of listed) {
      const ours = await samples.get(scheme, event);
      expect(ours.body.toString('utf8'), `${scheme}/${event}`).toBe((await loadSample(scheme, event))!.body);
      expect(ours.event).toBe(event);
    }
  });

  it("every scheme's default sample, signed by name, verifies", async () => {
    const signing = new Set<string>(SIGNING_SCHEMES);
    for (const scheme of (await samples.schemes()).filter((name) => signing.has(name))) {
      const { sign: key, verify: verifyKey, ...setup } = setupFor(scheme);
      const delivery = await signedDelivery({ scheme, ...key, ...setup, now: NOW });
      const result = verify({ scheme, ...verifyKey, ...setup, headers: delivery.headers, body: delivery.body, now: NOW, ...(delivery.url ? { url: delivery.url } : {}) });
      expect(result.ok, `${scheme}: ${result.message}`).toBe(true);
    }
  });

  it('an unknown event names the samples there are', async () => {
    await expect(samples.get('stripe', 'nope.nothing')).rejects.toThrow(/no stripe sample for event "nope.nothing" \(there are: .*payment_intent\.succeeded/);
  });
});

describe('send and startReceiver', () => {
  it('a verified delivery, recorded as listen --json records it, plus headers and body', async () => {
    await using receiver = await startReceiver({ secret: STANDARD_SECRET, scheme: 'standard' });
    const result = await send(receiver.url, { scheme: 'standard', secret: STANDARD_SECRET, event: 'invoice.paid', id: 'msg_receiver_1' });
    expect(result).toMatchObject({ status: 200, delivered: true, eventId: 'msg_receiver_1', attempts: 1 });
    expect(JSON.parse(result.body)).toMatchObject({ ok: true, eventId: 'msg_receiver_1' });
    const [delivery] = await receiver.waitFor(1);
    expect(Object.keys(delivery!).slice(0, 13)).toEqual(['type', 'id', 'eventId', 'eventType', 'method', 'path', 'scheme', 'verified', 'reason', 'duplicate', 'status', 'bytes', 'capture']);
    expect(delivery).toMatchObject({ type: 'delivery', eventId: 'msg_receiver_1', eventType: 'invoice.paid', verified: true, status: 200, duplicate: false, capture: null, forward: null });
    expect(delivery!.body.equals((await samples.get('standard', 'invoice.paid')).body)).toBe(true);
    expect(delivery!.headers['webhook-id']).toBe('msg_receiver_1');
  });

  it('retries as --retries means, every attempt re-signed with the same id', async () => {
    await using receiver = await startReceiver({ secret: STRIPE_SECRET, failFirst: 2, failStatus: 503 });
    const once = await send(receiver.url, { scheme: 'stripe', secret: STRIPE_SECRET, id: 'evt_retry_once_0001' });
    expect(once).toMatchObject({ status: 503, delivered: false, attempts: 1 });
    const retried = await send(receiver.url, { scheme: 'stripe', secret: STRIPE_SECRET, id: 'evt_retry_twice_001', retries: 3, retrySchedule: '0,10ms' });
    expect(retried).toMatchObject({ status: 200, delivered: true, attempts: 3, eventId: 'evt_retry_twice_001' });
    expect(retried.history.map((attempt) => attempt.status)).toEqual([503, 503, 200]);
  });

  it('a URL that is not one is a TypeError, not a result whose attempt failed', async () => {
    await expect(send('not a url', { scheme: 'github', secret: 's', body: '{}' })).rejects.toThrow(new TypeError('url: "not a url" is not an http:// or https:// URL'));
    await expect(send('ftp://127.0.0.1/x', { scheme: 'github', secret: 's', body: '{}' })).rejects.toThrow(/url: "ftp:\/\/127.0.0.1\/x" is not an http:\/\/ or https:\/\/ URL/);
  });

  it('maxBody takes bytes or a size as --max-body does; a size that is none is a TypeError', async () => {
    await using receiver = await startReceiver({ maxBody: '1kb' });
    expect((await send(receiver.url, { scheme: 'github', secret: 's', body: { pad: 'x'.repeat(2000) } })).status).toBe(413);
    expect((await send(receiver.url, { scheme: 'github', secret: 's', body: { pad: 'x'.repeat(500) } })).status).toBe(200);
    await expect(startReceiver({ maxBody: -1 })).rejects.toThrow(new TypeError("maxBody: expected a size like '64kb' or a whole number of bytes >= 0, got -1"));
    await expect(startReceiver({ maxBody: 'lots' })).rejects.toThrow(/maxBody: expected a size like 512, 64kb, 1mb or 1MiB, got "lots"/);
  });

  it('status, failFirst and failStatus out of range are TypeErrors, not a receiver that answers 500 to everything', async () => {
    await expect(startReceiver({ status: 99 })).rejects.toThrow(new TypeError('status: expected a whole number between 100 and 599, got 99'));
    await expect(startReceiver({ failStatus: 1000 })).rejects.toThrow(/failStatus: expected a whole number between 100 and 599, got 1000/);
    await expect(startReceiver({ failFirst: 1.5 })).rejects.toThrow(/failFirst: expected a whole number between 0 and \d+, got 1.5/);
    await expect(startReceiver({ failFirst: -1 })).rejects.toThrow(/failFirst: expected a whole number/);
  });

  it('refusals come back as results: 401 with the reason', async () => {
    await using receiver = await startReceiver({ secret: STRIPE_SECRET });
    const result = await send(receiver.url, { scheme: 'stripe', secret: STRIPE_SECRET, stale: '10m' });
    expect(result.status).toBe(401);
    expect(JSON.parse(result.body)).toMatchObject({ reason: 'timestamp_outside_tolerance' });
  });

  it('waitFor times out listing what did arrive; a predicate waits for the one it wants', async () => {
    const receiver = await startReceiver({ secret: STRIPE_SECRET });
    await send(receiver.url, { scheme: 'stripe', secret: STRIPE_SECRET, wrongSecret: true, event: 'invoice.payment_failed' });
    const error = await receiver.waitFor((delivery) => delivery.verified === true, { timeout: 100 }).catch((caught: Error) => caught);
    expect(String(error)).toMatch(/timed out after 100 ms waiting for a delivery matching the predicate; 1 arrived at http:\/\/127\.0\.0\.1:\d+\/:\n  1\. POST \/ → 401 \[stripe invoice.payment_failed evt_\w+\], NOT verified \(signature_mismatch/);
    const pending = receiver.waitFor((delivery) => delivery.verified === true);
    await send(receiver.url, { scheme: 'stripe', secret: STRIPE_SECRET });
    expect((await pending).verified).toBe(true);
    const empty = await startReceiver();
    await expect(empty.waitFor(1, { timeout: 50 })).rejects.toThrow(/nothing arrived at http:\/\/127\.0\.0\.1/);
    await Promise.all([receiver.close(), receiver.close(), empty.close()]);
    await receiver.close();
    await expect(receiver.waitFor(5)).rejects.toThrow(/the receiver was closed/);
  });

  it('a closed receiver refuses connections (await using closed it)', async () => {
    let url = '';
    {
      await using receiver = await startReceiver();
      url = receiver.url;
    }
    const result = await send(url, { scheme: 'github', secret: 's' });
    expect(result).toMatchObject({ status: null, delivered: false });
    expect(result.history[0]!.error).toMatch(/ECONNREFUSED/);
  });
});

describe("the receiver's records", () => {
  it('are the delivery records of listen --json, field for field and in order, plus headers and body', async () => {
    const delivery: Delivery = {
      id: '20260115T100000000Z-000001',
      receivedAt: new Date(NOW),
      method: 'POST',
      path: '/hooks?x=1',
      headers: { 'stripe-signature': 't=1,v1=00' },
      body: Buffer.from('{"id":"evt_1"}'),
      bytes: 14,
      scheme: 'stripe',
      eventId: 'evt_1',
      eventType: 'invoice.paid',
      idempotencyKey: 'evt_1',
      verified: false,
      reason: 'signature_mismatch',
      verification: { verified: false, scheme: 'stripe', reason: 'signature_mismatch', message: 'no signature matched', diagnosis: 'a "quoted" cause' },
      duplicate: false,
      status: 401,
      reset: false,
      injected: false,
      note: 'why "this"',
      capture: null,
      forward: null,
      forwardQueued: false,
      ms: 3,
    };
    const { headers, body, ...record } = receivedDelivery(delivery);
    expect(JSON.stringify(record)).toBe(deliveryRecord(delivery, false));
    expect(headers).toEqual(delivery.headers);
    expect(body.equals(delivery.body)).toBe(true);
    const verified = { ...delivery, verified: true, reason: null, verification: null, note: null, status: 200 };
    const { headers: _h, body: _b, ...plain } = receivedDelivery(verified);
    expect(JSON.stringify(plain)).toBe(deliveryRecord(verified, false));
  });
});

describe('the library entry (src/index.ts)', () => {
  it('signRequest and verifyWith take a scheme name or a Scheme alike', async () => {
    const input = { body: Buffer.from('{"a":1}'), secret: 's', timestamp: NOW / 1000, id: 'd1' };
    const byName = signRequest('github', input);
    expect(signRequest(getScheme('github'), input)).toEqual(byName);
    const verifyInput = { body: input.body, headers: byName.headers, secrets: ['s'], toleranceSeconds: 300, nowMs: NOW };
    expect(verifyWith('github', verifyInput).result.verified).toBe(true);
    expect(verifyWith(getScheme('github'), verifyInput).result.verified).toBe(true);
    expect(() => verifyWith({} as never, verifyInput)).toThrow(/scheme: expected a scheme name \(e\.g\. "stripe"\) or a Scheme/);
  });
});

describe('fake timers', () => {
  it('sign follows the faked clock when no now is given', async () => {
    vi.useFakeTimers();
    vi.setSystemTime(NOW);
    expect(sign({ scheme: 'slack', secret: 's', body: 'x=1' })['X-Slack-Request-Timestamp']).toBe(String(NOW / 1000));
  });
});

describe('webhookMatchers', () => {
  it('accepted and refused answers, of every shape a test gets back, with a message saying what came', async () => {
    expect(new Response('ok', { status: 200 })).toBeAcceptedWebhook();
    expect({ statusCode: 401, payload: 'invalid signature' }).toBeRefusedWebhook(401);
    expect({ status: 400, body: 'Webhook Error: No signatures found' }).toBeRefusedWebhook();
    expect(() => expect({ status: 400, body: 'Webhook Error: No signatures found' }).toBeAcceptedWebhook()).toThrow(/expected the webhook to be accepted, but: status 400, body: Webhook Error: No signatures found/);
    expect(() => expect({ status: null, body: '' }).toBeRefusedWebhook()).toThrow(/but: no answer/);
    expect(() => expect({ status: 500 }).toBeRefusedWebhook()).toThrow(/to be refused, but: status 500/);
  });

  it("a receiver's delivery: accepted only when verified, refused with its reason", async () => {
    await using receiver = await startReceiver({ secret: STRIPE_SECRET });
    await send(receiver.url, { scheme: 'stripe', secret: STRIPE_SECRET });
    await send(receiver.url, { scheme: 'stripe', secret: STRIPE_SECRET, stale: '1h' });
    const [good, stale] = await receiver.waitFor(2);
    expect(good).toBeAcceptedWebhook();
    expect(stale).toBeRefusedWebhook('timestamp_outside_tolerance');
    expect(() => expect(stale).toBeRefusedWebhook('signature_mismatch')).toThrow(/not verified: timestamp_outside_tolerance/);
    expect(() => expect(stale).toBeAcceptedWebhook()).toThrow(/a delivery answered 401, not verified: timestamp_outside_tolerance/);
  });
});
