import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { BadSecretError, decodeBase64, stripSecretPrefix } from './crypto.js';

/*
 * Key format of Standard Webhooks' asymmetric `v1a` signatures (no official JS library implements
 * it, so this is the whole contract, proven in test/schemes/ed25519.test.ts with bare node:crypto):
 *   - `whsk_<base64>`: the Ed25519 secret key, base64 (standard alphabet, padded) of the 32-byte
 *     RFC 8032 seed; the 64-byte libsodium form (seed followed by the public key) is accepted too,
 *     and its public half must belong to the seed.
 *   - `whpk_<base64>`: the public key, base64 of the raw 32-byte RFC 8032 public key.
 *   - Signature: `v1a,<base64 of the 64-byte Ed25519 signature>` over `<id>.<timestamp>.<raw body>`
 *     (pure Ed25519, no pre-hash), in the same space-separated `webhook-signature` list as `v1`.
 */

// DER headers that wrap a raw 32-byte Ed25519 key into PKCS#8 / SPKI, the forms node:crypto imports.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export function isEd25519Secret(secret: string): boolean {
  return secret.startsWith('whsk_') || secret.startsWith('whpk_');
}

// Parsed keys by secret string: a listener verifies thousands of requests with one key. Bounded,
// because diagnosis feeds variants (trimmed, re-encoded) of the secrets through here too.
const MAX_CACHED = 64;
const privateKeys = new Map<string, KeyObject>();
const publicKeys = new Map<string, KeyObject>();

function remember(cache: Map<string, KeyObject>, secret: string, key: KeyObject): KeyObject {
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(secret, key);
  return key;
}

function rawPublicKey(key: KeyObject): Buffer {
  return key.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
}

export function privateKeyFrom(secret: string): KeyObject {
  const cached = privateKeys.get(secret);
  if (cached) return cached;
  if (!secret.startsWith('whsk_')) throw new BadSecretError('signing with v1a needs a whsk_ secret key (a whpk_ key can only verify)');
  const raw = decodeBase64(stripSecretPrefix(secret));
  if (!raw || (raw.length !== 32 && raw.length !== 64)) {
    throw new BadSecretError('a whsk_ key must be base64 of a 32-byte Ed25519 seed (or 64 bytes seed+public key)');
  }
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, raw.subarray(0, 32)]), format: 'der', type: 'pkcs8' });
  if (raw.length === 64 && !rawPublicKey(createPublicKey(key)).equals(raw.subarray(32))) {
    throw new BadSecretError('the whsk_ key is 64 bytes but its second half is not the public key of its seed');
  }
  return remember(privateKeys, secret, key);
}

/** The verifying key of a `whpk_` public key, or the public half of a `whsk_` secret key. */
export function publicKeyFrom(secret: string): KeyObject {
  const cached = publicKeys.get(secret);
  if (cached) return cached;
  let key: KeyObject;
  if (secret.startsWith('whsk_')) key = createPublicKey(privateKeyFrom(secret));
  else {
    const raw = secret.startsWith('whpk_') ? decodeBase64(stripSecretPrefix(secret)) : undefined;
    if (!raw || raw.length !== 32) throw new BadSecretError('a whpk_ key must be base64 of a 32-byte Ed25519 public key');
    try {
      key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
    } catch {
      throw new BadSecretError('the whpk_ key is not a valid Ed25519 public key');
    }
  }
  return remember(publicKeys, secret, key);
}

export function ed25519Sign(secret: string, message: Uint8Array): Buffer {
  return sign(null, message, privateKeyFrom(secret));
}

export function ed25519Verify(key: string | KeyObject, message: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 64) return false;
  try {
    return verify(null, message, typeof key === 'string' ? publicKeyFrom(key) : key, signature);
  } catch (error) {
    if (error instanceof BadSecretError) throw error;
    return false;
  }
}

/** A fresh key pair as `whsk_`/`whpk_` strings (32-byte seed, 32-byte public key). */
export function generateEd25519KeyPair(): { secretKey: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length);
  return { secretKey: `whsk_${seed.toString('base64')}`, publicKey: `whpk_${rawPublicKey(publicKey).toString('base64')}` };
}
