import { BadSecretError, signatureBase64, hmac, keyFromSecret, safeEqual, utf8 } from './crypto.js';
import { checkTimestamp, checkTolerance, clip, jsonField, mismatch, rejected, verified } from './common.js';
import { ed25519Sign, ed25519Verify, isEd25519Secret, publicKeyFrom } from './ed25519.js';
import { hasHeader, headerValues, headerValuesOf } from './headers.js';
import type { EventMeta, HeaderMap, OutgoingHeaders, Scheme, VerifyInput, VerifyResult } from './types.js';

/**
 * Standard Webhooks (and Svix, the same scheme with `svix-` headers): `webhook-signature:
 * v1,<base64> [v1,<base64> …]`, HMAC-SHA256 over `<id>.<timestamp>.<raw body>` with the key
 * base64-decoded after the `whsec_` prefix. `v1a` is the asymmetric variant: Ed25519 with
 * `whsk_` (secret) / `whpk_` (public) keys (format in ed25519.ts). Timestamps are refused both
 * ways outside the tolerance, like standardwebhooks@1.1 (`verifyTimestamp`).
 */
function distinct(values: string[]): string[] {
  return values.length < 2 ? values : [...new Set(values)];
}

/** A provider that sends Standard Webhooks or Svix deliveries under its own name (Clerk, OpenAI…). */
export interface StandardAlias {
  name: string;
  title: string;
  deliveryHeaders?: (event: EventMeta) => OutgoingHeaders;
  eventType?: (headers: HeaderMap, body: Uint8Array) => string | undefined;
}

