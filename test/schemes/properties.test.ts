import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateEd25519KeyPair } from '../../src/schemes/ed25519.js';
import { getScheme, SCHEME_NAMES, verifyWith } from '../../src/schemes/registry.js';
import type { HeaderMap, ReasonCode, SchemeOptions, VerifyInput } from '../../src/schemes/types.js';

const REASONS: ReasonCode[] = [
  'no_secret', 'unknown_scheme', 'missing_signature', 'malformed_signature_header', 'missing_header', 'missing_url',
  'missing_timestamp', 'malformed_timestamp', 'timestamp_outside_tolerance', 'bad_secret_format', 'signature_mismatch',
];
const RUNS = { numRuns: 100 };
const URL = 'https://hooks.example.com/twilio/sms?tenant=42';
const ED_KEYS = Array.from({ length: 3 }, () => generateEd25519KeyPair());
const SHOPIFY_EXTRA = { 'X-Shopify-Topic': 'orders/create', 'X-Shopify-Shop-Domain': 'a.myshopify.com', 'X-Shopify-API-Version': '2025-10', 'X-Shopify-Webhook-Id': 'w1' };

/** Where a case keeps its signature and timestamp, so one byte of either can be changed. */
interface Case {
  label: string;
  scheme: string;
  options?: SchemeOptions;
  secret: fc.Arbitrary<string>;
  /** The secret that verifies (the public key for Ed25519). */
  verifier?: (secret: string) => string;
  body?: fc.Arbitrary<Uint8Array>;
  signatureHeader: string;
  /** The span of the signature header value that holds the signature bytes. */
  signatureSpan: (value: string) => [number, number];
  timestampHeader?: string;
  timestampSpan?: (value: string) => [number, number];
  extra?: Record<string, string>;
  url?: boolean;
}

const utf8Secret = fc.string({ unit: 'binary', minLength: 1, maxLength: 64 });
const whsec = fc.uint8Array({ minLength: 1, maxLength: 64 }).map((key) => `whsec_${Buffer.from(key).toString('base64')}`);
const after = (marker: string) => (value: string): [number, number] => {
  const start = value.indexOf(marker) + marker.length;
  const end = value.indexOf(',', start);
  return [start, end < 0 ? value.length : end];
};
const whole = (value: string): [number, number] => [0, value.length];

const CASES: Case[] = [
  { label: 'github', scheme: 'github', secret: utf8Secret, signatureHeader: 'x-hub-signature-256', signatureSpan: after('sha256=') },
  { label: 'github sha1', scheme: 'github', options: { legacySha1: true }, secret: utf8Secret, signatureHeader: 'x-hub-signature', signatureSpan: after('sha1='), extra: {} },
  { label: 'stripe', scheme: 'stripe', secret: fc.oneof(utf8Secret, whsec), signatureHeader: 'stripe-signature', signatureSpan: after('v1='), timestampHeader: 'stripe-signature', timestampSpan: after('t=') },
  { label: 'standard', scheme: 'standard', secret: whsec, signatureHeader: 'webhook-signature', signatureSpan: after('v1,'), timestampHeader: 'webhook-timestamp', timestampSpan: whole },
  { label: 'svix', scheme: 'svix', secret: whsec, signatureHeader: 'svix-signature', signatureSpan: after('v1,'), timestampHeader: 'svix-timestamp', timestampSpan: whole },
  {
    label: 'standard v1a',
    scheme: 'standard',
    secret: fc.constantFrom(...ED_KEYS.map((pair) => pair.secretKey)),
    verifier: (secret) => ED_KEYS.find((pair) => pair.secretKey === secret)!.publicKey,
    signatureHeader: 'webhook-signature',
    signatureSpan: after('v1a,'),
    timestampHeader: 'webhook-timestamp',
    timestampSpan: whole,
  },
  { label: 'slack', scheme: 'slack', secret: utf8Secret, signatureHeader: 'x-slack-signature', signatureSpan: after('v0='), timestampHeader: 'x-slack-request-timestamp', timestampSpan: whole },
  { label: 'shopify', scheme: 'shopify', secret: utf8Secret, signatureHeader: 'x-shopify-hmac-sha256', signatureSpan: whole, extra: SHOPIFY_EXTRA },
  {
    label: 'twilio (JSON, bodySHA256)',
    scheme: 'twilio',
    secret: utf8Secret,
    // A leading { keeps Twilio on the bodySHA256 path, where every body byte is covered.
    body: fc.uint8Array({ maxLength: 2048 }).map((bytes) => Buffer.concat([Buffer.from('{'), bytes])),
    signatureHeader: 'x-twilio-signature',
    signatureSpan: whole,
    url: true,
  },
  { label: 'hmac sha512 base64', scheme: 'hmac', options: { algorithm: 'sha512', encoding: 'base64', signatureHeader: 'X-Sig', prefix: 'sha512=' }, secret: utf8Secret, signatureHeader: 'x-sig', signatureSpan: after('sha512=') },
  { label: 'hmac sha1 hex', scheme: 'hmac', options: { algorithm: 'sha1' }, secret: utf8Secret, signatureHeader: 'x-signature', signatureSpan: whole },
];

