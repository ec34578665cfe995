import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { BadSecretError, decodeBase64, decodeHex } from './crypto.js';

/*
 * Key material for the asymmetric schemes, from text: what `--public-key FILE` / `--private-key
 * FILE` hold. PEM (a public key, a private key whose public half is used, or an X.509
 * certificate), or a provider's own form: Discord's hex Ed25519 key, Telnyx's base64 one,
 * SendGrid's base64 DER (SPKI) key with no PEM armour.
 */

export type KeyType = 'ed25519' | 'ec' | 'rsa';

// DER headers that wrap a raw 32-byte Ed25519 key into PKCS#8 / SPKI.
const ED25519_PKCS8 = Buffer.from('302e020100300506032b657004220420', 'hex');
const ED25519_SPKI = Buffer.from('302a300506032b6570032100', 'hex');

const MAX_CACHED = 64;
const publicCache = new Map<string, KeyObject>();
const privateCache = new Map<string, KeyObject>();

function remember(cache: Map<string, KeyObject>, text: string, key: KeyObject): KeyObject {
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(text, key);
  return key;
}

function checkType(key: KeyObject, type: KeyType, what: string): KeyObject {
  if (key.asymmetricKeyType !== type) throw new BadSecretError(`the ${what} is an ${key.asymmetricKeyType ?? 'unknown'} key, and this scheme needs ${type === 'ec' ? 'an ECDSA (P-256)' : type === 'rsa' ? 'an RSA' : 'an Ed25519'} key`);
  return key;
}

/** The verifying key in `text`, of the type the scheme needs. */
export function publicKeyFromText(text: string, type: KeyType): KeyObject {
  const cacheKey = `${type}:${text}`;
  const cached = publicCache.get(cacheKey);
  if (cached) return cached;
  const trimmed = text.trim();
  let key: KeyObject | undefined;
  try {
    if (trimmed.startsWith('-----BEGIN')) {
      key = /PRIVATE KEY-----/.test(trimmed) ? createPublicKey(createPrivateKey(trimmed)) : createPublicKey(trimmed);
    } else if (trimmed.startsWith('{')) {
      // A JWK, as Plaid's /webhook_verification_key/get and Google's JWKS endpoints give them.
      key = createPublicKey({ key: JSON.parse(trimmed) as import('node:crypto').JsonWebKey, format: 'jwk' });
    } else {
      const raw = (/^[0-9a-fA-F]+$/.test(trimmed) ? decodeHex(trimmed) : undefined) ?? decodeBase64(trimmed);
      if (raw && type === 'ed25519' && raw.length === 32) key = createPublicKey({ key: Buffer.concat([ED25519_SPKI, raw]), format: 'der', type: 'spki' });
      else if (raw) key = createPublicKey({ key: raw, format: 'der', type: 'spki' });
    }
  } catch {
    key = undefined;
  }
  if (!key) {
    throw new BadSecretError(
      type === 'ed25519'
        ? 'the public key is not an Ed25519 key: give the PEM file, or the key as 64 hex digits (Discord) or base64 of 32 bytes (Telnyx), with --public-key'
        : `the public key is not readable: give a PEM public key or certificate${type === 'ec' ? ", or SendGrid's base64 key" : ''} with --public-key`,
    );
  }
  return remember(publicCache, cacheKey, checkType(key, type, 'public key'));
}

/** The signing key in `text`: PEM, or for Ed25519 the 32-byte seed as hex or base64. */
export function privateKeyFromText(text: string, type: KeyType): KeyObject {
  const cacheKey = `${type}:${text}`;
  const cached = privateCache.get(cacheKey);
  if (cached) return cached;
  const trimmed = text.trim();
  let key: KeyObject | undefined;
  try {
    if (trimmed.startsWith('-----BEGIN')) key = createPrivateKey(trimmed);
    else if (type === 'ed25519') {
      const raw = (/^[0-9a-fA-F]+$/.test(trimmed) ? decodeHex(trimmed) : undefined) ?? decodeBase64(trimmed);
      if (raw && (raw.length === 32 || raw.length === 64)) key = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8, raw.subarray(0, 32)]), format: 'der', type: 'pkcs8' });
    }
  } catch {
    key = undefined;
  }
  if (!key) throw new BadSecretError(`signing needs a private key: give a PEM private key${type === 'ed25519' ? ' (or a 32-byte Ed25519 seed as hex or base64)' : ''} with --private-key`);
  return remember(privateCache, cacheKey, checkType(key, type, 'private key'));
}

/** The raw 32 bytes of an Ed25519 public key (Discord and Telnyx show keys this way). */
export function rawEd25519PublicKey(key: KeyObject): Buffer {
  return key.export({ format: 'der', type: 'spki' }).subarray(ED25519_SPKI.length);
}
