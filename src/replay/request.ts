/**
 * Turns a stored delivery into the request replay sends: the body byte for byte, the captured
 * headers minus transport and old signature headers, and (unless as-is) a fresh signature.
 */
import { newEventId } from '../events/ids.js';
import type { DeliveryRecord } from '../records/record.js';
import { SCHEME_NAMES, getScheme } from '../schemes/registry.js';
import { signRequest } from '../schemes/sign-request.js';
import type { Scheme } from '../schemes/types.js';
import type { PreparedRequest } from '../delivery/index.js';

/**
 * Headers that describe one hop or one body encoding, not the event: the HTTP client sets its own.
 * `host` would point at the original listener; `content-length` is recomputed from the body.
 */
const TRANSPORT_HEADERS = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'expect',
  'http2-settings',
]);

/** Captured headers that can go on the wire again: transport headers (and those named in Connection) dropped. */
export function replayableHeaders(headers: Record<string, string>): Record<string, string> {
  const connection = Object.entries(headers).find(([name]) => name.toLowerCase() === 'connection')?.[1] ?? '';
  const connectionNamed = new Set(connection.split(',').map((name) => name.trim().toLowerCase()).filter(Boolean));
  const out = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (TRANSPORT_HEADERS.has(lower) || connectionNamed.has(lower)) continue;
    // A header value with a line break cannot be sent (and would be an injection): leave it out.
    if (/[\r\n]/.test(value)) continue;
    out[lower] = value;
  }
  return out;
}

/** Every signature header any built-in scheme uses: a re-signed request carries only the new one. */
function allSignatureHeaders(extra: Scheme[]): Set<string> {
  const names = new Set<string>();
  for (const name of SCHEME_NAMES) {
    if (name === 'hmac') continue;
    for (const header of getScheme(name).signatureHeaders) names.add(header.toLowerCase());
  }
  // Slack's timestamp is only meaningful beside its signature, and both are replaced.
  for (const scheme of extra) for (const header of scheme.signatureHeaders) names.add(header.toLowerCase());
  return names;
}

export interface ResignOptions {
  scheme: Scheme;
  secret: string;
  /** Where the request goes. */
  url: string;
  /** The public URL the provider would sign (Twilio), when it differs from `url`. */
  publicUrl?: string;
  /** A fresh event id instead of the captured one. */
  newIds: boolean;
  /** The scheme the record was captured with, when known and different: its signature headers go too. */
  capturedScheme?: Scheme;
  /** Clock for timestamps (Unix ms), injectable for tests. */
  now?: () => number;
}

export interface ReplayRequest {
  /** The event id this replay carries (captured, or fresh with --new-ids). */
  eventId: string | null;
  eventType: string | null;
  /** The body to send: the stored bytes, except when --new-ids had to change an id inside it. */
  body: Buffer;
  bodyChanged: boolean;
  /** Builds the request for one attempt: a fresh timestamp and signature each time. */
  prepare(attempt: number): PreparedRequest;
}

function replaceAll(haystack: Buffer, needle: Buffer, replacement: Buffer): Buffer {
  const parts: Buffer[] = [];
  let from = 0;
  for (let at = haystack.indexOf(needle, from); at >= 0; at = haystack.indexOf(needle, from)) {
    parts.push(haystack.subarray(from, at), replacement);
    from = at + needle.length;
  }
  if (from === 0) return haystack;
  parts.push(haystack.subarray(from));
  return Buffer.concat(parts);
}

/**
 * Swaps the event id for a fresh one wherever the scheme reads it: the headers that carry it
 * (X-GitHub-Delivery, webhook-id, X-Shopify-Webhook-Id, …) or, for providers that put it in the
 * body (Stripe `id`, Slack `event_id`), the quoted id in the body — the only bytes that change.
 */
