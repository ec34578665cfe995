import { randomBytes } from 'node:crypto';
import { hmac, keyFromSecret, signatureHex } from '../crypto.js';
import { checkTimestamp, clip, jsonBody, matchSecrets, mismatch, rejected, verified } from '../common.js';
import type { ProviderMeta } from '../provider.js';
import type { Scheme, SignInput } from '../types.js';

/** The JSON object a body holds, or a TypeError naming what the scheme needs. */
export function bodyObject(name: string, body: Uint8Array): Record<string, unknown> {
  const parsed = jsonBody(body);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new TypeError(`${name} writes its signature into a JSON object body; this body is not one`);
  return parsed as Record<string, unknown>;
}

/**
 * Mailgun: the signature travels in the JSON body, `"signature": {"timestamp", "token",
 * "signature"}`, an HMAC-SHA256 hex of `<timestamp><token>` with the webhook signing key. The
 * event itself is not signed (Mailgun's own design): the token is what makes a delivery
 * unique, so receivers remember tokens to refuse a replay. Mailgun documents no age limit.
 */
export function mailgunSignature(meta: ProviderMeta): Scheme {
  const name = meta.name;
  const read = (body: Uint8Array) => {
    const parsed = jsonBody(body) as { signature?: { timestamp?: unknown; token?: unknown; signature?: unknown } } | undefined;
    const signature = parsed && typeof parsed === 'object' ? parsed.signature : undefined;
    return signature && typeof signature === 'object' ? signature : undefined;
  };
  return {
    name,
    title: meta.title,
    timestamped: false,
    signatureHeaders: [],
    keyEncoding: 'utf8',
    // Nothing in the headers says Mailgun: name the scheme.
    detect: () => false,
    signBody({ body, secret, timestamp }: SignInput): Uint8Array {
      const { signature: _old, ...rest } = bodyObject(name, body);
      const token = randomBytes(25).toString('hex');
      const signature = hmac('sha256', keyFromSecret(secret, 'utf8'), `${timestamp}${token}`).toString('hex');
      return Buffer.from(JSON.stringify({ signature: { token, timestamp: String(timestamp), signature }, ...rest }), 'utf8');
    },
    sign: () => ({}),
    verify(input) {
      const found = read(input.body);
      if (!found || typeof found.signature !== 'string') return rejected(name, 'missing_signature', 'the JSON body has no "signature": {"timestamp", "token", "signature"} object');
      const timestamp = typeof found.timestamp === 'number' ? String(found.timestamp) : found.timestamp;
      if (typeof timestamp !== 'string' || typeof found.token !== 'string') return rejected(name, 'malformed_signature_header', 'the body\'s "signature" object lacks its "timestamp" or "token"');
      const parsed = checkTimestamp(name, timestamp, 'signature.timestamp');
      if ('verified' in parsed) return parsed;
      const bytes = signatureHex(found.signature);
      if (!bytes || bytes.length !== 32) return rejected(name, 'malformed_signature_header', `expected signature.signature to be 64 lower-case hex digits, got "${clip(found.signature)}"`);
      const content = `${timestamp}${found.token}`;
      const match = matchSecrets(name, input, 'utf8', [bytes], (key) => hmac('sha256', key, content));
      if (typeof match !== 'number') return match;
      if (match < 0) return mismatch(name, input, 1, 'HMAC-SHA256 of "<signature.timestamp><signature.token>"');
      return verified(name, match, 'signature verified (Mailgun signs the timestamp and token, not the event: remember tokens to refuse replays)');
    },
    explainParts: ({ body }) => {
      const found = read(body);
      const timestamp = typeof found?.timestamp === 'number' ? String(found.timestamp) : found?.timestamp;
      const usable = typeof timestamp === 'string' && typeof found?.token === 'string';
      return {
        header: '',
        signed: usable ? { prefix: `${timestamp}${found!.token as string}`, includesBody: false, suffix: '' } : null,
        timestamp: usable && /^\d{1,12}$/.test(timestamp) ? Number(timestamp) : null,
        received: typeof found?.signature === 'string' ? [found.signature] : [],
        compute: (secret: string) => hmac('sha256', keyFromSecret(secret, 'utf8'), `${String(timestamp)}${String(found?.token)}`).toString('hex'),
        note: 'Mailgun signs the timestamp and token in the body\'s "signature" object, not the event',
      };
    },
    deliveryHeaders: (event) => meta.deliveryHeaders(event),
    eventId: (headers, body) => meta.eventId(headers, body),
    // The event is outside what Mailgun signs.
    signsEventId: () => false,
    stableSignature: (_headers) => undefined,
    eventType: (headers, body) => meta.eventType(headers, body),
  };
}
