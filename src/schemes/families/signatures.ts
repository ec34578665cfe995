import { signatureBase64, signatureHex, type Digest } from '../crypto.js';
import { clip, rejected, splitList } from '../common.js';
import type { VerifyResult } from '../types.js';

export const DIGEST_BYTES: Record<Digest, number> = { sha1: 20, sha256: 32, sha512: 64 };

/**
 * The signatures in a header value: one or several (comma separated, or a repeated header that Node
 * joined), each `<prefix><hex|base64>` of a digest's length. A malformed one is refused with the
 * form expected, in words.
 */
export function readSignatures(scheme: string, value: string, options: { prefix: string; encoding: 'hex' | 'base64'; bytes: number; what: string }): Buffer[] | VerifyResult {
  const signatures: Buffer[] = [];
  for (const part of splitList(value, /,\s*/)) {
    const text = part.startsWith(options.prefix) ? part.slice(options.prefix.length) : undefined;
    const bytes = text === undefined ? undefined : options.encoding === 'hex' ? signatureHex(text) : signatureBase64(text);
    if (!bytes || bytes.length !== options.bytes) {
      const form = options.encoding === 'hex' ? `${options.bytes * 2} lower-case hex digits` : `base64 of ${options.bytes} bytes`;
      return rejected(scheme, 'malformed_signature_header', `expected "${options.prefix}<${form}>" (${options.what}), got "${clip(part)}"`);
    }
    signatures.push(bytes);
  }
  return signatures;
}