export function standardWebhooks(prefix: 'webhook' | 'svix' = 'webhook', alias?: StandardAlias): Scheme {
  const name = alias?.name ?? (prefix === 'svix' ? 'svix' : 'standard');
  const idHeader = `${prefix}-id`;
  const timestampHeader = `${prefix}-timestamp`;
  const signatureHeader = `${prefix}-signature`;
  const title = alias?.title ?? (prefix === 'svix' ? 'Svix' : 'Standard Webhooks');

  /**
   * A header by name. Svix's library reads each `svix-*` header and falls back to the
   * `webhook-*` one, so the svix scheme does the same.
   */
  const NAMES = prefix === 'svix' ? ['svix-id', 'svix-timestamp', 'svix-signature', 'webhook-id', 'webhook-timestamp', 'webhook-signature'] : ['webhook-id', 'webhook-timestamp', 'webhook-signature'];

  /** id, timestamp and signature values, read in one pass (svix- first, then webhook- for svix). */
  function readAll(headers: HeaderMap): [string[], string[], string[]] {
    const found = headerValuesOf(headers, NAMES);
    const pick = (i: number) => (found[i]!.length > 0 || prefix === 'webhook' ? found[i]! : found[i + 3]!);
    return [pick(0), pick(1), pick(2)];
  }

  function read(headers: HeaderMap, which: 'id' | 'timestamp' | 'signature'): string[] {
    const values = headerValues(headers, `${prefix}-${which}`);
    return values.length > 0 || prefix === 'webhook' ? values : headerValues(headers, `webhook-${which}`);
  }

  function prefixOf(id: string, timestamp: string): string {
    return `${id}.${timestamp}.`;
  }

  function verify(input: VerifyInput): VerifyResult {
    const [idValues, timestampValues, signatureValues] = readAll(input.headers);
    if (signatureValues.length === 0) return rejected(name, 'missing_signature', `no ${signatureHeader} header`);
    const ids = distinct(idValues);
    if (ids.length === 0) return rejected(name, 'missing_header', `no ${idHeader} header (it is part of the signed content)`);
    if (ids.length > 1) return rejected(name, 'malformed_signature_header', `${ids.length} different ${idHeader} headers: the id is signed, so it must be sent once`);
    const timestamps = distinct(timestampValues);
    if (timestamps.length > 1) return rejected(name, 'malformed_timestamp', `${timestamps.length} different ${timestampHeader} headers: the timestamp is signed, so it must be sent once`);
    const parsed = checkTimestamp(name, timestamps[0], timestampHeader);
    if ('verified' in parsed) return parsed;
    if (input.secrets.length === 0) return rejected(name, 'no_secret', 'no secret was given to verify with');

    // Entries are space separated; repeated headers arrive as a list or joined with ", " by Node.
    const hmacSignatures: Buffer[] = [];
    const edSignatures: Buffer[] = [];
    let malformed: string | undefined;
    for (const raw of (signatureValues.length === 1 ? signatureValues[0]! : signatureValues.join(' ')).split(' ')) {
      const part = raw.endsWith(',') ? raw.slice(0, -1) : raw;
      if (part === '') continue;
      const comma = part.indexOf(',');
      const version = comma > 0 ? part.slice(0, comma) : '';
      if (version !== 'v1' && version !== 'v1a') {
        // Unknown versions are skipped, as the spec asks, so newer senders keep working.
        if (comma <= 0) malformed ??= part;
        continue;
      }
      // Like the official library, a broken entry just does not match; another may still verify.
      const bytes = signatureBase64(part.slice(comma + 1));
      if (!bytes || bytes.length !== (version === 'v1' ? 32 : 64)) {
        malformed ??= part;
        continue;
      }
      (version === 'v1' ? hmacSignatures : edSignatures).push(bytes);
    }
    if (hmacSignatures.length + edSignatures.length === 0) {
      return rejected(
        name,
        'malformed_signature_header',
        malformed !== undefined
          ? `expected "v1,<base64 of 32 bytes>" entries separated by spaces, got "${clip(malformed)}"`
          : `no v1 or v1a signature in "${clip(signatureValues.join(' '))}"`,
      );
    }

    // The library signs the timestamp as parseInt printed it back, not the header text.
    const signedPrefix = prefixOf(ids[0]!, parsed.canonical);
    const encoding = input.keyEncoding ?? 'base64';
    let usable = 0;
    let problem = '';
    let matchedIndex = -1;
    let edContent: Buffer | undefined;
    for (let index = 0; index < input.secrets.length; index++) {
      const secret = input.secrets[index]!;
      try {
        let matched = false;
        if (isEd25519Secret(secret)) {
          const key = publicKeyFrom(secret);
          usable++;
          // Ed25519 cannot stream, so only this path copies the body into one message.
          edContent ??= Buffer.concat([utf8(signedPrefix), input.body]);
          for (const signature of edSignatures) matched = ed25519Verify(key, edContent, signature) || matched;
        } else {
          const key = keyFromSecret(secret, encoding);
          usable++;
          const mine = hmac('sha256', key, signedPrefix, input.body);
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
    if (usable === 0) return rejected(name, 'bad_secret_format', `${problem}${input.secrets.length > 1 ? ' (all secrets)' : ''}`);
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
    sign({ body, secret, timestamp, id }): OutgoingHeaders {
      const signedPrefix = `${id}.${timestamp}.`;
      const signature = isEd25519Secret(secret)
        ? `v1a,${ed25519Sign(secret, Buffer.concat([utf8(signedPrefix), body])).toString('base64')}`
        : `v1,${hmac('sha256', keyFromSecret(secret, 'base64'), signedPrefix, body).toString('base64')}`;
      const ts = String(timestamp);
      // Literal keys, not computed ones: V8 builds these as fast objects, and every receiver reads them.
      return prefix === 'svix'
        ? { 'svix-id': id, 'svix-timestamp': ts, 'svix-signature': signature }
        : { 'webhook-id': id, 'webhook-timestamp': ts, 'webhook-signature': signature };
    },
    verify,
    deliveryHeaders: (event) => alias?.deliveryHeaders?.(event) ?? { 'Content-Type': 'application/json', 'User-Agent': `hookctl (${title})` },
    eventId: (headers) => read(headers, 'id')[0] || undefined,
    // `<id>.<timestamp>.<body>` is what is signed.
    signsEventId: () => true,
    // Every attempt is signed anew with its own timestamp.
    stableSignature: () => undefined,
    eventType: (headers, body) => alias?.eventType?.(headers, body) ?? jsonField(body, 'type') ?? jsonField(body, 'eventType'),
  };
}