const anyBody = fc.uint8Array({ maxLength: 4096 });
const timestamp = fc.integer({ min: 1, max: 99_999_999_999 });
const id = fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/);

function signed(c: Case, body: Uint8Array, secret: string, ts: number, msgId: string) {
  const scheme = getScheme(c.scheme, c.options);
  const url = c.url ? scheme.targetUrl!(URL, body) : undefined;
  const raw = scheme.sign({ body, secret, timestamp: ts, id: msgId, ...(url ? { url } : {}) });
  const headers: Record<string, string> = { ...c.extra };
  for (const [name, value] of Object.entries(raw)) headers[name.toLowerCase()] = value;
  // The legacy-sha1 case checks the sha1 header alone.
  if (c.label === 'github sha1') delete headers['x-hub-signature-256'];
  const input: VerifyInput = { body, headers, secrets: [c.verifier ? c.verifier(secret) : secret], toleranceSeconds: 300, nowMs: ts * 1000, ...(url ? { url } : {}) };
  return { scheme, input, headers };
}

/** Replaces the character at `index` of a header value with a different printable character. */
function changeChar(value: string, index: number, replacement: string): string {
  return value.slice(0, index) + replacement + value.slice(index + 1);
}
const otherChar = (current: string) => fc.constantFrom(...'0123456789abcdefABCDEF+/=-_xyz.,'.split('')).filter((c) => c !== current);

describe('properties, for every scheme', () => {
  for (const c of CASES) {
    const body = c.body ?? anyBody;

    it(`${c.label}: sign then verify round-trips for arbitrary bodies, secrets and timestamps`, () => {
      fc.assert(
        fc.property(body, c.secret, timestamp, id, (b, secret, ts, msgId) => {
          const { scheme, input } = signed(c, b, secret, ts, msgId);
          const result = scheme.verify(input);
          expect(result).toMatchObject({ verified: true, reason: null, secretIndex: 0 });
        }),
        RUNS,
      );
    });

    it(`${c.label}: changing one body byte fails with signature_mismatch`, () => {
      fc.assert(
        fc.property(body.filter((b) => b.length > 0), c.secret, timestamp, id, fc.nat(), fc.integer({ min: 1, max: 255 }), (b, secret, ts, msgId, at, flip) => {
          const { scheme, input } = signed(c, b, secret, ts, msgId);
          const changed = Buffer.from(b);
          const index = c.url ? 1 + (at % (changed.length - 1 || 1)) : at % changed.length;
          if (index >= changed.length) return;
          changed[index]! ^= flip;
          expect(scheme.verify({ ...input, body: changed })).toMatchObject({ verified: false, reason: 'signature_mismatch' });
        }),
        RUNS,
      );
    });

    it(`${c.label}: changing one signature character fails with signature_mismatch or malformed_signature_header`, () => {
      fc.assert(
        fc.property(anyBody, c.secret, timestamp, id, fc.nat(), fc.string({ minLength: 1, maxLength: 1 }), (b, secret, ts, msgId, at, _seed) => {
          const { scheme, input, headers } = signed(c, c.url ? Buffer.concat([Buffer.from('{'), b]) : b, secret, ts, msgId);
          const value = headers[c.signatureHeader]!;
          const [start, end] = c.signatureSpan(value);
          const index = start + (at % (end - start));
          const replacement = fc.sample(otherChar(value[index]!), { numRuns: 1, seed: at })[0]!;
          const result = scheme.verify({ ...input, headers: { ...headers, [c.signatureHeader]: changeChar(value, index, replacement) } });
          expect(result.verified).toBe(false);
          expect(['signature_mismatch', 'malformed_signature_header']).toContain(result.reason);
        }),
        RUNS,
      );
    });

    if (c.timestampHeader) {
      it(`${c.label}: changing one timestamp character fails with signature_mismatch or malformed_timestamp`, () => {
        fc.assert(
          fc.property(anyBody, c.secret, timestamp, id, fc.nat(), fc.constantFrom(...'0123456789x-+.'.split('')), (b, secret, ts, msgId, at, replacement) => {
            const { scheme, input, headers } = signed(c, b, secret, ts, msgId);
            const value = headers[c.timestampHeader!]!;
            const [start, end] = c.timestampSpan!(value);
            const index = start + (at % (end - start));
            if (value[index] === replacement) return;
            const changed = changeChar(value, index, replacement);
            const result = scheme.verify({ ...input, headers: { ...headers, [c.timestampHeader!]: changed } });
            expect(result.verified).toBe(false);
            expect(result.reason).toBe(/^\d$/.test(replacement) ? 'signature_mismatch' : 'malformed_timestamp');
          }),
          RUNS,
        );
      });
    }

    it(`${c.label}: binary bodies are signed byte for byte (node:crypto agrees)`, () => {
      if (c.scheme !== 'github' || c.options) return;
      fc.assert(
        fc.property(anyBody, c.secret, (b, secret) => {
          const { headers } = signed(c, b, secret, 1, 'x');
          expect(headers['x-hub-signature-256']).toBe(`sha256=${createHmac('sha256', secret).update(b).digest('hex')}`);
        }),
        RUNS,
      );
    });
  }
});

