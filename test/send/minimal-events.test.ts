/**
 * An --event type with no sample is sent as a minimal event. It must be shaped as its provider
 * shapes events, or the receiver (hookctl listen, the provider's library, the app) finds no event
 * id to dedupe on and no type: Paddle's `event_id`/`event_type`, SendGrid's array of events,
 * HubSpot's array, Telnyx's `data`, Okta's `data.events`… Read back here with the scheme's own
 * extractors, as `listen` reads them, from the request `send` would make.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { getScheme, SCHEME_NAMES } from '../../src/schemes/index.js';
import { signRequest } from '../../src/schemes/sign-request.js';
import { minimalEvent } from '../../src/send/minimal-events.js';

const pem = (pair: { privateKey: { export(options: { type: 'pkcs8'; format: 'pem' }): string | Buffer } }) =>
  pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const ed25519 = pem(generateKeyPairSync('ed25519'));
const p256 = pem(generateKeyPairSync('ec', { namedCurve: 'P-256' }));
const rsa = pem(generateKeyPairSync('rsa', { modulusLength: 2048 }));
const KEYS: Record<string, string> = { discord: ed25519, telnyx: ed25519, sendgrid: p256, plaid: p256, sns: rsa, pubsub: rsa };

// These providers send no event id at all (their documented payloads carry none).
const NO_EVENT_ID = new Set(['lemonsqueezy', 'dropbox', 'asana', 'calendly', 'netlify', 'plaid', 'meta', 'whatsapp']);
// These name the event in their own way, whatever --event says (a fixed kind, a header's form).
const OWN_TYPE = new Set(['slack', 'twilio', 'dropbox', 'meta', 'whatsapp', 'sns', 'gitlab', 'sentry', 'asana', 'plaid']);

describe('minimal events carry the id and type where their provider puts them', () => {
  for (const name of SCHEME_NAMES) {
    it(name, () => {
      const scheme = getScheme(name);
      const id = 'evt_minimal123';
      const type = 'probe.created';
      const event = minimalEvent(name, id, type);
      const signed = signRequest(scheme, {
        body: Buffer.from(event.body, 'utf8'),
        secret: KEYS[name] ?? 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
        timestamp: Math.floor(Date.now() / 1000),
        id,
        // As send does: GitHub's X-GitHub-Event has no action part.
        type: name === 'github' ? type.split('.')[0]! : type,
        url: 'http://127.0.0.1:8787/hook',
      });
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(signed.headers)) headers[key.toLowerCase()] = String(value);
      if (!NO_EVENT_ID.has(name)) expect(scheme.eventId(headers, signed.body), 'event id').toBe(id);
      if (!OWN_TYPE.has(name)) expect(scheme.eventType(headers, signed.body), 'event type').toBe(type);
    });
  }
});
