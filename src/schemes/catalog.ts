/**
 * What each `--scheme` is, for people and for `hookctl samples --schemes`: its provider, the
 * family of signature it belongs to, and whether hookctl can sign and verify it. No imports of the
 * schemes themselves, so listing them stays cheap.
 */
import type { SchemeName } from './names.js';

export type SchemeFamily =
  | 'hub-signature'
  | 'timestamped-hmac-header'
  | 'standard-webhooks'
  | 'url-in-signature'
  | 'timestamp-prefixed-hmac'
  | 'body-hmac'
  | 'asymmetric'
  | 'jwt'
  | 'in-body'
  | 'static-token'
  | 'generic';

export interface SchemeInfo {
  scheme: SchemeName;
  title: string;
  family: SchemeFamily;
  signs: boolean;
  verifies: boolean;
}

export const SCHEME_CATALOG: readonly SchemeInfo[] = [
  { scheme: 'github', title: 'GitHub', family: 'hub-signature', signs: true, verifies: true },
  { scheme: 'stripe', title: 'Stripe', family: 'timestamped-hmac-header', signs: true, verifies: true },
  { scheme: 'standard', title: 'Standard Webhooks', family: 'standard-webhooks', signs: true, verifies: true },
  { scheme: 'svix', title: 'Svix', family: 'standard-webhooks', signs: true, verifies: true },
  { scheme: 'slack', title: 'Slack', family: 'timestamp-prefixed-hmac', signs: true, verifies: true },
  { scheme: 'shopify', title: 'Shopify', family: 'body-hmac', signs: true, verifies: true },
  { scheme: 'twilio', title: 'Twilio', family: 'url-in-signature', signs: true, verifies: true },
  { scheme: 'hmac', title: 'Generic HMAC', family: 'generic', signs: true, verifies: true },
];
