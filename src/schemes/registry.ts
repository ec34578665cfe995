import { usageError } from '../errors.js';
import { verifyAndDiagnose, type DiagnoseOptions } from './diagnose.js';
import { github } from './github.js';
import { hasHeader } from './headers.js';
import { genericHmac } from './hmac.js';
import { shopify } from './shopify.js';
import { slack } from './slack.js';
import { standardWebhooks } from './standard.js';
import { stripe } from './stripe.js';
import { twilio } from './twilio.js';
import { SCHEME_NAMES, type SchemeName } from './names.js';
import { PROVIDER_FACTORIES } from './providers.js';
import type { HeaderMap, Scheme, SchemeOptions, VerifyInput, VerifyResult } from './types.js';

/** Every scheme by name. Adding a provider: one file, one line here and one in names.ts. */
const FACTORIES: Record<SchemeName, (options: SchemeOptions) => Scheme> = {
  github: (options: SchemeOptions) => github(options),
  stripe: () => stripe(),
  standard: () => standardWebhooks('webhook'),
  svix: () => standardWebhooks('svix'),
  slack: () => slack(),
  shopify: () => shopify(),
  twilio: () => twilio(),
  hmac: (options: SchemeOptions) => genericHmac(options),
  ...PROVIDER_FACTORIES,
};

export { SCHEME_NAMES, type SchemeName };

export function isSchemeName(name: string): name is SchemeName {
  return Object.hasOwn(FACTORIES, name);
}

export function getScheme(name: string, options: SchemeOptions = {}): Scheme {
  if (!isSchemeName(name)) {
    throw usageError(`--scheme: unknown scheme "${name}" (expected one of ${SCHEME_NAMES.join(', ')}${name === 'auto' ? '' : ', or auto where verifying'})`);
  }
  return FACTORIES[name](options);
}

/**
 * The scheme whose signature header is present. The generic `hmac` scheme joins in only when the
 * user named its header, since any header could be one.
 */
export function detectScheme(headers: HeaderMap, options: SchemeOptions = NO_OPTIONS): Scheme | undefined {
  const order = options.signatureHeader ? ['hmac' as const, ...DETECT_ORDER] : DETECT_ORDER;
  for (const name of order) {
    const scheme = builtScheme(name, options);
    if (scheme.detect(headers)) return scheme;
  }
  return undefined;
}

/** The scheme for a name, built once per options object (see `built`). */
function builtScheme(name: SchemeName, options: SchemeOptions): Scheme {
  let schemes = built.get(options);
  if (!schemes) {
    schemes = new Map();
    built.set(options, schemes);
  }
  let scheme = schemes.get(name);
  if (!scheme) {
    scheme = getScheme(name, options);
    schemes.set(name, scheme);
  }
  return scheme;
}

const NO_OPTIONS: SchemeOptions = Object.freeze({});
/**
 * Schemes built once per options object for verifying: schemes hold no state, and building one
 * costs several µs, per request, ~35 of them for `auto` (a listener passes the same options every time).
 */
const built = new WeakMap<SchemeOptions, Map<SchemeName, Scheme>>();

/**
 * The order `auto` asks schemes in. A provider that shares its signature header with another
 * (Bitbucket's and Jira's X-Hub-Signature with GitHub's) comes first and checks a header of its
 * own. Not here, so only by name: aliases that send exactly another's headers (Clerk, Resend =
 * svix; OpenAI, Replicate, Render, Loops = standard; Meta, WhatsApp, Intercom = github; Atlassian =
 * jira), Okta, Postmark and Google Pub/Sub (an Authorization header, as any API call has),
 * Mailgun (nothing in the headers).
 */
export const DETECT_ORDER: readonly SchemeName[] = [
  'stripe', 'bitbucket', 'jira', 'github', 'svix', 'standard', 'slack', 'shopify', 'twilio',
  'paddle', 'mux', 'calendly', 'linear', 'square', 'vercel', 'coinbase', 'typeform', 'lemonsqueezy', 'woocommerce',
  'sentry', 'notion', 'razorpay', 'dropbox', 'asana', 'zoom', 'twitch', 'hubspot', 'zendesk', 'gitlab',
  'discord', 'telnyx', 'sendgrid', 'netlify', 'plaid', 'sns',
];

