import { createHmac, timingSafeEqual } from 'node:crypto';
import type { KeyEncoding } from './types.js';

export type Digest = 'sha1' | 'sha256' | 'sha512';

/** HMAC of the parts in order. Text parts are hashed as UTF-8 without a Buffer of their own. */
export function hmac(algorithm: Digest, key: Uint8Array, ...parts: Array<Uint8Array | string>): Buffer {
  const mac = createHmac(algorithm, key);
  for (const part of parts) {
    if (typeof part === 'string') mac.update(part, 'utf8');
    else mac.update(part);
  }
  return mac.digest();
}

/**
 * Constant-time comparison of two byte strings. A length mismatch returns false at once, which
 * leaks only the length, and the length of a signature is public anyway.
 */
export function safeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}

export function utf8(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/;
const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/** Strict base64 (standard or url-safe alphabet); undefined when the text is not base64. */
export function decodeBase64(text: string): Buffer | undefined {
  if (text.length === 0 || text.length % 4 === 1) return undefined;
  if (BASE64.test(text)) return Buffer.from(text, 'base64');
  if (BASE64URL.test(text)) return Buffer.from(text, 'base64url');
  return undefined;
}

export function decodeHex(text: string): Buffer | undefined {
  return text.length > 0 && HEX.test(text) ? Buffer.from(text, 'hex') : undefined;
}

const LOWER_HEX = /^(?:[0-9a-f]{2})*$/;

/**
 * A hex signature as the providers print it: lower case only. Every official library compares the
 * hex text, so `ABC…` never verifies there; it must not here either (one changed byte, one failure).
 */
export function signatureHex(text: string): Buffer | undefined {
  return text.length > 0 && LOWER_HEX.test(text) ? Buffer.from(text, 'hex') : undefined;
}

/**
 * A base64 signature, in its one canonical spelling: standard alphabet, padded, as every provider
 * sends it. Buffer ignores the spare bits of the last character, accepts the url-safe alphabet and
 * missing padding, so `…E=` and `…F=`, `/` and `_`, can decode alike; the libraries compare the
 * text and tell them apart, and so do we.
 */
export function signatureBase64(text: string): Buffer | undefined {
  if (text.length === 0 || text.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}

/** Text after the first `_` of a prefixed secret such as `whsec_…`, or the whole text. */
export function stripSecretPrefix(secret: string): string {
  const match = /^(whsec|whsk|whpk)_/.exec(secret);
  return match ? secret.slice(match[0].length) : secret;
}

export class BadSecretError extends Error {}

/**
 * Key bytes for a secret string. `utf8` is what GitHub, Stripe, Slack, Shopify and Twilio do
 * (Stripe included: its `whsec_` string is the key as is); `base64` is Standard Webhooks (decode
 * after the `whsec_` prefix).
 */
export function keyFromSecret(secret: string, encoding: KeyEncoding): Buffer {
  if (secret.length === 0) throw new BadSecretError('the secret is empty');
  const cache = keyCaches[encoding];
  const cached = cache.get(secret);
  if (cached) return cached;
  const key = deriveKey(secret, encoding);
  if (cache.size >= MAX_CACHED_KEYS) cache.clear();
  cache.set(secret, key);
  return key;
}

// Derived keys by secret: a listener or sender uses the same one or two secrets for every
// request, so decoding them once saves work per request. Bounded, since diagnosis tries variants.
// The buffers are shared: callers hand them to createHmac (which copies) and never write to them.
const MAX_CACHED_KEYS = 64;
const keyCaches: Record<KeyEncoding, Map<string, Buffer>> = { utf8: new Map(), base64: new Map(), hex: new Map() };

function deriveKey(secret: string, encoding: KeyEncoding): Buffer {
  switch (encoding) {
    case 'utf8':
      return utf8(secret);
    case 'base64': {
      const key = decodeBase64(stripSecretPrefix(secret));
      if (!key || key.length === 0) {
        const why = /\s/.test(secret) ? ' (it contains whitespace: a trailing newline or a space from copy-paste?)' : '';
        const what = secret.startsWith('whsec_')
          ? 'the secret is not valid base64 after its whsec_ prefix'
          : 'Standard Webhooks/Svix secrets are whsec_<base64> (e.g. from hookctl init --scheme standard), and this one is not base64; for a plain shared secret pick your provider with --scheme, or --scheme hmac';
        throw new BadSecretError(`${what}${why}`);
      }
      return key;
    }
    case 'hex': {
      const key = decodeHex(secret);
      if (!key) throw new BadSecretError('the secret is not valid hex');
      return key;
    }
  }
}
