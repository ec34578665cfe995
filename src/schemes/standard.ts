import { BadSecretError, decodeBase64, hmac, keyFromSecret, safeEqual, utf8 } from './crypto.js';
import { checkTimestamp, checkTolerance, clip, jsonField, mismatch, rejected, verified } from './common.js';
import { ed25519Sign, ed25519Verify, isEd25519Secret } from './ed25519.js';
import { header, hasHeader } from './headers.js';
import type { Scheme, VerifyInput, VerifyResult } from './types.js';

/**
 * Standard Webhooks (and Svix, the same scheme with `svix-` headers): `webhook-signature:
 * v1,<base64> [v1,<base64> …]`, HMAC-SHA256 over `<id>.<timestamp>.<raw body>` with the key
 * base64-decoded after the `whsec_` prefix. `v1a` is the asymmetric variant: Ed25519 with
 * `whsk_` (secret) / `whpk_` (public) keys. Timestamps are refused both ways outside the tolerance.
 */
export function standardWebhooks(prefix: 'webhook' | 'svix' = 'webhook'): Scheme {
  const name = prefix === 'svix' ? 'svix' : 'standard';
  const idHeader = `${prefix}-id`;
  const timestampHeader = `${prefix}-timestamp`;
  const signatureHeader = `${prefix}-signature`;
  const title = prefix === 'svix' ? 'Svix' : 'Standard Webhooks';

  function signedContent(id: string, timestamp: string, body: Uint8Array): Buffer {
    return Buffer.concat([utf8(`${id}.${timestamp}.`), body]);
  }

  function verify(input: VerifyInput): VerifyResult {
    const id = header(input.headers, idHeader);
    const timestampText = header(input.headers, timestampHeader);
    const value = header(input.headers, signatureHeader);
    if (value === undefined) return rejected(name, 'missing_signature', `no ${signatureHeader} header`);
    if (id === undefined) return rejected(name, 'missing_header', `no ${idHeader} header (it is part of the signed content)`);
    const parsed = checkTimestamp(name, timestampText);
    if ('verified' in parsed) return parsed;
    if (input.secrets.length === 0) return rejected(name, 'no_secret', 'no secret was given to verify with');

    const hmacSignatures: Buffer[] = [];
    const edSignatures: Buffer[] = [];
    for (const part of value.split(' ').filter(Boolean)) {
      const comma = part.indexOf(',');
      const version = comma > 0 ? part.slice(0, comma) : '';
      const bytes = comma > 0 ? decodeBase64(part.slice(comma + 1)) : undefined;
      if (!bytes) {
        return rejected(name, 'malformed_signature_header', `expected "v1,<base64>" entries separated by spaces, got "${clip(part)}"`);
      }
      if (version === 'v1') hmacSignatures.push(bytes);
      else if (version === 'v1a') edSignatures.push(bytes);
      // Unknown versions are skipped, as the spec asks, so newer senders keep working.
    }
    if (hmacSignatures.length + edSignatures.length === 0) {
      return rejected(name, 'malformed_signature_header', `no v1 or v1a signature in "${clip(value)}"`);
    }

    const content = signedContent(id, timestampText!.trim(), input.body);
    const encoding = input.keyEncoding ?? 'base64';
    let usable = 0;
    let problem = '';
    let matchedIndex = -1;
    for (const [index, secret] of input.secrets.entries()) {
      try {
        let matched = false;
        if (isEd25519Secret(secret)) {
          usable++;
          for (const signature of edSignatures) matched = ed25519Verify(secret, content, signature) || matched;
        } else {
          const key = keyFromSecret(secret, encoding);
          usable++;
          const mine = hmac('sha256', key, content);
          for (const signature of hmacSignatures) matched = safeEqual(mine, signature) || matched;
        }
        if (matched) {
          matchedIndex = index;
          break;
        }
      } catch (error) {
        if (!(error instanceof BadSecretError)) throw error;
        problem = error.message;
      }
    }
    if (usable === 0) return rejected(name, 'bad_secret_format', problem);
    if (matchedIndex < 0) {
      return mismatch(name, input, hmacSignatures.length + edSignatures.length, `${edSignatures.length > 0 && hmacSignatures.length === 0 ? 'Ed25519 (v1a)' : 'HMAC-SHA256 (v1)'} over "<id>.<timestamp>.<raw body>"`);
    }
    return checkTolerance(name, parsed.timestamp, input, { rejectFuture: true }) ?? verified(name, matchedIndex);
  }

  return {
    name,
    title,
    timestamped: true,
    signatureHeaders: [signatureHeader],
    keyEncoding: 'base64',
    detect: (headers) => hasHeader(headers, signatureHeader),
    sign({ body, secret, timestamp, id }) {
      const content = signedContent(id, String(timestamp), body);
      const signature = isEd25519Secret(secret)
        ? `v1a,${ed25519Sign(secret, content).toString('base64')}`
        : `v1,${hmac('sha256', keyFromSecret(secret, 'base64'), content).toString('base64')}`;
      return { [idHeader]: id, [timestampHeader]: String(timestamp), [signatureHeader]: signature };
    },
    verify,
    deliveryHeaders: () => ({ 'Content-Type': 'application/json', 'User-Agent': `hookctl (${title})` }),
    eventId: (headers) => header(headers, idHeader),
    eventType: (_headers, body) => jsonField(body, 'type') ?? jsonField(body, 'eventType'),
  };
}
