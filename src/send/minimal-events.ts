import { handshakeSample } from '../schemes/handshakes/index.js';
/**
 * Small but well-formed events per scheme, used when no sample fixture matches the scheme and
 * --event type. Realistic samples live in fixtures/; these only have to look right to a handler
 * that checks the envelope (id, type, timestamps).
 */
import { newEventId } from '../events/ids.js';
import type { EventTemplate } from './event.js';
export interface MinimalEvent {
  body: string;
  contentType: string;
  type: string;
}

const DEFAULT_TYPES: Record<string, string> = {
  stripe: 'payment_intent.succeeded',
  standard: 'user.created',
  svix: 'user.created',
  github: 'ping',
  slack: 'app_mention',
  shopify: 'orders/create',
  twilio: 'message.received',
  hmac: 'test.event',
};

export function defaultEventType(scheme: string): string {
  return DEFAULT_TYPES[scheme] ?? 'test.event';
}

export function minimalEvent(scheme: string, id: string, type: string = defaultEventType(scheme)): MinimalEvent {
  // A provider's URL challenge (zoom endpoint.url_validation, slack url_verification, twitch
  // webhook_callback_verification, sns SubscriptionConfirmation) is sent as the provider sends it.
  const challenge = handshakeSample(scheme, type);
  if (challenge) return { body: challenge.body, contentType: 'application/json', type };
  const nowSeconds = Math.floor(Date.now() / 1000);
  const json = (value: unknown) => ({ body: JSON.stringify(value, null, 2), contentType: 'application/json', type });
  switch (scheme) {
    case 'stripe': {
      const object = type.split('.').slice(0, -1).join('_') || 'object';
      return {
        ...json({
          id,
          object: 'event',
          api_version: '2025-09-30.clover',
          created: nowSeconds,
          data: { object: { id: `${object.slice(0, 3)}_hookctl${nowSeconds}`, object } },
          livemode: false,
          pending_webhooks: 1,
          request: { id: null, idempotency_key: null },
          type,
        }),
        contentType: 'application/json; charset=utf-8',
      };
    }
    case 'standard':
    case 'svix':
      return json({ type, timestamp: new Date().toISOString(), data: { id: `obj_${nowSeconds}` } });
    case 'github': {
      if (type === 'ping') return json({ zen: 'Keep it logically awesome.', hook_id: 123456789, hook: { type: 'Repository', id: 123456789, active: true, events: ['*'] } });
      const action = type.includes('.') ? type.slice(type.indexOf('.') + 1) : undefined;
      const repository = { id: 987654321, name: 'webhook-demo', full_name: 'octo-org/webhook-demo', private: false };
      const sender = { login: 'hookctl', id: 1, type: 'User' };
      return json({ ...(action ? { action } : {}), repository, sender });
    }
    case 'slack':
      return json({
        token: 'XXYYZZ',
        team_id: 'T0HOOKCTL',
        api_app_id: 'A0HOOKCTL',
        event: { type, user: 'U0HOOKCTL', text: 'hello from hookctl', ts: `${nowSeconds}.000100`, channel: 'C0HOOKCTL', event_ts: `${nowSeconds}.000100` },
        type: 'event_callback',
        event_id: id,
        event_time: nowSeconds,
      });
    case 'shopify':
      return json({ id: 820982911946154508, email: 'jon@example.com', created_at: new Date().toISOString(), total_price: '10.00', currency: 'USD' });
    case 'twilio': {
      const params = new URLSearchParams({
        MessageSid: id,
        SmsSid: id,
        AccountSid: 'AC00000000000000000000000000000000',
        From: '+12125550123',
        To: '+14155550100',
        Body: 'Hello from hookctl',
        NumMedia: '0',
        SmsStatus: type.startsWith('message.') ? type.slice('message.'.length) : 'received',
        ApiVersion: '2010-04-01',
      });
      return { body: params.toString(), contentType: 'application/x-www-form-urlencoded; charset=UTF-8', type };
    }
    default: {
      const envelope = PROVIDER_ENVELOPES[scheme];
      return json(envelope ? envelope(id, type, nowSeconds) : { id, type, created: nowSeconds, data: {} });
    }
  }
}

