/**
 * The scheme names, with no imports: the flag definitions (`--scheme` choices) need the list at
 * start-up, and importing registry.ts for it loads every scheme and node:crypto (~15 ms) even for
 * `hookctl --version`. registry.ts checks that its factories match this list.
 */
export const SCHEME_NAMES = [
  'github', 'stripe', 'standard', 'svix', 'slack', 'shopify', 'twilio', 'hmac',
  // Providers by name (providers.ts), grouped by family.
  'bitbucket', 'jira', 'atlassian', 'intercom', 'meta', 'whatsapp',
  'vercel', 'coinbase', 'typeform', 'lemonsqueezy', 'woocommerce', 'sentry', 'notion', 'razorpay', 'dropbox', 'asana',
  'square', 'linear', 'mailgun', 'sns',
  'calendly', 'mux', 'paddle',
  'zoom', 'twitch', 'hubspot', 'zendesk',
  'clerk', 'resend', 'openai', 'replicate', 'render', 'loops',
  'gitlab', 'okta', 'postmark',
  'discord', 'telnyx', 'sendgrid',
  'netlify', 'plaid', 'pubsub',
] as const;
export type SchemeName = (typeof SCHEME_NAMES)[number];
