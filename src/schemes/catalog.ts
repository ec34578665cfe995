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
  { scheme: 'bitbucket', title: 'Bitbucket Cloud', family: 'hub-signature', signs: true, verifies: true },
  { scheme: 'jira', title: 'Jira', family: 'hub-signature', signs: true, verifies: true },
  { scheme: 'atlassian', title: 'Atlassian (Confluence, Jira)', family: 'hub-signature', signs: true, verifies: true },
  { scheme: 'intercom', title: 'Intercom', family: 'hub-signature', signs: true, verifies: true },
  { scheme: 'meta', title: 'Meta (Facebook, Instagram, Messenger)', family: 'hub-signature', signs: true, verifies: true },
  { scheme: 'whatsapp', title: 'WhatsApp Cloud API', family: 'hub-signature', signs: true, verifies: true },
  { scheme: 'vercel', title: 'Vercel', family: 'body-hmac', signs: true, verifies: true },
  { scheme: 'coinbase', title: 'Coinbase Commerce', family: 'body-hmac', signs: true, verifies: true },
  { scheme: 'typeform', title: 'Typeform', family: 'body-hmac', signs: true, verifies: true },
  { scheme: 'lemonsqueezy', title: 'Lemon Squeezy', family: 'body-hmac', signs: true, verifies: true },
  { scheme: 'woocommerce', title: 'WooCommerce', family: 'body-hmac', signs: true, verifies: true },
  { scheme: 'sentry', title: 'Sentry', family: 'body-hmac', signs: true, verifies: true },
  { scheme: 'notion', title: 'Notion', family: 'body-hmac', signs: true, verifies: true },
  { scheme: 'razorpay', title: 'Razorpay', family: 'body-hmac', signs: true, verifies: true },
  { scheme: 'dropbox', title: 'Dropbox', family: 'body-hmac', signs: true, verifies: true },
  { scheme: 'asana', title: 'Asana', family: 'body-hmac', signs: true, verifies: true },
  { scheme: 'square', title: 'Square', family: 'url-in-signature', signs: true, verifies: true },
  { scheme: 'linear', title: 'Linear', family: 'in-body', signs: true, verifies: true },
  { scheme: 'mailgun', title: 'Mailgun', family: 'in-body', signs: true, verifies: true },
  { scheme: 'sns', title: 'Amazon SNS', family: 'asymmetric', signs: true, verifies: true },
  { scheme: 'calendly', title: 'Calendly', family: 'timestamped-hmac-header', signs: true, verifies: true },
  { scheme: 'mux', title: 'Mux', family: 'timestamped-hmac-header', signs: true, verifies: true },
  { scheme: 'paddle', title: 'Paddle Billing', family: 'timestamped-hmac-header', signs: true, verifies: true },
  { scheme: 'zoom', title: 'Zoom', family: 'timestamp-prefixed-hmac', signs: true, verifies: true },
  { scheme: 'twitch', title: 'Twitch EventSub', family: 'timestamp-prefixed-hmac', signs: true, verifies: true },
  { scheme: 'hubspot', title: 'HubSpot (v3 signature)', family: 'timestamp-prefixed-hmac', signs: true, verifies: true },
  { scheme: 'zendesk', title: 'Zendesk', family: 'timestamp-prefixed-hmac', signs: true, verifies: true },
  { scheme: 'clerk', title: 'Clerk', family: 'standard-webhooks', signs: true, verifies: true },
  { scheme: 'resend', title: 'Resend', family: 'standard-webhooks', signs: true, verifies: true },
  { scheme: 'openai', title: 'OpenAI', family: 'standard-webhooks', signs: true, verifies: true },
  { scheme: 'replicate', title: 'Replicate', family: 'standard-webhooks', signs: true, verifies: true },
  { scheme: 'render', title: 'Render', family: 'standard-webhooks', signs: true, verifies: true },
  { scheme: 'loops', title: 'Loops', family: 'standard-webhooks', signs: true, verifies: true },
  { scheme: 'gitlab', title: 'GitLab', family: 'static-token', signs: true, verifies: true },
  { scheme: 'okta', title: 'Okta Event Hooks', family: 'static-token', signs: true, verifies: true },
  { scheme: 'postmark', title: 'Postmark', family: 'static-token', signs: true, verifies: true },
  { scheme: 'discord', title: 'Discord', family: 'asymmetric', signs: true, verifies: true },
  { scheme: 'telnyx', title: 'Telnyx', family: 'asymmetric', signs: true, verifies: true },
  { scheme: 'sendgrid', title: 'SendGrid Event Webhook', family: 'asymmetric', signs: true, verifies: true },
  { scheme: 'netlify', title: 'Netlify', family: 'jwt', signs: true, verifies: true },
  { scheme: 'plaid', title: 'Plaid', family: 'jwt', signs: true, verifies: true },
  { scheme: 'pubsub', title: 'Google Cloud Pub/Sub push', family: 'jwt', signs: true, verifies: true },
];
