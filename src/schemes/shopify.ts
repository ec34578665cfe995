import { signatureBase64, hmac, keyFromSecret } from './crypto.js';
import { clip, matchSecrets, mismatch, rejected, splitList, verified } from './common.js';
import { header, hasHeader, headerId } from './headers.js';
import type { Scheme } from './types.js';

const SIGNATURE_HEADER = 'x-shopify-hmac-sha256';
/**
 * Shopify's "events" deliveries use the same HMAC under unprefixed names; @shopify/shopify-api@13
 * (`webhooks.validate`) picks that type whenever `Shopify-Hmac-Sha256` is present.
 */
const EVENTS_SIGNATURE_HEADER = 'shopify-hmac-sha256';
/** Shopify's library refuses a webhook without these, even with a valid HMAC. */
const REQUIRED_HEADERS = ['X-Shopify-Topic', 'X-Shopify-Shop-Domain', 'X-Shopify-API-Version', 'X-Shopify-Webhook-Id'];
const EVENTS_REQUIRED_HEADERS = ['Shopify-Topic', 'Shopify-Shop-Domain', 'Shopify-API-Version', 'Shopify-Webhook-Id', 'Shopify-Event-Id'];
export const SHOPIFY_API_VERSION = '2025-10';

/**
 * Shopify: `X-Shopify-Hmac-Sha256: <base64>`, HMAC-SHA256 of the raw body, secret (the app's API
 * secret key) as UTF-8. Like the library, a valid HMAC without the topic/shop/version/id headers
 * is still refused (`missing_header`).
 */
export function shopify(): Scheme {
  return {
    name: 'shopify',
    title: 'Shopify',
    timestamped: false,
    signatureHeaders: [SIGNATURE_HEADER, EVENTS_SIGNATURE_HEADER],
    keyEncoding: 'utf8',
    detect: (headers) => hasHeader(headers, SIGNATURE_HEADER) || hasHeader(headers, EVENTS_SIGNATURE_HEADER),
    sign: ({ body, secret }) => ({
      'X-Shopify-Hmac-Sha256': hmac('sha256', keyFromSecret(secret, 'utf8'), body).toString('base64'),
    }),
    verify(input) {
      const events = hasHeader(input.headers, EVENTS_SIGNATURE_HEADER);
      const value = header(input.headers, events ? EVENTS_SIGNATURE_HEADER : SIGNATURE_HEADER);
      if (value === undefined) return rejected('shopify', 'missing_signature', 'no X-Shopify-Hmac-Sha256 header');
      const signatures: Buffer[] = [];
      for (const part of splitList(value, /,\s*/)) {
        const bytes = signatureBase64(part);
        if (!bytes || bytes.length !== 32) {
          return rejected('shopify', 'malformed_signature_header', `expected the base64 of a 32-byte HMAC-SHA256, got "${clip(part)}"`);
        }
        signatures.push(bytes);
      }
      const match = matchSecrets('shopify', input, 'utf8', signatures, (key) => hmac('sha256', key, input.body));
      if (typeof match !== 'number') return match;
      if (match < 0) return mismatch('shopify', input, signatures.length, 'HMAC-SHA256 of the raw body');
      const missing = (events ? EVENTS_REQUIRED_HEADERS : REQUIRED_HEADERS).filter((name) => !hasHeader(input.headers, name));
      if (missing.length > 0) {
        return rejected(
          'shopify',
          'missing_header',
          `the HMAC is valid, but Shopify's library also requires ${missing.join(', ')}; a real Shopify delivery carries them`,
          { secretIndex: match },
        );
      }
      return verified('shopify', match);
    },
    deliveryHeaders: ({ id, type }) => ({
      'Content-Type': 'application/json',
      'User-Agent': 'Shopify-Captain-Hook',
      'X-Shopify-Topic': type ?? 'orders/create',
      'X-Shopify-Shop-Domain': 'hookctl-dev.myshopify.com',
      'X-Shopify-API-Version': SHOPIFY_API_VERSION,
      'X-Shopify-Webhook-Id': id,
      'X-Shopify-Event-Id': id,
      'X-Shopify-Triggered-At': new Date().toISOString(),
    }),
    eventId: (headers) => headerId(headers, 'x-shopify-webhook-id') ?? headerId(headers, 'shopify-webhook-id'),
    // Shopify signs the body only: the webhook id header can be changed on a valid delivery.
    signsEventId: () => false,
    stableSignature: (headers) => header(headers, hasHeader(headers, EVENTS_SIGNATURE_HEADER) ? EVENTS_SIGNATURE_HEADER : SIGNATURE_HEADER),
    eventType: (headers) => header(headers, 'x-shopify-topic') ?? header(headers, 'shopify-topic'),
  };
}
