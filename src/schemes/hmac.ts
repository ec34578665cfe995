import { signatureBase64, signatureHex, hmac, keyFromSecret } from './crypto.js';
import { clip, jsonField, jsonId, matchSecrets, mismatch, rejected, splitList, verified } from './common.js';
import { header, hasHeader, headerId } from './headers.js';
import type { Scheme, SchemeOptions } from './types.js';

const DIGEST_BYTES = { sha1: 20, sha256: 32, sha512: 64 } as const;

/**
 * Generic HMAC over the raw body, for in-house senders: the header, digest, encoding and prefix
 * are configurable (`--signature-header`, `--algorithm`, `--encoding`, `--prefix`).
 */
export function genericHmac(options: SchemeOptions = {}): Scheme {
  const headerName = options.signatureHeader ?? 'X-Signature';
  const algorithm = options.algorithm ?? 'sha256';
  const encoding = options.encoding ?? 'hex';
  const prefix = options.prefix ?? '';
  const expectedForm = `${prefix}<${encoding} HMAC-${algorithm.toUpperCase()}>`;
  return {
    name: 'hmac',
    title: `HMAC (${headerName})`,
    timestamped: false,
    signatureHeaders: [headerName.toLowerCase()],
    keyEncoding: 'utf8',
    detect: (headers) => hasHeader(headers, headerName),
    sign: ({ body, secret }) => ({
      [headerName]: prefix + hmac(algorithm, keyFromSecret(secret, 'utf8'), body).toString(encoding),
    }),
    verify(input) {
      const value = header(input.headers, headerName);
      if (value === undefined) return rejected('hmac', 'missing_signature', `no ${headerName} header`);
      const signatures: Buffer[] = [];
      for (const part of splitList(value, /,\s*/)) {
        const text = part.startsWith(prefix) ? part.slice(prefix.length) : undefined;
        const bytes = text === undefined ? undefined : encoding === 'hex' ? signatureHex(text) : signatureBase64(text);
        if (!bytes || bytes.length !== DIGEST_BYTES[algorithm]) {
          return rejected('hmac', 'malformed_signature_header', `expected "${expectedForm}", got "${clip(part)}"`);
        }
        signatures.push(bytes);
      }
      const match = matchSecrets('hmac', input, 'utf8', signatures, (key) => hmac(algorithm, key, input.body));
      if (typeof match !== 'number') return match;
      if (match < 0) return mismatch('hmac', input, signatures.length, `HMAC-${algorithm.toUpperCase()} of the raw body`);
      return verified('hmac', match);
    },
    deliveryHeaders: () => ({ 'Content-Type': 'application/json', 'User-Agent': 'hookctl' }),
    eventId: (headers, body) => headerId(headers, 'x-event-id') ?? headerId(headers, 'x-request-id') ?? jsonId(body, 'id'),
    // The MAC covers the body: a JSON "id" in it is signed, an id header beside it is not.
    signsEventId: (headers) => headerId(headers, 'x-event-id') === undefined && headerId(headers, 'x-request-id') === undefined,
    stableSignature: (headers) => {
      const value = header(headers, headerName);
      return value !== undefined && value.startsWith(prefix) ? value.slice(prefix.length) : value;
    },
    eventType: (headers, body) => header(headers, 'x-event-type') ?? jsonField(body, 'type'),
  };
}