// Header parsers: whatever arrives, a result with a reason, never an exception.
const fragments = fc.constantFrom('t=', 'v1=', 'v0=', 'v1,', 'v1a,', 'sha256=', 'sha1=', ',', ' ', ', ', '=', '==', 'whsec_', '1614265330', '-1', 'ff', 'AAAA', '\u0000', 'é', '🚀', '\t', '99999999999999999999');
const garbageText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.array(fc.oneof(fragments, fc.stringMatching(/^[0-9a-fA-F+/=]{0,70}$/)), { maxLength: 12 }).map((parts) => parts.join('')),
);
const garbageValue: fc.Arbitrary<string | string[]> = fc.oneof(garbageText, fc.array(garbageText, { minLength: 1, maxLength: 3 }));
const HEADER_NAMES = [
  'stripe-signature', 'x-hub-signature-256', 'X-Hub-Signature', 'webhook-id', 'webhook-timestamp', 'webhook-signature', 'svix-id', 'svix-timestamp', 'svix-signature',
  'x-slack-signature', 'x-slack-request-timestamp', 'x-shopify-hmac-sha256', 'shopify-hmac-sha256', 'x-shopify-topic', 'x-twilio-signature', 'content-type', 'x-signature',
];
const garbageHeaders: fc.Arbitrary<HeaderMap> = fc.dictionary(fc.constantFrom(...HEADER_NAMES), garbageValue, { maxKeys: 8 });
const anySecret = fc.oneof(utf8Secret, whsec, fc.constantFrom('', 'whsec_', 'whsec_!!!', 'whsk_AAAA', 'whpk_', ED_KEYS[0]!.publicKey, ED_KEYS[0]!.secretKey));

describe('header parsers never throw', () => {
  it('every scheme returns a reason code for arbitrary headers, secrets, bodies and clocks', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SCHEME_NAMES, 'auto'),
        garbageHeaders,
        fc.array(anySecret, { maxLength: 3 }),
        fc.uint8Array({ maxLength: 64 }),
        fc.oneof(fc.constant(undefined), fc.constantFrom(URL, 'not a url', 'https://user:pw@[::1]:8080/x?bodySHA256=zz', 'http://h/p?bodySHA256=')),
        fc.integer({ min: 0, max: 4_000_000_000_000 }),
        (name, headers, secrets, body, url, nowMs) => {
          const input: VerifyInput = { body, headers, secrets, toleranceSeconds: 300, nowMs, ...(url ? { url } : {}) };
          const { result } = verifyWith(name, input, { signatureHeader: 'X-Signature' });
          expect(typeof result.verified).toBe('boolean');
          if (!result.verified) expect(REASONS).toContain(result.reason);
          expect(typeof result.message).toBe('string');
          if (name !== 'auto') expect(typeof getScheme(name).detect(headers)).toBe('boolean');
        },
      ),
      { numRuns: 400 },
    );
  });
});
