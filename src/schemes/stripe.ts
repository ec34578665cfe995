import { decodeHex, hmac, keyFromSecret, utf8 } from './crypto.js';
import { checkTimestamp, checkTolerance, clip, jsonField, matchSecrets, mismatch, rejected, verified } from './common.js';
import { header, hasHeader } from './headers.js';
import type { Scheme } from './types.js';

const SIGNATURE_HEADER = 'stripe-signature';

/**
 * Stripe: `Stripe-Signature: t=<unix>,v1=<hex>[,v1=…]`, HMAC-SHA256 over `<t>.<raw body>`.
 * The whole `whsec_…` string is the key as UTF-8 (unlike Standard Webhooks, it is not decoded).
 * Like Stripe's library, only timestamps older than the tolerance are refused.
 */
export function stripe(): Scheme {
  return {
    name: 'stripe',
    title: 'Stripe',
    timestamped: true,
    signatureHeaders: [SIGNATURE_HEADER],
    keyEncoding: 'utf8',
    detect: (headers) => hasHeader(headers, SIGNATURE_HEADER),
    sign({ body, secret, timestamp }) {
      const key = keyFromSecret(secret, 'utf8');
      const signature = hmac('sha256', key, utf8(`${timestamp}.`), body).toString('hex');
      return { 'Stripe-Signature': `t=${timestamp},v1=${signature}` };
    },
    verify(input) {
      const value = header(input.headers, SIGNATURE_HEADER);
      if (value === undefined) return rejected('stripe', 'missing_signature', 'no Stripe-Signature header');
      let timestampText: string | undefined;
      const signatures: Buffer[] = [];
      for (const item of value.split(',')) {
        const eq = item.indexOf('=');
        if (eq < 0) continue;
        const key = item.slice(0, eq).trim();
        const text = item.slice(eq + 1).trim();
        if (key === 't') timestampText = text;
        else if (key === 'v1') {
          const bytes = decodeHex(text);
          if (!bytes || bytes.length !== 32) {
            return rejected('stripe', 'malformed_signature_header', `v1 signature "${clip(text)}" is not 64 hex digits`);
          }
          signatures.push(bytes);
        }
      }
      if (timestampText === undefined || signatures.length === 0) {
        return rejected(
          'stripe',
          'malformed_signature_header',
          `expected "t=<unix>,v1=<hex>", got "${clip(value)}"${signatures.length === 0 && timestampText !== undefined ? ' (no v1 signature; v0 is ignored)' : ''}`,
        );
      }
      const parsed = checkTimestamp('stripe', timestampText);
      if ('verified' in parsed) return parsed;
      const prefix = utf8(`${timestampText}.`);
      const match = matchSecrets('stripe', input, 'utf8', signatures, (key) => hmac('sha256', key, prefix, input.body));
      if (typeof match !== 'number') return match;
      if (match < 0) return mismatch('stripe', input, signatures.length, 'HMAC-SHA256 of "<t>.<raw body>"');
      return checkTolerance('stripe', parsed.timestamp, input, { rejectFuture: false }) ?? verified('stripe', match);
    },
    deliveryHeaders: () => ({
      'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
      'Content-Type': 'application/json; charset=utf-8',
    }),
    eventId: (_headers, body) => jsonField(body, 'id'),
    eventType: (_headers, body) => jsonField(body, 'type'),
  };
}