/**
 * Providers whose events do not keep the id and type at `id`/`type`: the envelope each documents,
 * so a receiver (hookctl listen, the provider's library, the app) finds the id to dedupe on and the
 * type where it looks for them. Ids and types the provider sends in headers are not repeated here.
 */
const PROVIDER_ENVELOPES: Record<string, (id: string, type: string, nowSeconds: number) => unknown> = {
  paddle: (id, type) => ({ event_id: id, event_type: type, occurred_at: new Date().toISOString(), notification_id: `ntf_${id}`, data: {} }),
  typeform: (id, type) => ({ event_id: id, event_type: type, form_response: { form_id: 'hookctl', submitted_at: new Date().toISOString(), answers: [] } }),
  square: (id, type) => ({ merchant_id: 'MLHOOKCTL', type, event_id: id, created_at: new Date().toISOString(), data: { type: type.split('.')[0], id: 'hookctl', object: {} } }),
  mailgun: (id, type, now) => ({ 'event-data': { id, event: type, timestamp: now, recipient: 'alice@example.com' } }),
  zoom: (_id, type) => ({ event: type, event_ts: Date.now(), payload: { account_id: 'hookctl', object: {} } }),
  hubspot: (id, type) => [{ eventId: id, subscriptionId: 1, portalId: 1, appId: 1, occurredAt: Date.now(), subscriptionType: type, attemptNumber: 0, objectId: 1 }],
  okta: (id, type) => ({
    eventType: 'com.okta.event_hook',
    eventTypeVersion: '1.0',
    cloudEventsVersion: '0.1',
    eventId: id,
    eventTime: new Date().toISOString(),
    contentType: 'application/json',
    data: { events: [{ uuid: id, eventType: type, published: new Date().toISOString() }] },
  }),
  // Postmark's event id is ID (bounces, complaints); MessageID names the email, shared by its Delivery, Open and Click.
  postmark: (id, type) => ({ RecordType: type, ID: id, MessageID: 'a8c2f1e4-0000-4000-8000-000000000000', MessageStream: 'outbound', Recipient: 'alice@example.com' }),
  telnyx: (id, type) => ({ data: { event_type: type, id, occurred_at: new Date().toISOString(), payload: {}, record_type: 'event' }, meta: { attempt: 1 } }),
  sendgrid: (id, type, now) => [{ email: 'alice@example.com', timestamp: now, event: type, sg_event_id: id, sg_message_id: 'hookctl.filter0001' }],
  intercom: (id, type, now) => ({ type: 'notification_event', app_id: 'hookctl', id, topic: type, created_at: now, data: { type: 'notification_event_data', item: {} } }),
  coinbase: (id, type) => ({ id: 1, attempt_number: 1, event: { id, type, api_version: '2018-03-22', created_at: new Date().toISOString(), data: {} } }),
  jira: (_id, type) => ({ timestamp: Date.now(), webhookEvent: type }),
  atlassian: (_id, type) => ({ timestamp: Date.now(), webhookEvent: type }),
  razorpay: (_id, type, now) => ({ entity: 'event', account_id: 'acc_hookctl', event: type, contains: [], payload: {}, created_at: now }),
  calendly: (_id, type) => ({ event: type, created_at: new Date().toISOString(), payload: {} }),
  netlify: (id, type) => ({ id, site_id: 'hookctl', state: type, created_at: new Date().toISOString() }),
  pubsub: (id, type) => ({
    message: { attributes: { eventType: type }, data: Buffer.from('{}').toString('base64'), messageId: id, publishTime: new Date().toISOString() },
    subscription: 'projects/hookctl/subscriptions/push',
  }),
};

/** A minimal event as a template to send (send --event, hookctl/testing): a fresh id, swapped per event where the body carries it. */
export function minimalTemplate(scheme: string, type: string | undefined): EventTemplate {
  const id = newEventId(scheme);
  const minimal = minimalEvent(scheme, id, type);
  return {
    body: Buffer.from(minimal.body, 'utf8'),
    contentType: minimal.contentType,
    eventType: minimal.type,
    eventId: id,
    bodyEventId: minimal.body.includes(id) ? id : undefined,
    rewritable: true,
    method: 'POST',
    source: `minimal ${scheme} ${minimal.type}`,
  };
}