function withFreshId(scheme: Scheme, oldId: string | null, headers: Record<string, string>, body: Buffer, freshId: string): { headers: Record<string, string>; body: Buffer } {
  if (oldId === null) return { headers, body };
  const nextHeaders = Object.assign(Object.create(null) as Record<string, string>, headers);
  for (const [name, value] of Object.entries(nextHeaders)) if (value === oldId) nextHeaders[name] = freshId;
  let nextBody = body;
  if (scheme.eventId(nextHeaders, nextBody) === oldId) {
    nextBody = replaceAll(body, Buffer.from(JSON.stringify(oldId)), Buffer.from(JSON.stringify(freshId)));
  }
  return { headers: nextHeaders, body: nextBody };
}

/** Merges header maps case-insensitively; later maps win, keeping the winner's spelling. */
function mergeHeaders(...maps: Array<Record<string, string>>): Record<string, string> {
  const byLower = new Map<string, [string, string]>();
  for (const map of maps) for (const [name, value] of Object.entries(map)) byLower.set(name.toLowerCase(), [name, value]);
  return Object.fromEntries(byLower.values());
}

/** The request for a record re-signed with `options.scheme`. */
export function resignedRequest(record: DeliveryRecord, body: Buffer, options: ResignOptions): ReplayRequest {
  const { scheme } = options;
  const signatureHeaders = allSignatureHeaders([scheme, ...(options.capturedScheme ? [options.capturedScheme] : [])]);
  let captured = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(replayableHeaders(record.headers))) if (!signatureHeaders.has(name)) captured[name] = value;

  const capturedId = record.eventId ?? scheme.eventId(record.headers, body) ?? null;
  let eventId = capturedId;
  let sendBody = body;
  if (options.newIds) {
    eventId = newEventId(scheme.name);
    ({ headers: captured, body: sendBody } = withFreshId(scheme, capturedId, captured, body, eventId));
  }
  // Schemes that sign an id (Standard Webhooks) need one even for a bare body.
  const signingId = eventId ?? newEventId(scheme.name);
  const eventType = record.eventType ?? scheme.eventType(captured, sendBody) ?? null;
  const now = options.now ?? Date.now;
  const type = eventType ?? undefined;
  const signUrl = options.publicUrl ?? options.url;
  // The URL to post to: Twilio appends bodySHA256 for JSON bodies, and it must be on the wire too.
  const postUrl = scheme.targetUrl ? scheme.targetUrl(options.url, sendBody, captured) : options.url;

  const request: ReplayRequest = {
    eventId,
    eventType,
    body: sendBody,
    bodyChanged: sendBody !== body,
    prepare() {
      const timestamp = Math.floor(now() / 1000);
      const signed = signRequest(scheme, { body: sendBody, secret: options.secret, timestamp, id: signingId, url: signUrl, ...(type ? { type } : {}) });
      // The provider's usual headers fill gaps (a bare body has none); captured ones are kept;
      // the new signature (and the headers it signs, like webhook-id and the timestamp) wins.
      const { delivery, signature } = splitSigned(scheme, signed.headers, signingId, type);
      return { url: postUrl, method: record.method, headers: mergeHeaders(delivery, captured, signature), body: Buffer.from(signed.body) };
    },
  };
  // Report the id that is actually on the wire: a bare GitHub body gets a generated delivery id,
  // and a delivery that carries no id (Slack's url_verification) keeps none, --new-ids or not.
  request.eventId = scheme.eventId(request.prepare(1).headers, sendBody) ?? null;
  return request;
}

function splitSigned(scheme: Scheme, headers: Record<string, string>, id: string, type: string | undefined): { delivery: Record<string, string>; signature: Record<string, string> } {
  const deliveryNames = new Set(Object.keys(scheme.deliveryHeaders({ id, ...(type ? { type } : {}) })).map((name) => name.toLowerCase()));
  const delivery: Record<string, string> = {};
  const signature: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (deliveryNames.has(name.toLowerCase())) delivery[name] = value;
    else signature[name] = value;
  }
  return { delivery, signature };
}

/** The request for `--as-is`: stored headers (minus transport headers), stored body, no signing. */
export function asIsRequest(record: DeliveryRecord, body: Buffer, url: string): ReplayRequest {
  const headers = replayableHeaders(record.headers);
  return {
    eventId: record.eventId,
    eventType: record.eventType,
    body,
    bodyChanged: false,
    prepare: () => ({ url, method: record.method, headers, body }),
  };
}

