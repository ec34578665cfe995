import { createHash, createHmac } from 'node:crypto';
import { parse as parseQuery, stringify as stringifyQuery } from 'node:querystring';
import { signatureBase64, signatureHex, hmac, keyFromSecret, safeEqual } from './crypto.js';
import { clip, matchSecrets, mismatch, rejected, verified } from './common.js';
import { allFormParams, formValue, readForm, type FormParams } from './form.js';
import { header, hasHeader, headerId } from './headers.js';
import type { HeaderMap, Scheme } from './types.js';

const SIGNATURE_HEADER = 'x-twilio-signature';
const EMPTY: Buffer = Buffer.alloc(0);

/** The body's form parameters, when it is a form Twilio could have sent. */
export function twilioForm(body: Uint8Array, headers?: HeaderMap): FormParams | undefined {
  const form = readForm(body, headers);
  return form && form.refused === undefined ? form : undefined;
}

function bodyHash(body: Uint8Array): string {
  return createHash('sha256').update(body).digest('hex');
}

/**
 * What Twilio signs after the URL: every parameter name+value sorted by name (repeated values
 * deduped and sorted), as UTF-8. Built once per form and kept with it, so each URL variant costs
 * one HMAC over these bytes and nothing else.
 */
export function signedParams(form: FormParams): Buffer {
  if (form.signed) return form.signed;
  const parts: Uint8Array[] = [];
  for (const name of [...form.params.keys()].sort()) {
    const { nameBytes, values } = form.params.get(name)!;
    if (values.length === 1) {
      parts.push(nameBytes, values[0]!);
      continue;
    }
    // Repeated values are deduped and sorted as text (twilio sorts strings), then signed as the bytes they came from.
    const byText = new Map<string, Uint8Array>();
    for (const bytes of values) byText.set(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'), bytes);
    for (const text of [...byText.keys()].sort()) parts.push(nameBytes, byText.get(text)!);
  }
  form.signed = Buffer.concat(parts);
  return form.signed;
}

/**
 * Twilio posts JSON bodies to the URL with `?bodySHA256=<hex>` appended and signs only the URL.
 * The sender must post to this URL; form bodies go to the URL unchanged.
 */
export function twilioTargetUrl(url: string, body: Uint8Array, headers?: HeaderMap): string {
  if (bodyHashParam(url) !== undefined || body.length === 0 || readForm(body, headers)) return url;
  return `${url}${url.includes('?') ? '&' : '?'}bodySHA256=${bodyHash(body)}`;
}

const URL_PARTS = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)/i;

/** Splits a URL without normalising it (Twilio signs the exact characters it requested). */
function splitUrl(url: string): { scheme: string; userInfo: string; host: string; port: string; rest: string } | undefined {
  const match = URL_PARTS.exec(url);
  if (!match) return undefined;
  const [prefix, scheme, authority] = match as unknown as [string, string, string];
  const userInfoEnd = authority.lastIndexOf('@');
  const hostAndPort = authority.slice(userInfoEnd + 1);
  // A colon starts the port only after the closing bracket of an IPv6 literal.
  const portStart = hostAndPort.indexOf(':', hostAndPort.lastIndexOf(']') + 1);
  return {
    scheme,
    userInfo: authority.slice(0, userInfoEnd + 1),
    host: portStart < 0 ? hostAndPort : hostAndPort.slice(0, portStart),
    port: portStart < 0 ? '' : hostAndPort.slice(portStart),
    rest: url.slice(prefix.length),
  };
}

function withoutPort(url: string): string {
  const parts = splitUrl(url);
  return parts ? parts.scheme + parts.userInfo + parts.host + parts.rest : url;
}

function withPort(url: string): string {
  const parts = splitUrl(url);
  if (!parts || parts.port) return url;
  return parts.scheme + parts.userInfo + parts.host + (parts.scheme.toLowerCase() === 'https://' ? ':443' : ':80') + parts.rest;
}

/** The query string re-encoded the way Node's legacy querystring does, as twilio@6 also tries. */
function withLegacyQuerystring(url: string): string {
  const queryStart = url.indexOf('?');
  if (queryStart < 0 || queryStart === url.length - 1) return url;
  return `${url.slice(0, queryStart)}?${stringifyQuery(parseQuery(url.slice(queryStart + 1)))}`;
}

/**
 * The URLs twilio@6 `validateRequest` accepts a signature for, in its order: as received with and
 * without the default port, then normalised by `new URL()` with and without the port, each also
 * with a legacy-querystring query. Lazy: the first one nearly always matches, and building the
 * normalised ones costs as much as hashing a few KiB.
 */
function* urlVariants(url: string): Generator<string> {
  // The URL as received is always one of the first two (with/without port), so it goes first.
  yield url;
  const seen = new Set<string>([url]);
  const fresh = (candidate: string) => !seen.has(candidate) && Boolean(seen.add(candidate));
  for (const candidate of [withoutPort(url), withPort(url)]) if (fresh(candidate)) yield candidate;
  let normalized: string;
  try {
    normalized = new URL(url).toString();
  } catch {
    return;
  }
  const bare = withoutPort(normalized);
  const ported = withPort(normalized);
  for (const candidate of [bare, ported, withLegacyQuerystring(bare), withLegacyQuerystring(ported)]) if (fresh(candidate)) yield candidate;
}

