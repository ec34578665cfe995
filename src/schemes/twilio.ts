import { createHash } from 'node:crypto';
import { parse as parseQuery, stringify as stringifyQuery } from 'node:querystring';
import { signatureBase64, signatureHex, hmac, keyFromSecret, safeEqual } from './crypto.js';
import { clip, matchSecrets, mismatch, rejected, verified } from './common.js';
import { header, hasHeader } from './headers.js';
import type { HeaderMap, Scheme } from './types.js';

const SIGNATURE_HEADER = 'x-twilio-signature';

/** Form parameters of a body, or undefined when the body is not `a=b&c=d` form data. */
export function formParams(body: Uint8Array, headers?: HeaderMap): Map<string, string[]> | undefined {
  const contentType = headers ? (header(headers, 'content-type') ?? '') : '';
  const declared = contentType.includes('application/x-www-form-urlencoded');
  // Without a Content-Type, guess: JSON (first byte { or [, no parse needed) is not form data.
  if (!declared && (contentType !== '' || startsLikeJson(body))) return undefined;
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  if (!declared && !/^[^=&\s]+=[^&\s]*(?:&[^=&\s]+=[^&\s]*)*$/.test(text)) return undefined;
  const params = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(text)) {
    const list = params.get(name) ?? [];
    list.push(value);
    params.set(name, list);
  }
  return params;
}

function startsLikeJson(body: Uint8Array): boolean {
  for (const byte of body) {
    if (byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d) continue;
    return byte === 0x7b || byte === 0x5b;
  }
  return false;
}

function bodyHash(body: Uint8Array): string {
  return createHash('sha256').update(body).digest('hex');
}

/** What Twilio signs: the URL, then every parameter name+value sorted by name (repeats deduped, sorted). */
function signedData(url: string, params: Map<string, string[]> | undefined): string {
  let data = url;
  if (params) {
    for (const name of [...params.keys()].sort()) {
      for (const value of [...new Set(params.get(name))].sort()) data += name + value;
    }
  }
  return data;
}

/**
 * Twilio posts JSON bodies to the URL with `?bodySHA256=<hex>` appended and signs only the URL.
 * The sender must post to this URL; form bodies go to the URL unchanged.
 */
export function twilioTargetUrl(url: string, body: Uint8Array, headers?: HeaderMap): string {
  if (bodyHashParam(url) !== undefined || body.length === 0 || formParams(body, headers)) return url;
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
      const params = bodyHashParam(target) !== undefined ? undefined : formParams(body);
      return { 'X-Twilio-Signature': hmac('sha1', keyFromSecret(secret, 'utf8'), signedData(target, params)).toString('base64') };
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
      let params: Map<string, string[]> | undefined;
      const expectedHash = bodyHashParam(url);
      if (expectedHash !== undefined) {
        // The URL signature covers only the hash; the hash must then cover the raw body exactly.
        const expected = signatureHex(expectedHash);
        if (!expected || !safeEqual(expected, createHash('sha256').update(input.body).digest())) {
          return rejected('twilio', 'signature_mismatch', 'the bodySHA256 in the URL is not the SHA-256 (lower-case hex) of the raw body: the body was changed');
        }
      } else {
        params = formParams(input.body, input.headers);
      }
      for (const candidate of urlVariants(url)) {
        const data = signedData(candidate, params);
        const match = matchSecrets('twilio', input, 'utf8', [signature], (key) => hmac('sha1', key, data));
        if (typeof match !== 'number') return match;
        if (match >= 0) return verified('twilio', match);
      }
      return mismatch('twilio', input, 1, `HMAC-SHA1 of "${clip(url, 60)}" + sorted form parameters`);
    },
    targetUrl: twilioTargetUrl,
    deliveryHeaders: ({ id }) => ({ 'User-Agent': 'TwilioProxy/1.1', 'I-Twilio-Idempotency-Token': id }),
    eventId: (headers, body) => {
      const token = header(headers, 'i-twilio-idempotency-token');
      if (token) return token;
      const params = formParams(body, headers);
      return params?.get('MessageSid')?.[0] ?? params?.get('CallSid')?.[0] ?? params?.get('Sid')?.[0];
    },
    eventType: (headers, body) => {
      const params = formParams(body, headers);
      if (!params) return undefined;
      if (params.has('MessageSid')) return `message.${params.get('SmsStatus')?.[0] ?? params.get('MessageStatus')?.[0] ?? 'received'}`;
      if (params.has('CallSid')) return `call.${params.get('CallStatus')?.[0] ?? 'ringing'}`;
      return undefined;
    },
  };
}
