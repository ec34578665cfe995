/**
 * Signing without a network: the headers alone (`sign`), the whole delivery (`signedDelivery`),
 * or a WHATWG `Request` for handlers that take one (`signedRequest`).
 */
import { prepareDelivery, prepareWithSample } from './prepare.js';
import type { SignOptions } from './options.js';

/**
 * The provider's headers for these exact bytes: the signature, its timestamp and event-id
 * headers, the event-type and delivery headers the provider sends beside them, and a
 * Content-Type. `body` is required; send it exactly as you gave it (a JSON value is signed as
 * `JSON.stringify(value)`), or use `signedDelivery`, which hands you the bytes too.
 *
 * @example
 * const headers = sign({ scheme: 'github', secret: "It's a Secret to Everybody", body: '{"zen":"hi"}', event: 'ping' });
 * // { 'X-GitHub-Event': 'ping', 'X-GitHub-Delivery': '…', 'X-Hub-Signature-256': 'sha256=…', … }
 */
export function sign(options: SignOptions): Record<string, string> {
  return prepareDelivery(options, undefined, 'sign', { lookedUp: false }).attempt().headers;
}

/** A signed delivery: what a provider would post, ready for supertest, `fetch` or `app.inject`. */
export interface SignedDelivery {
  /** The URL to post to when one was given (Twilio adds `bodySHA256` for a JSON body), else undefined. */
  url: string | undefined;
  /** `POST`. */
  method: string;
  /** The provider's headers with the signature. */
  headers: Record<string, string>;
  /** The bytes to send, exactly: signed as they are (unless `reserialize` spoiled them on purpose). */
  body: Buffer;
  /** The event id the receiving app reads (from a header, or from the body for Stripe and Slack), if any. */
  eventId: string | undefined;
  /** The event type, if known. */
  eventType: string | undefined;
}

/**
 * Everything a provider would send for one event: headers and the exact body bytes, from `body`
 * or from the sample of `event`. For frameworks tested without a socket (supertest's
 * `.set(headers).send(body)`, Fastify's `inject`).
 *
 * @example
 * const { headers, body } = signedDelivery({ scheme: 'stripe', secret, event: 'invoice.paid' });
 * await request(app).post('/webhooks/stripe').set(headers).send(body).expect(200);
 */
export function signedDelivery(options: SignOptions): SignedDelivery {
  const prepared = prepareWithSample(options, options.url, 'send');
  const { headers, body } = prepared.attempt();
  return { url: prepared.url, method: prepared.method, headers, body, eventId: prepared.eventId, eventType: prepared.eventType };
}

/**
 * A WHATWG `Request` carrying a sample event (or `body`) signed as the provider would, for
 * handlers that take a `Request` and return a `Response`: Next.js route handlers, Hono's
 * `app.request`/`app.fetch`, Remix actions, Bun and Deno servers. No network is used.
 *
 * @param url The URL the handler is mounted at (Twilio also signs it).
 * @example
 * const res = await POST(signedRequest('http://localhost/api/webhooks', { scheme: 'github', secret, event: 'push' }));
 * expect(res.status).toBe(200);
 */
export function signedRequest(url: string | URL, options: SignOptions): Request {
  const target = String(url);
  const prepared = prepareWithSample(options, target, 'send');
  const { headers, body } = prepared.attempt();
  return new Request(prepared.url ?? target, { method: prepared.method, headers, body });
}
