/**
 * How each scheme is proven, and the provider page its facts come from: the data behind
 * docs/providers.md beside the catalog (src/schemes/catalog.ts). Test files named here hold the
 * proof; "official" means the provider's own npm library judged our signatures.
 */
import type { SchemeName } from '../src/schemes/names.js';

export interface Proof {
  /** How the scheme is proven, in a few words. */
  proof: string;
  /** The provider's documentation of the scheme. */
  docs: string;
}

const official = (library: string, both = false) => `official: \`${library}\` ${both ? 'verifies ours and signs for ours (both ways)' : 'verifies ours'} — test/schemes/providers-official.test.ts`;
const documented = 'documented recipe, transcribed — test/schemes/providers-documented.test.ts';
const hubFormat = 'documented recipe + `@octokit/webhooks-methods` — test/schemes/providers-documented.test.ts';

export const PROOFS: Record<SchemeName, Proof> = {
  github: { proof: 'official: `@octokit/webhooks-methods` both ways + published vector — test/schemes/conformance.test.ts', docs: 'https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries' },
  stripe: { proof: 'official: `stripe` both ways + published vector — test/schemes/conformance.test.ts', docs: 'https://docs.stripe.com/webhooks#verify-manually' },
  standard: { proof: 'official: `standardwebhooks` both ways + published vector — test/schemes/conformance.test.ts', docs: 'https://www.standardwebhooks.com/' },
  svix: { proof: 'official: `svix` both ways — test/schemes/conformance.test.ts', docs: 'https://docs.svix.com/receiving/verifying-payloads/how-manual' },
  slack: { proof: 'official: `@slack/bolt` verifies ours + published vector — test/schemes/conformance.test.ts', docs: 'https://api.slack.com/authentication/verifying-requests-from-slack' },
  shopify: { proof: 'official: `@shopify/shopify-api` both ways — test/schemes/conformance.test.ts', docs: 'https://shopify.dev/docs/apps/build/webhooks/subscribe/https#step-5-verify-the-webhook' },
  twilio: { proof: 'official: `twilio` both ways + published vector — test/schemes/conformance.test.ts', docs: 'https://www.twilio.com/docs/usage/webhooks/webhooks-security' },
  hmac: { proof: 'node:crypto — test/schemes/conformance.test.ts', docs: '(your own sender)' },
  bitbucket: { proof: hubFormat, docs: 'https://support.atlassian.com/bitbucket-cloud/docs/manage-webhooks/' },
  jira: { proof: hubFormat, docs: 'https://developer.atlassian.com/cloud/jira/platform/webhooks/' },
  atlassian: { proof: hubFormat, docs: 'https://developer.atlassian.com/cloud/jira/platform/webhooks/' },
  intercom: { proof: documented, docs: 'https://developers.intercom.com/docs/references/webhooks/webhook-models' },
  meta: { proof: hubFormat, docs: 'https://developers.facebook.com/docs/graph-api/webhooks/getting-started' },
  whatsapp: { proof: hubFormat, docs: 'https://developers.facebook.com/docs/graph-api/webhooks/getting-started' },
  vercel: { proof: documented, docs: 'https://vercel.com/docs/webhooks/webhooks-api' },
  coinbase: { proof: official('coinbase-commerce-node', true), docs: 'https://docs.cdp.coinbase.com/commerce/docs/webhooks-security' },
  typeform: { proof: documented, docs: 'https://www.typeform.com/developers/webhooks/secure-your-webhooks/' },
  lemonsqueezy: { proof: documented, docs: 'https://docs.lemonsqueezy.com/help/webhooks/signing-requests' },
  woocommerce: { proof: documented, docs: 'https://woocommerce.github.io/woocommerce-rest-api-docs/#webhooks' },
  sentry: { proof: documented, docs: 'https://docs.sentry.io/organization/integrations/integration-platform/webhooks/' },
  notion: { proof: documented, docs: 'https://developers.notion.com/reference/webhooks' },
  razorpay: { proof: official('razorpay'), docs: 'https://razorpay.com/docs/webhooks/validate-test/' },
  dropbox: { proof: documented, docs: 'https://www.dropbox.com/developers/reference/webhooks' },
  asana: { proof: documented, docs: 'https://developers.asana.com/docs/webhooks-guide' },
  square: { proof: `${official('square')}; ${documented}`, docs: 'https://developer.squareup.com/docs/webhooks/step3validate' },
  linear: { proof: official('@linear/sdk'), docs: 'https://linear.app/developers/webhooks' },
  mailgun: { proof: documented, docs: 'https://documentation.mailgun.com/docs/mailgun/user-manual/tracking-messages/#securing-webhooks' },
  sns: { proof: 'official: `sns-validator` verifies ours (certificate served from loopback) — test/schemes/providers-official.test.ts', docs: 'https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html' },
  calendly: { proof: documented, docs: 'https://developer.calendly.com/api-docs/4c305798a61d3-webhook-signatures' },
  mux: { proof: official('@mux/mux-node', true), docs: 'https://www.mux.com/docs/core/verify-webhook-signatures' },
  paddle: { proof: official('@paddle/paddle-node-sdk'), docs: 'https://developer.paddle.com/webhooks/signature-verification' },
  zoom: { proof: documented, docs: 'https://developers.zoom.us/docs/api/webhooks/' },
  twitch: { proof: documented, docs: 'https://dev.twitch.tv/docs/eventsub/handling-webhook-events/' },
  hubspot: { proof: official('@hubspot/api-client', true), docs: 'https://developers.hubspot.com/docs/api/webhooks/validating-requests' },
  zendesk: { proof: documented, docs: 'https://developer.zendesk.com/documentation/webhooks/verifying/' },
  clerk: { proof: 'official: `svix` (what Clerk signs with) both ways — test/schemes/providers-official.test.ts', docs: 'https://clerk.com/docs/webhooks/sync-data' },
  resend: { proof: official('resend'), docs: 'https://resend.com/docs/dashboard/webhooks/verify-webhooks-requests' },
  openai: { proof: official('openai'), docs: 'https://platform.openai.com/docs/guides/webhooks' },
  replicate: { proof: 'official: `standardwebhooks` both ways — test/schemes/providers-official.test.ts', docs: 'https://replicate.com/docs/topics/webhooks/verify-webhook' },
  render: { proof: 'official: `standardwebhooks` both ways — test/schemes/providers-official.test.ts', docs: 'https://render.com/docs/webhooks' },
  loops: { proof: 'official: `standardwebhooks` both ways — test/schemes/providers-official.test.ts', docs: 'https://loops.so/docs/webhooks' },
  gitlab: { proof: documented, docs: 'https://docs.gitlab.com/user/project/integrations/webhooks/' },
  okta: { proof: documented, docs: 'https://developer.okta.com/docs/concepts/event-hooks/' },
  postmark: { proof: documented, docs: 'https://postmarkapp.com/developer/webhooks/webhooks-overview' },
  discord: { proof: official('discord-interactions'), docs: 'https://discord.com/developers/docs/interactions/overview#setting-up-an-endpoint-validating-security-request-headers' },
  telnyx: { proof: documented, docs: 'https://developers.telnyx.com/docs/messaging/messages/receiving-webhooks' },
  sendgrid: { proof: `${official('@sendgrid/eventwebhook')} + its published vector`, docs: 'https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/getting-started-event-webhook-security-features' },
  netlify: { proof: '`jose` (JWS) both ways — test/schemes/providers-official.test.ts', docs: 'https://docs.netlify.com/site-deploys/deploy-notifications/#payload-signature' },
  plaid: { proof: '`jose` (ES256 JWT, JWK) both ways, as Plaid\'s docs verify — test/schemes/providers-official.test.ts', docs: 'https://plaid.com/docs/api/webhooks/webhook-verification/' },
  pubsub: { proof: 'official: `google-auth-library` verifySignedJwtWithCertsAsync verifies ours — test/schemes/providers-official.test.ts', docs: 'https://cloud.google.com/pubsub/docs/authenticate-push-subscriptions' },
};
