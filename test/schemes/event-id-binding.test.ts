/**
 * What each scheme says about its event id, checked against what its verifier does: `signsEventId`
 * is false exactly when the id can be changed on a valid delivery and it still verifies (then the
 * listener binds the id to the signed content), and `stableSignature` is the same on every attempt
 * of one body and differs for another body, or undefined for schemes that sign each attempt anew.
 * A new scheme that declares these wrongly fails here.
 */
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { getScheme, SCHEME_NAMES } from '../../src/schemes/registry.js';
import { signRequest } from '../../src/schemes/sign-request.js';
import type { HeaderMap, Scheme } from '../../src/schemes/types.js';
import { lower, NOW_MS, NOW_S } from './support.js';

const URL = 'https://hooks.example.com/in';

const ED25519 = generateKeyPairSync('ed25519');
const EC = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
const RSA = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
const KEYS: Record<string, KeyObject> = { discord: ED25519.privateKey, telnyx: ED25519.privateKey, sendgrid: EC, plaid: EC, sns: RSA, pubsub: RSA };
const STANDARD_ALIASES = ['standard', 'svix', 'clerk', 'resend', 'openai', 'replicate', 'render', 'loops'];

function secretFor(name: string, side: 'sign' | 'verify' = 'sign'): string {
  const key = KEYS[name];
  if (key) return side === 'sign' ? key.export({ type: 'pkcs8', format: 'pem' }).toString() : createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString();
  return STANDARD_ALIASES.includes(name) ? `whsec_${Buffer.from('event-id-binding-key-0123456789').toString('base64')}` : 'event-id-binding-secret';
}

/** Providers that send no event id at all: the listener keys their deliveries by the body's hash. */
const NO_EVENT_ID = ['meta', 'whatsapp', 'lemonsqueezy', 'dropbox', 'asana', 'calendly', 'netlify', 'hubspot', 'okta', 'postmark', 'mailgun', 'telnyx', 'sendgrid', 'plaid', 'pubsub'];

interface Delivery {
  body: Buffer;
  headers: HeaderMap;
  url: string;
}

/** A delivery as the provider would send it, with `extra` headers beside its own. */
function deliver(scheme: Scheme, body: string, { id = 'evt_original', timestamp = NOW_S, extra = {} as Record<string, string> } = {}): Delivery {
  const { headers, url, body: sent } = signRequest(scheme, { body: Buffer.from(body), secret: secretFor(scheme.name), timestamp, id, url: URL });
  return { body: Buffer.from(sent), headers: { ...lower(headers), ...extra }, url: url ?? URL };
}

function verifies(scheme: Scheme, delivery: Delivery): boolean {
  return scheme.verify({ body: delivery.body, headers: delivery.headers, secrets: [secretFor(scheme.name, 'verify')], toleranceSeconds: 300, nowMs: NOW_MS, url: delivery.url }).verified;
}

const JSON_BODY = JSON.stringify({ id: 'evt_original', event_id: 'Ev_original', type: 'invoice.paid', data: { n: 1 } });

interface Case {
  title: string;
  scheme: Scheme;
  body: string;
  extra?: Record<string, string>;
}

const CASES: Case[] = [
  ...SCHEME_NAMES.map((name) => ({ title: name, scheme: getScheme(name), body: JSON_BODY })),
  { title: 'hmac with an X-Event-Id header', scheme: getScheme('hmac'), body: JSON_BODY, extra: { 'x-event-id': 'hdr_original' } },
  { title: 'github --legacy-sha1', scheme: getScheme('github', { legacySha1: true }), body: JSON_BODY },
  { title: 'hmac with a prefix, base64', scheme: getScheme('hmac', { prefix: 'v1=', encoding: 'base64', signatureHeader: 'X-Sig' }), body: JSON_BODY },
];

describe('signsEventId: declared as the verifier behaves', () => {
  for (const { title, scheme, body, extra } of CASES) {
    it(`${title}`, () => {
      const delivery = deliver(scheme, body, { ...(extra ? { extra } : {}) });
      expect(verifies(scheme, delivery)).toBe(true);
      const id = scheme.eventId(delivery.headers, delivery.body);
      if (NO_EVENT_ID.includes(title)) return;
      expect(id).toBeDefined();
      const carrier = Object.keys(delivery.headers).find((name) => delivery.headers[name] === id);
      const signed = scheme.signsEventId(delivery.headers, delivery.body);
      const moved = carrier === undefined ? undefined : { ...delivery, headers: { ...delivery.headers, [carrier]: 'evt_someone_elses' } };
      // A header may repeat the id the scheme reads from the body (SNS's x-amz-sns-message-id).
      if (moved === undefined || scheme.eventId(moved.headers, moved.body) !== 'evt_someone_elses') {
        // The id is read from the body, which every scheme signs.
        expect(signed).toBe(true);
        return;
      }
      // A valid delivery whose id can be changed without breaking the signature: the id is not signed.
      expect(signed).toBe(!verifies(scheme, moved));
    });
  }

  it('twilio: a form\'s MessageSid is signed, the idempotency token beside it is not', () => {
    const twilio = getScheme('twilio');
    const form = 'MessageSid=SM123&From=%2B15005550006&Body=hi';
    const withToken = deliver(twilio, form, { extra: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(twilio.eventId(withToken.headers, withToken.body)).toBe('evt_original');
    expect(twilio.signsEventId(withToken.headers, withToken.body)).toBe(false);
    const { 'i-twilio-idempotency-token': _token, ...rest } = withToken.headers;
    expect(twilio.eventId(rest, withToken.body)).toBe('SM123');
    expect(twilio.signsEventId(rest, withToken.body)).toBe(true);
  });
});

describe('stableSignature: the same on every attempt of one body, another for another body', () => {
  for (const { title, scheme, body, extra } of CASES) {
    it(`${title}`, () => {
      const first = deliver(scheme, body, { ...(extra ? { extra } : {}) });
      const retry = deliver(scheme, body, { timestamp: NOW_S + 60, ...(extra ? { extra } : {}) });
      const other = deliver(scheme, body.replace('"n":1', '"n":2'), { ...(extra ? { extra } : {}) });
      const signature = scheme.stableSignature(first.headers);
      // Timestamped schemes sign each attempt anew; a static token or an in-body signature says
      // nothing of the body (or is not in the headers), so the body is hashed instead.
      if (scheme.timestamped || ['gitlab', 'okta', 'postmark', 'mailgun', 'sns'].includes(title)) {
        expect(signature).toBeUndefined();
        return;
      }
      expect(signature).toMatch(/^[A-Za-z0-9+/=]{20,}$/);
      expect(scheme.stableSignature(retry.headers)).toBe(signature);
      expect(scheme.stableSignature(other.headers)).not.toBe(signature);
    });
  }
});
