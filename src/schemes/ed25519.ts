import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { BadSecretError, decodeBase64, stripSecretPrefix } from './crypto.js';

// DER headers that wrap a raw 32-byte Ed25519 key into PKCS#8 / SPKI, the forms node:crypto imports.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export function isEd25519Secret(secret: string): boolean {
  return secret.startsWith('whsk_') || secret.startsWith('whpk_');
}

const privateKeys = new Map<string, KeyObject>();
const publicKeys = new Map<string, KeyObject>();

/** `whsk_<base64>`: a 32-byte seed, or 64 bytes of seed followed by the public key (libsodium). */
export function privateKeyFrom(secret: string): KeyObject {
  let key = privateKeys.get(secret);
  if (!key) {
    if (!secret.startsWith('whsk_')) throw new BadSecretError('signing with v1a needs a whsk_ secret key');
    const raw = decodeBase64(stripSecretPrefix(secret));
    if (!raw || (raw.length !== 32 && raw.length !== 64)) {
      throw new BadSecretError('a whsk_ key must be base64 of a 32-byte Ed25519 seed (or 64 bytes seed+public key)');
    }
    key = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, raw.subarray(0, 32)]), format: 'der', type: 'pkcs8' });
    privateKeys.set(secret, key);
  }
  return key;
}

/** `whpk_<base64 of 32 bytes>`, or the public half of a `whsk_` key. */
export function publicKeyFrom(secret: string): KeyObject {
  let key = publicKeys.get(secret);
  if (!key) {
    if (secret.startsWith('whsk_')) key = createPublicKey(privateKeyFrom(secret));
    else {
      const raw = decodeBase64(stripSecretPrefix(secret));
      if (!raw || raw.length !== 32) throw new BadSecretError('a whpk_ key must be base64 of a 32-byte Ed25519 public key');
      key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
    }
    publicKeys.set(secret, key);
  }
  return key;
}

export function ed25519Sign(secret: string, message: Uint8Array): Buffer {
  return sign(null, message, privateKeyFrom(secret));
}

export function ed25519Verify(secret: string, message: Uint8Array, signature: Uint8Array): boolean {
  return signature.length === 64 && verify(null, message, publicKeyFrom(secret), signature);
}

/** A fresh key pair as `whsk_`/`whpk_` strings (32-byte seed, 32-byte public key). */
export function generateEd25519KeyPair(): { secretKey: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length);
  const pub = publicKey.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
  return { secretKey: `whsk_${seed.toString('base64')}`, publicKey: `whpk_${pub.toString('base64')}` };
}
