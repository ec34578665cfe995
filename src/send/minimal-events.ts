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
    default:
      return json({ id, type, created: nowSeconds, data: {} });
  }
}

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
