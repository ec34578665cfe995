import { createHash } from 'node:crypto';
import { decodeBase64, hmac, keyFromSecret, utf8 } from './crypto.js';
import { clip, jsonBody, matchSecrets, mismatch, rejected, verified } from './common.js';
import { header, hasHeader } from './headers.js';
import type { HeaderMap, Scheme } from './types.js';

const SIGNATURE_HEADER = 'x-twilio-signature';

/** Form parameters of a body, or undefined when the body is not `a=b&c=d` form data. */
export function formParams(body: Uint8Array, headers?: HeaderMap): Map<string, string[]> | undefined {
  const contentType = headers ? (header(headers, 'content-type') ?? '') : '';
  const text = Buffer.from(body).toString('utf8');
  const looksLikeForm = contentType.includes('application/x-www-form-urlencoded') || (!contentType && jsonBody(body) === undefined && /^[^=&\s]+=[^&\s]*(?:&[^=&\s]+=[^&\s]*)*$/.test(text));
  if (!looksLikeForm) return undefined;
  const params = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(text)) {
    const list = params.get(name) ?? [];
    list.push(value);
    params.set(name, list);
  }
  return params;
}

function bodyHash(body: Uint8Array): string {
  return createHash('sha256').update(body).digest('hex');
}

/** What Twilio signs: the URL, then every parameter name+value sorted by name (repeats deduped, sorted). */
function signedData(url: string, params: Map<string, string[]> | undefined): Buffer {
  let data = url;
  if (params) {
    for (const name of [...params.keys()].sort()) {
      for (const value of [...new Set(params.get(name))].sort()) data += name + value;
    }
  }
  return utf8(data);
}

/**
 * Twilio posts JSON bodies to the URL with `?bodySHA256=<hex>` appended and signs only the URL.
 * The sender must post to this URL; form bodies go to the URL unchanged.
 */
export function twilioTargetUrl(url: string, body: Uint8Array, headers?: HeaderMap): string {
  if (url.includes('bodySHA256=') || formParams(body, headers) || body.length === 0) return url;
  return `${url}${url.includes('?') ? '&' : '?'}bodySHA256=${bodyHash(body)}`;
}

const URL_PARTS = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/i;

/** The URL with and without its default port: Twilio's library accepts either. */
function portVariants(url: string): string[] {
  const match = URL_PARTS.exec(url);
  if (!match) return [url];
  const [, scheme, authority, rest] = match as unknown as [string, string, string, string];
  const portStart = authority.indexOf(':', authority.lastIndexOf(']') + 1);
  const host = portStart < 0 ? authority : authority.slice(0, portStart);
  const defaultPort = scheme.toLowerCase() === 'https://' ? ':443' : ':80';
  const withPort = portStart < 0 ? `${scheme}${host}${defaultPort}${rest}` : url;
  return [...new Set([url, `${scheme}${host}${rest}`, withPort])];
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
      const params = target.includes('bodySHA256=') ? undefined : formParams(body);
      return { 'X-Twilio-Signature': hmac('sha1', keyFromSecret(secret, 'utf8'), signedData(target, params)).toString('base64') };
    },
    verify(input) {
      const value = header(input.headers, SIGNATURE_HEADER);
      if (value === undefined) return rejected('twilio', 'missing_signature', 'no X-Twilio-Signature header');
      const signature = decodeBase64(value.trim());
      if (!signature || signature.length !== 20) {
        return rejected('twilio', 'malformed_signature_header', `expected the base64 of a 20-byte HMAC-SHA1, got "${clip(value)}"`);
      }
      if (!input.url) {
        return rejected('twilio', 'missing_url', 'Twilio signs the full public URL the request was sent to: pass it with --url');
      }
      const url = input.url;
      let params: Map<string, string[]> | undefined;
      const hashMatch = /[?&]bodySHA256=([0-9a-fA-F]{64})/.exec(url);
      if (hashMatch) {
        if (hashMatch[1]!.toLowerCase() !== bodyHash(input.body)) {
          return rejected('twilio', 'signature_mismatch', 'the bodySHA256 in the URL is not the SHA-256 of the raw body (the body was changed)');
        }
      } else {
        params = formParams(input.body, input.headers);
      }
      for (const candidate of portVariants(url)) {
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