const BODY_HASH_PARAM = /[?&]bodySHA256=([^&#]*)/;

/** The bodySHA256 query parameter of a URL, or undefined when it has none. */
function bodyHashParam(url: string): string | undefined {
  const match = BODY_HASH_PARAM.exec(url);
  if (!match) return undefined;
  if (!/[%+]/.test(match[1]!)) return match[1]!;
  try {
    return decodeURIComponent(match[1]!.replace(/\+/g, ' '));
  } catch {
    return match[1]!;
  }
}

/**
 * Twilio: `X-Twilio-Signature: <base64>`, HMAC-SHA1 (auth token as UTF-8) over the full public URL
 * followed by the form parameters sorted by name; JSON bodies are covered by `bodySHA256` in the URL.
 */
export function twilio(): Scheme {
  return {
    name: 'twilio',
    title: 'Twilio',
    timestamped: false,
    signatureHeaders: [SIGNATURE_HEADER],
    keyEncoding: 'utf8',
    detect: (headers) => hasHeader(headers, SIGNATURE_HEADER),
    sign({ body, secret, url }) {
      if (!url) throw new TypeError('twilio signs the public URL: pass the URL the request is sent to');
      const target = twilioTargetUrl(url, body);
      const params = bodyHashParam(target) !== undefined ? undefined : allFormParams(body);
      const mac = createHmac('sha1', keyFromSecret(secret, 'utf8')).update(target, 'utf8');
      if (params) mac.update(signedParams(params));
      return { 'X-Twilio-Signature': mac.digest('base64') };
    },
    verify(input) {
      const value = header(input.headers, SIGNATURE_HEADER);
      if (value === undefined) return rejected('twilio', 'missing_signature', 'no X-Twilio-Signature header');
      const signature = signatureBase64(value.trim());
      if (!signature || signature.length !== 20) {
        return rejected('twilio', 'malformed_signature_header', `expected the base64 of a 20-byte HMAC-SHA1, got "${clip(value)}"`);
      }
      if (!input.url) {
        return rejected('twilio', 'missing_url', 'Twilio signs the full public URL the request was sent to: pass it with --url');
      }
      const url = input.url;
      let params = EMPTY;
      const expectedHash = bodyHashParam(url);
      if (expectedHash !== undefined) {
        // The URL signature covers only the hash; the hash must then cover the raw body exactly.
        const expected = signatureHex(expectedHash);
        if (!expected || !safeEqual(expected, createHash('sha256').update(input.body).digest())) {
          return rejected('twilio', 'signature_mismatch', 'the bodySHA256 in the URL is not the SHA-256 (lower-case hex) of the raw body: the body was changed');
        }
      } else {
        const form = readForm(input.body, input.headers);
        if (form?.refused !== undefined) return rejected('twilio', 'unverifiable_body', `${form.refused}: not verified`);
        if (form) params = signedParams(form);
      }
      // Each URL variant costs one HMAC over the URL and the parameters, parsed and sorted once above.
      for (const candidate of urlVariants(url)) {
        const match = matchSecrets('twilio', input, 'utf8', [signature], (key) => hmac('sha1', key, candidate, params));
        if (typeof match !== 'number') return match;
        if (match >= 0) return verified('twilio', match);
      }
      return mismatch('twilio', input, 1, `HMAC-SHA1 of "${clip(url, 60)}" + sorted form parameters`);
    },
    targetUrl: twilioTargetUrl,
    deliveryHeaders: ({ id }) => ({ 'User-Agent': 'TwilioProxy/1.1', 'I-Twilio-Idempotency-Token': id }),
    eventId: (headers, body) => {
      const token = headerId(headers, 'i-twilio-idempotency-token');
      if (token) return token;
      const form = twilioForm(body, headers);
      const sid = form && (formValue(form, 'MessageSid') || formValue(form, 'CallSid') || formValue(form, 'Sid'));
      // `SM%FF` and `SM%FE` both decode to `SM\ufffd`: such an id does not say which it was (see jsonId).
      return sid && !sid.includes('\ufffd') ? sid : undefined;
    },
    // The form (its MessageSid) is signed; the I-Twilio-Idempotency-Token header is not.
    signsEventId: (headers) => headerId(headers, 'i-twilio-idempotency-token') === undefined,
    // HMAC of the URL and the form (or of the URL holding the body's hash): the same on every attempt.
    stableSignature: (headers) => header(headers, SIGNATURE_HEADER)?.trim(),
    eventType: (headers, body) => {
      const form = twilioForm(body, headers);
      if (!form) return undefined;
      if (form.params.has('MessageSid')) return `message.${formValue(form, 'SmsStatus') ?? formValue(form, 'MessageStatus') ?? 'received'}`;
      if (form.params.has('CallSid')) return `call.${formValue(form, 'CallStatus') ?? 'ringing'}`;
      return undefined;
    },
  };
}
