/**
 * Every provider hookctl knows beyond the first seven, as configuration of its family: the
 * signature header, what is signed, the headers it sends beside it, where its event id and type
 * live. Sources: each provider's webhook documentation (cited in docs/providers.md) and its
 * official library where one exists (test/schemes/providers-*.test.ts prove them against it).
 */
import { asymmetricHeader } from './families/asymmetric-header.js';
import { bodyHmac, type BodyHmacConfig } from './families/body-hmac.js';
import { mailgunSignature } from './families/in-body.js';
import { jwsBodyHash } from './families/jwt.js';
import { signedJwt } from './families/signed-jwt.js';
import { prefixedHmac } from './families/prefixed-hmac.js';
import { snsSignature, SNS_TEST_TOPIC } from './families/sns.js';
import { staticToken } from './families/static-token.js';
import { timestampedHeader } from './families/timestamped-header.js';
import { standardWebhooks } from './standard.js';
import { jsonBody } from './common.js';
import { firstOf, fromHeader, fromJson, idFromJson, nothing } from './provider.js';
import type { HeaderMap, Scheme } from './types.js';

const JSON_TYPE = 'application/json';
const SAMPLE_TIME = () => new Date().toISOString();

/** `<type>.<action>` where a provider splits them (Linear's "Issue" + "create", Sentry's resource + action). */
const typeAndAction =
  (type: (headers: HeaderMap, body: Uint8Array) => string | undefined, actionPath = 'action') =>
  (headers: HeaderMap, body: Uint8Array) => {
    const kind = type(headers, body);
    const action = fromJson(actionPath)(headers, body);
    return kind && action ? `${kind}.${action}` : kind;
  };

/** GitHub-style `X-Hub-Signature[-256]: sha…=<hex>` of the raw body. */
function hubSignature(config: Omit<BodyHmacConfig, 'header' | 'encoding' | 'prefix'> & { header?: string }): Scheme {
  const header = config.header ?? (config.algorithm === 'sha1' ? 'X-Hub-Signature' : 'X-Hub-Signature-256');
  return bodyHmac({ ...config, header, encoding: 'hex', prefix: `${config.algorithm}=` });
}

const jira = (name: string, title: string) =>
  hubSignature({
    name,
    title,
    header: 'X-Hub-Signature',
    algorithm: 'sha256',
    detectAlso: 'x-atlassian-webhook-identifier',
    deliveryHeaders: ({ id }) => ({ 'Content-Type': JSON_TYPE, 'User-Agent': 'Atlassian Webhook HTTP Client', 'X-Atlassian-Webhook-Identifier': id }),
    eventId: fromHeader('x-atlassian-webhook-identifier'),
    eventType: fromJson('webhookEvent'),
    idSigned: false,
  });

/** Whether the JSON body has something (an array, an object) at a dotted path. */
function hasJson(body: Uint8Array, path: string): boolean {
  let value: unknown = jsonBody(body);
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return false;
    value = (value as Record<string, unknown>)[part];
  }
  return value !== undefined && value !== null;
}

/**
 * Meta's webhooks are an object (page, instagram, whatsapp_business_account) and the field
 * subscribed to (messages, comments, feed): shown as `<object>.<field>`, WhatsApp's as
 * `whatsapp.<field>`, where its delivery-status updates (field "messages" too) are `whatsapp.statuses`.
 * Messenger's `messaging` entries are its `messages` field.
 */
const metaType = (fallback: string) => (headers: HeaderMap, body: Uint8Array) => {
  const object = fromJson('object')(headers, body) ?? fallback;
  const short = object === 'whatsapp_business_account' ? 'whatsapp' : object;
  let field = fromJson('entry.0.changes.0.field')(headers, body);
  if (field === 'messages' && short === 'whatsapp' && !hasJson(body, 'entry.0.changes.0.value.messages') && hasJson(body, 'entry.0.changes.0.value.statuses')) field = 'statuses';
  if (field === undefined && hasJson(body, 'entry.0.messaging')) field = 'messages';
  return field ? `${short}.${field}` : short;
};

const meta = (name: string, title: string, object: string) =>
  hubSignature({
    name,
    title,
    algorithm: 'sha256',
    deliveryHeaders: () => ({ 'Content-Type': JSON_TYPE, 'User-Agent': 'facebookexternalua' }),
    eventId: nothing,
    eventType: metaType(object),
    idSigned: false,
  });

