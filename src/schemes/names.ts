/**
 * The scheme names, with no imports: the flag definitions (`--scheme` choices) need the list at
 * start-up, and importing registry.ts for it loads every scheme and node:crypto (~15 ms) even for
 * `hookctl --version`. registry.ts checks that its factories match this list.
 */
export const SCHEME_NAMES = ['github', 'stripe', 'standard', 'svix', 'slack', 'shopify', 'twilio', 'hmac'] as const;
export type SchemeName = (typeof SCHEME_NAMES)[number];
