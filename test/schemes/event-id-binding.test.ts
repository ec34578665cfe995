/**
 * What each scheme says about its event id, checked against what its verifier does: `signsEventId`
 * is false exactly when the id can be changed on a valid delivery and it still verifies (then the
 * listener binds the id to the signed content), and `stableSignature` is the same on every attempt
 * of one body and differs for another body, or undefined for schemes that sign each attempt anew.
 * A new scheme that declares these wrongly fails here.
 */
import { describe, expect, it } from 'vitest';
import { getScheme, SCHEME_NAMES } from '../../src/schemes/registry.js';
import { signRequest } from '../../src/schemes/sign-request.js';
import type { HeaderMap, Scheme } from '../../src/schemes/types.js';
import { lower, NOW_MS, NOW_S } from './support.js';

const URL = 'https://hooks.example.com/in';

function secretFor(name: string): string {
  return name === 'standard' || name === 'svix' ? `whsec_${Buffer.from('event-id-binding-key-0123456789').toString('base64')}` : 'event-id-binding-secret';
}

interface Delivery {
  body: Buffer;
  headers: HeaderMap;
  url: string;
}

/** A delivery as the provider would send it, with `extra` headers beside its own. */
function deliver(scheme: Scheme, body: string, { id = 'evt_original', timestamp = NOW_S, extra = {} as Record<string, string> } = {}): Delivery {
  const bytes = Buffer.from(body);
  const { headers, url } = signRequest(scheme, { body: bytes, secret: secretFor(scheme.name), timestamp, id, url: URL });
  return { body: bytes, headers: { ...lower(headers), ...extra }, url: url ?? URL };
}

function verifies(scheme: Scheme, delivery: Delivery): boolean {
  return scheme.verify({ body: delivery.body, headers: delivery.headers, secrets: [secretFor(scheme.name)], toleranceSeconds: 300, nowMs: NOW_MS, url: delivery.url }).verified;
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
      expect(id).toBeDefined();
      const carrier = Object.keys(delivery.headers).find((name) => delivery.headers[name] === id);
      const signed = scheme.signsEventId(delivery.headers, delivery.body);
      if (carrier === undefined) {
        // The id is read from the body, which every scheme signs.
        expect(signed).toBe(true);
        return;
      }
      const moved = { ...delivery, headers: { ...delivery.headers, [carrier]: 'evt_someone_elses' } };
      expect(scheme.eventId(moved.headers, moved.body)).toBe('evt_someone_elses');
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
      if (scheme.timestamped) {
        expect(signature).toBeUndefined();
        return;
      }
      expect(signature).toMatch(/^[A-Za-z0-9+/=]{20,}$/);
      expect(scheme.stableSignature(retry.headers)).toBe(signature);
      expect(scheme.stableSignature(other.headers)).not.toBe(signature);
    });
  }
});