/**
 * Discord's `type` is a number: an interaction's (1 PING, 2 APPLICATION_COMMAND, …; it carries a
 * token) or a webhook event's (0 PING, 1 an event named in `event.type`). Shown by name.
 */
const DISCORD_INTERACTIONS = ['', 'PING', 'APPLICATION_COMMAND', 'MESSAGE_COMPONENT', 'APPLICATION_COMMAND_AUTOCOMPLETE', 'MODAL_SUBMIT'];
const discordType = (headers: HeaderMap, body: Uint8Array): string | undefined => {
  const event = fromJson('event.type')(headers, body);
  if (event !== undefined) return event;
  const type = fromJson('type')(headers, body);
  if (type === undefined || !/^\d+$/.test(type)) return type;
  if (fromJson('token')(headers, body) !== undefined) return DISCORD_INTERACTIONS[Number(type)] || type;
  return type === '0' ? 'WEBHOOK_PING' : type;
};

export const PROVIDER_FACTORIES = {
  // ── hub-signature: X-Hub-Signature[-256] ──────────────────────────────────────────────────
  bitbucket: () =>
    hubSignature({
      name: 'bitbucket',
      title: 'Bitbucket Cloud',
      header: 'X-Hub-Signature',
      algorithm: 'sha256',
      detectAlso: 'x-event-key',
      deliveryHeaders: ({ id, type }) => ({
        'Content-Type': JSON_TYPE,
        'User-Agent': 'Bitbucket-Webhooks/2.0',
        'X-Event-Key': type ?? 'repo:push',
        'X-Request-UUID': id,
        'X-Hook-UUID': '{7b6f4c1e-0d3a-4c55-9f0e-hookctl00001}',
        'X-Attempt-Number': '1',
      }),
      eventId: fromHeader('x-request-uuid'),
      eventType: fromHeader('x-event-key'),
      idSigned: false,
    }),
  jira: () => jira('jira', 'Jira'),
  atlassian: () => jira('atlassian', 'Atlassian (Confluence, Jira)'),
  intercom: () =>
    hubSignature({
      name: 'intercom',
      title: 'Intercom',
      algorithm: 'sha1',
      deliveryHeaders: () => ({ 'Content-Type': JSON_TYPE, 'User-Agent': 'Intercom-Webhooks' }),
      eventId: idFromJson('id'),
      eventType: fromJson('topic'),
      idSigned: true,
    }),
  meta: () => meta('meta', 'Meta (Facebook, Instagram, Messenger)', 'page'),
  whatsapp: () => meta('whatsapp', 'WhatsApp Cloud API', 'whatsapp_business_account'),

  // ── body HMAC: a named header, algorithm, encoding and prefix ─────────────────────────────
  vercel: () =>
    bodyHmac({
      name: 'vercel',
      title: 'Vercel',
      header: 'x-vercel-signature',
      algorithm: 'sha1',
      encoding: 'hex',
      deliveryHeaders: () => ({ 'Content-Type': JSON_TYPE, 'User-Agent': 'Vercel-Webhooks' }),
      eventId: idFromJson('id'),
      eventType: fromJson('type'),
      idSigned: true,
    }),
  coinbase: () =>
    bodyHmac({
      name: 'coinbase',
      title: 'Coinbase Commerce',
      header: 'X-CC-Webhook-Signature',
      algorithm: 'sha256',
      encoding: 'hex',
      deliveryHeaders: () => ({ 'Content-Type': JSON_TYPE, 'User-Agent': 'weipay-webhooks' }),
      eventId: firstOf(idFromJson('event.id'), idFromJson('id')),
      eventType: fromJson('event.type'),
      idSigned: true,
    }),
  typeform: () =>
    bodyHmac({
      name: 'typeform',
      title: 'Typeform',
      header: 'Typeform-Signature',
      algorithm: 'sha256',
      encoding: 'base64',
      prefix: 'sha256=',
      deliveryHeaders: () => ({ 'Content-Type': JSON_TYPE, 'User-Agent': 'Typeform Webhooks' }),
      eventId: idFromJson('event_id'),
      eventType: fromJson('event_type'),
      idSigned: true,
    }),
  lemonsqueezy: () =>
    bodyHmac({
      name: 'lemonsqueezy',
      title: 'Lemon Squeezy',
      header: 'X-Signature',
      algorithm: 'sha256',
      encoding: 'hex',
      detectAlso: 'x-event-name',
      deliveryHeaders: ({ type }) => ({ 'Content-Type': JSON_TYPE, 'User-Agent': 'LemonSqueezy-Hookshot', 'X-Event-Name': type ?? 'order_created' }),
      eventId: nothing,
      eventType: firstOf(fromHeader('x-event-name'), fromJson('meta.event_name')),
      idSigned: false,
    }),
  woocommerce: () =>
    bodyHmac({
      name: 'woocommerce',
      title: 'WooCommerce',
      header: 'X-WC-Webhook-Signature',
      algorithm: 'sha256',
      encoding: 'base64',
      deliveryHeaders: ({ id, type }) => {
        const topic = type ?? 'order.created';
        const [resource, event] = topic.split('.', 2) as [string, string | undefined];
        return {
          'Content-Type': JSON_TYPE,
          'User-Agent': 'WooCommerce/9.0.0 Hookshot (WordPress/6.5)',
          'X-WC-Webhook-Source': 'https://shop.example.com/',
          'X-WC-Webhook-Topic': topic,
          'X-WC-Webhook-Resource': resource,
          'X-WC-Webhook-Event': event ?? 'created',
          'X-WC-Webhook-ID': '1',
          'X-WC-Webhook-Delivery-ID': id,
        };
      },
      eventId: fromHeader('x-wc-webhook-delivery-id'),
      eventType: fromHeader('x-wc-webhook-topic'),
      idSigned: false,
    }),
  sentry: () =>
    bodyHmac({
      name: 'sentry',
      title: 'Sentry',
      header: 'Sentry-Hook-Signature',
      algorithm: 'sha256',
      encoding: 'hex',
      deliveryHeaders: ({ id, type }) => ({
        'Content-Type': JSON_TYPE,
        'User-Agent': 'sentry',
        'Sentry-Hook-Resource': (type ?? 'issue').split('.')[0]!,
        'Sentry-Hook-Timestamp': String(Math.floor(Date.now() / 1000)),
        'Request-ID': id,
      }),
      eventId: fromHeader('request-id'),
      eventType: typeAndAction(fromHeader('sentry-hook-resource')),
      idSigned: false,
    }),
  notion: () =>
    bodyHmac({
      name: 'notion',
      title: 'Notion',
      header: 'X-Notion-Signature',
      algorithm: 'sha256',
      encoding: 'hex',
      prefix: 'sha256=',
      deliveryHeaders: () => ({ 'Content-Type': JSON_TYPE, 'User-Agent': 'notion-api' }),
      eventId: idFromJson('id'),
      eventType: fromJson('type'),
      idSigned: true,
    }),
  razorpay: () =>
    bodyHmac({
      name: 'razorpay',
      title: 'Razorpay',
      header: 'X-Razorpay-Signature',
      algorithm: 'sha256',
      encoding: 'hex',
      deliveryHeaders: ({ id }) => ({ 'Content-Type': JSON_TYPE, 'User-Agent': 'Razorpay-Webhook/v1', 'X-Razorpay-Event-Id': id }),
      eventId: fromHeader('x-razorpay-event-id'),
      eventType: fromJson('event'),
      idSigned: false,
    }),
  dropbox: () =>
    bodyHmac({
      name: 'dropbox',
      title: 'Dropbox',
      header: 'X-Dropbox-Signature',
      algorithm: 'sha256',
      encoding: 'hex',
      deliveryHeaders: () => ({ 'Content-Type': JSON_TYPE, 'User-Agent': 'DropboxWebhooks/1.0' }),
      eventId: nothing,
      eventType: () => 'list_folder',
      idSigned: false,
    }),
  asana: () =>
    bodyHmac({
      name: 'asana',
      title: 'Asana',
      header: 'X-Hook-Signature',
      algorithm: 'sha256',
      encoding: 'hex',
      deliveryHeaders: () => ({ 'Content-Type': JSON_TYPE, 'User-Agent': 'Asana' }),
      eventId: nothing,
      eventType: (headers, body) => {
        const resource = fromJson('events.0.resource.resource_type')(headers, body);
        const action = fromJson('events.0.action')(headers, body);
        return resource && action ? `${resource}.${action}` : undefined;
      },
      idSigned: false,
    }),
  // ── URL-in-signature ───────────────────────────────────────────────────────────────────────
  square: () =>
    bodyHmac({
      name: 'square',
      title: 'Square',
      header: 'x-square-hmacsha256-signature',
      algorithm: 'sha256',
      encoding: 'base64',
      signsUrl: true,
      deliveryHeaders: () => ({ 'Content-Type': JSON_TYPE, 'User-Agent': 'Square Connect v2', 'square-environment': 'Sandbox', 'square-retry-number': '0', 'square-initial-delivery-timestamp': SAMPLE_TIME() }),
      eventId: idFromJson('event_id'),
      eventType: fromJson('type'),
      idSigned: true,
    }),
  // ── in-body ────────────────────────────────────────────────────────────────────────────────
  linear: () =>
    bodyHmac({
      name: 'linear',
      title: 'Linear',
      header: 'Linear-Signature',
      algorithm: 'sha256',
      encoding: 'hex',
      bodyTimestamp: { path: 'webhookTimestamp', unit: 'ms' },
      // linear.app/developers/webhooks: "within a minute"; @linear/sdk LinearWebhooks: 60 s.
      toleranceSeconds: 60,
      deliveryHeaders: ({ id, type }) => ({ 'Content-Type': 'application/json; charset=utf-8', 'User-Agent': 'Linear-Webhook', 'Linear-Delivery': id, 'Linear-Event': (type ?? 'Issue').split('.')[0]!, 'Linear-Timestamp': String(Date.now()) }),
      eventId: fromHeader('linear-delivery'),
      eventType: typeAndAction(fromJson('type')),
      idSigned: false,
    }),
  mailgun: () =>
    mailgunSignature({
      name: 'mailgun',
      title: 'Mailgun',
      deliveryHeaders: () => ({ 'Content-Type': JSON_TYPE, 'User-Agent': 'mailgun/treq-16.12.0' }),
      eventId: idFromJson('event-data.id'),
      eventType: fromJson('event-data.event'),
      idSigned: false,
    }),
  sns: () =>
    snsSignature({
      name: 'sns',
      title: 'Amazon SNS',
      deliveryHeaders: ({ id, type }) => ({
        'Content-Type': 'text/plain; charset=UTF-8',
        'User-Agent': 'Amazon Simple Notification Service Agent',
        'x-amz-sns-message-type': type === 'SubscriptionConfirmation' || type === 'UnsubscribeConfirmation' ? type : 'Notification',
        'x-amz-sns-message-id': id,
        'x-amz-sns-topic-arn': SNS_TEST_TOPIC,
      }),
      eventId: idFromJson('MessageId'),
      eventType: firstOf(fromJson('Type'), fromHeader('x-amz-sns-message-type')),
      idSigned: true,
    }),

  // ── Stripe-style t=…,v1=… and Paddle's ts=…;h1=… ────────────────────────────────────────
  calendly: () =>
    timestampedHeader({
      name: 'calendly',
      title: 'Calendly',
      header: 'Calendly-Webhook-Signature',
      timestampKey: 't',
      signatureKey: 'v1',
      pairSeparator: ',',
      joiner: '.',
      rejectFuture: true,
      // developer.calendly.com "Webhook signatures": the example refuses signatures over 3 minutes old.
      toleranceSeconds: 180,
      deliveryHeaders: () => ({ 'Content-Type': JSON_TYPE, 'User-Agent': 'Calendly-Webhooks' }),
      eventId: nothing,
      eventType: fromJson('event'),
      idSigned: false,
    }),
  mux: () =>
    timestampedHeader({
      name: 'mux',
      title: 'Mux',
      header: 'Mux-Signature',
      timestampKey: 't',
      signatureKey: 'v1',
      pairSeparator: ',',
      joiner: '.',
      // @mux/mux-node verifySignature refuses only old timestamps (over 300 s).
      rejectFuture: false,
      deliveryHeaders: () => ({ 'Content-Type': JSON_TYPE, 'User-Agent': 'Mux Webhooks' }),
      eventId: idFromJson('id'),
      eventType: fromJson('type'),
      idSigned: true,
    }),
  paddle: () =>
    timestampedHeader({
      name: 'paddle',
      title: 'Paddle Billing',
      header: 'Paddle-Signature',
      timestampKey: 'ts',
      signatureKey: 'h1',
      pairSeparator: ';',
      joiner: ':',
      rejectFuture: false,
      // @paddle/paddle-node-sdk Webhooks.unmarshal: 5 seconds.
      toleranceSeconds: 5,
      deliveryHeaders: () => ({ 'Content-Type': JSON_TYPE, 'User-Agent': 'Paddle' }),
      eventId: idFromJson('event_id'),
      eventType: fromJson('event_type'),
      idSigned: true,
    }),

  // ── timestamp-prefixed HMAC (Slack's shape, varied) ─────────────────────────────────────
  zoom: () =>
    prefixedHmac({
      name: 'zoom',
      title: 'Zoom',
      header: 'x-zm-signature',
      timestampHeader: 'x-zm-request-timestamp',
      timestampFormat: 'unix',
      encoding: 'hex',
      prefix: 'v0=',
      content: ({ timestamp, body }) => [`v0:${timestamp}:`, body],
      contentText: '"v0:<timestamp>:<raw body>"',
      rejectFuture: true,
      deliveryHeaders: ({ id }) => ({ 'Content-Type': JSON_TYPE, 'User-Agent': 'Zoom Marketplace/1.0a', 'x-zm-trackingid': id }),
      eventId: fromHeader('x-zm-trackingid'),
      eventType: fromJson('event'),
      idSigned: false,
    }),
  twitch: () =>
    prefixedHmac({
      name: 'twitch',
      title: 'Twitch EventSub',
      header: 'Twitch-Eventsub-Message-Signature',
      timestampHeader: 'Twitch-Eventsub-Message-Timestamp',
      timestampFormat: 'rfc3339',
      idHeader: 'Twitch-Eventsub-Message-Id',
      encoding: 'hex',
      prefix: 'sha256=',
      content: ({ id, timestamp, body }) => [id, timestamp, body],
      contentText: '"<message id><timestamp><raw body>"',
      rejectFuture: true,
      // dev.twitch.tv/docs/eventsub/handling-webhook-events: refuse messages older than 10 minutes.
      toleranceSeconds: 600,
      deliveryHeaders: ({ type }) => {
        const messageType = type === 'webhook_callback_verification' || type === 'revocation' ? type : 'notification';
        return {
          'Content-Type': JSON_TYPE,
          'User-Agent': 'Twitch-Eventsub-Webhooks/1.0',
          'Twitch-Eventsub-Message-Type': messageType,
          'Twitch-Eventsub-Message-Retry': '0',
          'Twitch-Eventsub-Subscription-Type': messageType === 'notification' ? (type ?? 'channel.follow') : 'channel.follow',
          'Twitch-Eventsub-Subscription-Version': '2',
        };
      },
      eventId: fromHeader('twitch-eventsub-message-id'),
      eventType: (headers, body) => {
        const messageType = fromHeader('twitch-eventsub-message-type')(headers, body);
        return messageType && messageType !== 'notification' ? messageType : fromHeader('twitch-eventsub-subscription-type')(headers, body);
      },
      idSigned: true,
    }),
  hubspot: () =>
    prefixedHmac({
      name: 'hubspot',
      title: 'HubSpot (v3 signature)',
      header: 'X-HubSpot-Signature-v3',
      timestampHeader: 'X-HubSpot-Request-Timestamp',
      timestampFormat: 'unix-ms',
      encoding: 'base64',
      prefix: '',
      signsUrl: true,
      content: ({ method, url, body, timestamp }) => [method, url, body, timestamp],
      contentText: '"<method><URL><raw body><timestamp>"',
      // @hubspot/api-client Signature.isValid refuses only timestamps over 5 minutes old.
      rejectFuture: false,
      deliveryHeaders: () => ({ 'Content-Type': JSON_TYPE, 'User-Agent': 'HubSpot Connect 2.0 (http://dev.hubspot.com/)' }),
      eventId: idFromJson('0.eventId'),
      eventType: fromJson('0.subscriptionType'),
      idSigned: true,
    }),
  zendesk: () =>
    prefixedHmac({
      name: 'zendesk',
      title: 'Zendesk',
      header: 'X-Zendesk-Webhook-Signature',
      timestampHeader: 'X-Zendesk-Webhook-Signature-Timestamp',
      timestampFormat: 'rfc3339',
      encoding: 'base64',
      prefix: '',
      content: ({ timestamp, body }) => [timestamp, body],
      contentText: '"<timestamp><raw body>"',
      rejectFuture: true,
      deliveryHeaders: ({ id }) => ({ 'Content-Type': JSON_TYPE, 'User-Agent': 'Zendesk Webhook', 'X-Zendesk-Webhook-Id': '01HOOKCTL0000000000000000', 'X-Zendesk-Webhook-Invocation-Id': id }),
      eventId: firstOf(idFromJson('id'), fromHeader('x-zendesk-webhook-invocation-id')),
      eventType: fromJson('type'),
      idSigned: true,
    }),

  // ── Standard Webhooks under a provider's name ────────────────────────────────────────────
  clerk: () => standardWebhooks('svix', { name: 'clerk', title: 'Clerk', deliveryHeaders: () => ({ 'Content-Type': JSON_TYPE, 'User-Agent': 'Svix-Webhooks/1.24.0' }) }),
  resend: () => standardWebhooks('svix', { name: 'resend', title: 'Resend', deliveryHeaders: () => ({ 'Content-Type': JSON_TYPE, 'User-Agent': 'Svix-Webhooks/1.24.0' }) }),
  openai: () => standardWebhooks('webhook', { name: 'openai', title: 'OpenAI', deliveryHeaders: () => ({ 'Content-Type': JSON_TYPE, 'User-Agent': 'OpenAI/1.0 (+https://platform.openai.com/docs/webhooks)' }) }),
  replicate: () => standardWebhooks('webhook', { name: 'replicate', title: 'Replicate', deliveryHeaders: () => ({ 'Content-Type': JSON_TYPE, 'User-Agent': 'Replicate-Webhooks' }), eventType: fromJson('status') }),
  render: () => standardWebhooks('webhook', { name: 'render', title: 'Render', deliveryHeaders: () => ({ 'Content-Type': JSON_TYPE, 'User-Agent': 'Render-Webhooks' }) }),
  loops: () => standardWebhooks('webhook', { name: 'loops', title: 'Loops', deliveryHeaders: () => ({ 'Content-Type': JSON_TYPE, 'User-Agent': 'Loops-Webhooks' }), eventType: firstOf(fromJson('eventName'), fromJson('type')) }),

  // ── static tokens ─────────────────────────────────────────────────────────────────────────
  gitlab: () =>
    staticToken({
      name: 'gitlab',
      title: 'GitLab',
      header: 'X-Gitlab-Token',
      form: 'raw',
      deliveryHeaders: ({ id, type }) => ({
        'Content-Type': JSON_TYPE,
        'User-Agent': 'GitLab/17.5.0',
        'X-Gitlab-Event': type ? `${type.charAt(0).toUpperCase()}${type.slice(1).replace(/_/g, ' ')} Hook` : 'Push Hook',
        'X-Gitlab-Event-UUID': id,
        'X-Gitlab-Webhook-UUID': '2d4c3c5e-hookctl-0000-0000-000000000001',
        'X-Gitlab-Instance': 'https://gitlab.com',
      }),
      eventId: fromHeader('x-gitlab-event-uuid'),
      eventType: firstOf(fromJson('object_kind'), fromHeader('x-gitlab-event')),
      idSigned: false,
    }),
  okta: () =>
    staticToken({
      name: 'okta',
      title: 'Okta Event Hooks',
      header: 'Authorization',
      form: 'raw',
      deliveryHeaders: () => ({ 'Content-Type': JSON_TYPE, 'User-Agent': 'Okta Event Hooks' }),
      eventId: idFromJson('eventId'),
      eventType: firstOf(fromJson('data.events.0.eventType'), fromJson('eventType')),
      idSigned: false,
    }),
  postmark: () =>
    staticToken({
      name: 'postmark',
      title: 'Postmark',
      header: 'Authorization',
      form: 'basic',
      deliveryHeaders: () => ({ 'Content-Type': JSON_TYPE, 'User-Agent': 'Postmark' }),
      // MessageID names the email, not the event: its Delivery, Open and Click share it, and keyed by it
      // the listener would drop the Open as a duplicate of the Delivery. Only bounces and complaints have an ID.
      eventId: idFromJson('ID'),
      eventType: fromJson('RecordType'),
      idSigned: false,
    }),

  // ── asymmetric ───────────────────────────────────────────────────────────────────────────
  discord: () =>
    asymmetricHeader({
      name: 'discord',
      title: 'Discord',
      keyType: 'ed25519',
      header: 'X-Signature-Ed25519',
      timestampHeader: 'X-Signature-Timestamp',
      encoding: 'hex',
      separator: '',
      rejectFuture: true,
      deliveryHeaders: () => ({ 'Content-Type': JSON_TYPE, 'User-Agent': 'Discord-Interactions/1.0 (+https://discord.com)' }),
      eventId: idFromJson('id'),
      eventType: discordType,
      idSigned: true,
    }),
  telnyx: () =>
    asymmetricHeader({
      name: 'telnyx',
      title: 'Telnyx',
      keyType: 'ed25519',
      header: 'telnyx-signature-ed25519',
      timestampHeader: 'telnyx-timestamp',
      encoding: 'base64',
      separator: '|',
      rejectFuture: true,
      deliveryHeaders: () => ({ 'Content-Type': JSON_TYPE, 'User-Agent': 'telnyx-webhooks' }),
      eventId: idFromJson('data.id'),
      eventType: fromJson('data.event_type'),
      idSigned: true,
    }),
  sendgrid: () =>
    asymmetricHeader({
      name: 'sendgrid',
      title: 'SendGrid Event Webhook',
      keyType: 'ec',
      header: 'X-Twilio-Email-Event-Webhook-Signature',
      timestampHeader: 'X-Twilio-Email-Event-Webhook-Timestamp',
      encoding: 'base64',
      separator: '',
      rejectFuture: true,
      deliveryHeaders: () => ({ 'Content-Type': JSON_TYPE, 'User-Agent': 'SendGrid Event API' }),
      eventId: idFromJson('0.sg_event_id'),
      eventType: fromJson('0.event'),
      idSigned: true,
    }),

  // ── JWS ─────────────────────────────────────────────────────────────────────────────────
  netlify: () =>
    jwsBodyHash({
      name: 'netlify',
      title: 'Netlify',
      header: 'X-Webhook-Signature',
      issuer: 'netlify',
      // Netlify sends no event-type header: one hook per event, the deploy's state in the body.
      deliveryHeaders: () => ({ 'Content-Type': JSON_TYPE, 'User-Agent': 'Netlify' }),
      eventId: nothing,
      // A form's submission_created hook carries the form instead of a deploy state.
      eventType: firstOf(fromJson('state'), (headers, body) => (fromJson('form_id')(headers, body) ? 'submission_created' : undefined)),
      idSigned: false,
    }),
  plaid: () =>
    signedJwt({
      name: 'plaid',
      title: 'Plaid',
      header: 'Plaid-Verification',
      bearer: false,
      alg: 'ES256',
      bodyHashClaim: 'request_body_sha256',
      // plaid.com/docs/api/webhooks/webhook-verification: refuse tokens whose iat is over 5 minutes old (the default).
      claims: () => ({}),
      deliveryHeaders: () => ({ 'Content-Type': JSON_TYPE, 'User-Agent': 'Plaid Webhook' }),
      eventId: nothing,
      eventType: (headers, body) => {
        const type = fromJson('webhook_type')(headers, body);
        const code = fromJson('webhook_code')(headers, body);
        return type && code ? `${type}.${code}` : (type ?? code);
      },
      idSigned: false,
    }),
  pubsub: () =>
    signedJwt({
      name: 'pubsub',
      title: 'Google Cloud Pub/Sub push',
      header: 'Authorization',
      bearer: true,
      alg: 'RS256',
      issuers: ['https://accounts.google.com', 'accounts.google.com'],
      audienceIsUrl: true,
      lifetimeSeconds: 3600,
      claims: () => ({ iss: 'https://accounts.google.com', email: 'hookctl-push@hookctl-test.iam.gserviceaccount.com', email_verified: true, sub: '113774264463038321964', azp: '113774264463038321964' }),
      // Google's token lives an hour; its iat is when it was minted, not when the message was pushed.
      toleranceSeconds: 3600,
      deliveryHeaders: () => ({ 'Content-Type': JSON_TYPE, 'User-Agent': 'APIs-Google; (+https://developers.google.com/webmasters/APIs-Google.html)' }),
      eventId: idFromJson('message.messageId'),
      eventType: firstOf(fromJson('message.attributes.eventType'), fromJson('message.attributes.type'), () => 'pubsub.message'),
      // The token does not cover the body.
      idSigned: false,
    }),
} satisfies Record<string, () => Scheme>;

export type ProviderName = keyof typeof PROVIDER_FACTORIES;
