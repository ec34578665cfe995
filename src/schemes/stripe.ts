import { signatureHex, hmac, keyFromSecret } from './crypto.js';
import { checkTimestamp, checkTolerance, clip, jsonField, jsonId, matchSecrets, mismatch, rejected, verified } from './common.js';
import { header, hasHeader } from './headers.js';
import type { Scheme } from './types.js';

const SIGNATURE_HEADER = 'stripe-signature';

/**
 * Stripe: `Stripe-Signature: t=<unix>,v1=<hex>[,v1=…]`, HMAC-SHA256 over `<t>.<raw body>`.
 * The whole `whsec_…` string is the key as UTF-8 (unlike Standard Webhooks, it is not decoded).
 * Like Stripe's library (stripe@23 Webhooks.js), only timestamps older than the tolerance are
 * refused; future ones pass. Several v1 entries are accepted (Stripe sends one per active secret
 * while a secret is being rolled); v0 entries are ignored.
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
      const signature = hmac('sha256', key, `${timestamp}.`, body).toString('hex');
      return { 'Stripe-Signature': `t=${timestamp},v1=${signature}` };
    },
    verify(input) {
      const value = header(input.headers, SIGNATURE_HEADER);
      if (value === undefined) return rejected('stripe', 'missing_signature', 'no Stripe-Signature header');
      const timestamps = new Set<string>();
      const signatures: Buffer[] = [];
      let malformed: string | undefined;
      for (const item of value.split(',')) {
        const eq = item.indexOf('=');
        if (eq < 0) continue;
        const key = item.slice(0, eq).trim();
        const text = item.slice(eq + 1).trim();
        if (key === 't') timestamps.add(text);
        else if (key === 'v1') {
          // Stripe's library compares every v1 and lets a malformed one simply not match, so one
          // bad entry beside a good one still verifies; we do the same and report it only alone.
          const bytes = signatureHex(text);
          if (bytes && bytes.length === 32) signatures.push(bytes);
          else malformed ??= text;
        }
      }
      if (timestamps.size > 1) {
        return rejected('stripe', 'malformed_signature_header', `the Stripe-Signature header carries ${timestamps.size} different t= values (was the header sent more than once?)`);
      }
      const [timestampText] = timestamps;
      if (timestampText === undefined || signatures.length === 0) {
        const why =
          malformed !== undefined
            ? `v1 signature "${clip(malformed)}" is not 64 lower-case hex digits`
            : `expected "t=<unix>,v1=<hex>", got "${clip(value)}"${timestampText !== undefined ? ' (no v1 signature; v0 is ignored)' : ''}`;
        return rejected('stripe', 'malformed_signature_header', why);
      }
      const parsed = checkTimestamp('stripe', timestampText, 't= timestamp');
      if ('verified' in parsed) return parsed;
      // Stripe's library signs the timestamp as parseInt printed it back, not the header text.
      const prefix = `${parsed.canonical}.`;
      const match = matchSecrets('stripe', input, 'utf8', signatures, (key) => hmac('sha256', key, prefix, input.body));
      if (typeof match !== 'number') return match;
      if (match < 0) return mismatch('stripe', input, signatures.length, 'HMAC-SHA256 of "<t>.<raw body>"');
      return checkTolerance('stripe', parsed.timestamp, input, { rejectFuture: false }) ?? verified('stripe', match);
    },
    deliveryHeaders: () => ({
      'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
      'Content-Type': 'application/json; charset=utf-8',
    }),
    eventId: (_headers, body) => jsonId(body, 'id'),
    signsEventId: () => true,
    // Every attempt is signed anew with its own t=.
    stableSignature: () => undefined,
    eventType: (_headers, body) => jsonField(body, 'type'),
  };
}