/** Resolves `auto` (or a scheme name) to a scheme for these headers; undefined when none is found. */
export function resolveScheme(name: string, headers: HeaderMap, options: SchemeOptions = NO_OPTIONS): Scheme | undefined {
  if (name === 'auto') return detectScheme(headers, options);
  // Unknown names get getScheme's usage error.
  return isSchemeName(name) ? builtScheme(name, options) : getScheme(name, options);
}

export const KNOWN_SIGNATURE_HEADERS = [
  'Stripe-Signature',
  'X-Hub-Signature-256',
  'webhook-signature',
  'svix-signature',
  'X-Slack-Signature',
  'X-Shopify-Hmac-Sha256',
  'X-Twilio-Signature',
  'X-Hub-Signature',
  'Paddle-Signature',
  'Mux-Signature',
  'Calendly-Webhook-Signature',
  'Linear-Signature',
  'x-square-hmacsha256-signature',
  'x-vercel-signature',
  'X-CC-Webhook-Signature',
  'Typeform-Signature',
  'X-Signature (with X-Event-Name)',
  'X-WC-Webhook-Signature',
  'Sentry-Hook-Signature',
  'X-Notion-Signature',
  'X-Razorpay-Signature',
  'X-Dropbox-Signature',
  'X-Hook-Signature',
  'x-zm-signature',
  'Twitch-Eventsub-Message-Signature',
  'X-HubSpot-Signature-v3',
  'X-Zendesk-Webhook-Signature',
  'X-Gitlab-Token',
  'X-Signature-Ed25519',
  'telnyx-signature-ed25519',
  'X-Twilio-Email-Event-Webhook-Signature',
  'X-Webhook-Signature',
  'x-amz-sns-message-type',
  'Plaid-Verification',
];

/**
 * Verifies with a named scheme or `auto`; a request with no known signature header is explained,
 * a mismatch comes with its likely cause, and a scheme whose signature is missing names another
 * provider's signature found instead.
 */
export function verifyWith(name: string, input: VerifyInput, options: SchemeOptions = NO_OPTIONS, diagnose: DiagnoseOptions = {}): { scheme: Scheme | undefined; result: VerifyResult } {
  const scheme = resolveScheme(name, input.headers, options);
  if (!scheme) {
    return {
      scheme,
      result: {
        verified: false,
        scheme: 'auto',
        reason: 'missing_signature',
        message: `no known signature header found (looked for ${KNOWN_SIGNATURE_HEADERS.length}, among them ${KNOWN_SIGNATURE_HEADERS.slice(0, 7).join(', ')}); name the scheme with --scheme (some providers, such as Mailgun, Okta and Postmark, are known only by name)`,
      },
    };
  }
  const result = verifyAndDiagnose(scheme, input, diagnose);
  if (PART_MISSING.has(result.reason)) {
    const other = otherProvider(scheme, input.headers, options);
    if (other) result.message += `; found ${other.found} instead: use --scheme ${other.name}, or --scheme auto to detect the provider`;
  }
  return { scheme, result };
}

/** Refusals for a part the scheme did not find: the request may be another provider's. */
const PART_MISSING = new Set<VerifyResult['reason']>(['missing_signature', 'missing_header', 'missing_timestamp']);

/**
 * The provider whose signature header is present when this scheme's is not (a GitHub delivery
 * at a Stripe listener). Only on a refusal: detecting asks every scheme in turn, which accepted
 * deliveries should not pay for.
 */
function otherProvider(scheme: Scheme, headers: HeaderMap, options: SchemeOptions): { name: string; found: string } | undefined {
  if (scheme.detect(headers)) return undefined;
  const other = detectScheme(headers, options);
  if (!other || other.name === scheme.name) return undefined;
  const header = other.signatureHeaders.find((name) => hasHeader(headers, name));
  if (!header) return { name: other.name, found: `the ${other.title} headers` };
  // The provider's own spelling where the list has it; headers arrive lower-cased.
  const shown = KNOWN_SIGNATURE_HEADERS.find((known) => known.toLowerCase() === header) ?? header;
  return { name: other.name, found: `the ${other.title} signature header (${shown})` };
}
