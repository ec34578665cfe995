/**
 * The request that passes a received delivery on to the user's app: the original method, headers
 * and body byte for byte, minus hop-by-hop headers (RFC 9110 §7.6.1) and those the client
 * recomputes for the new connection, plus `Idempotency-Key: <event id>` so the app can dedupe
 * at-least-once forwards. Re-signed (in the scheme it arrived with, fresh timestamp, same event id)
 * when a forward secret is given, or when the scheme signs the URL (Twilio), which no other URL
 * can carry.
 *
 * Shared by everything that forwards: the listener (in line and from its queue) and the queue
 * worker, so a forwarded delivery looks the same whichever way it took.
 */
import { getScheme } from '../schemes/registry.js';
import type { Scheme, SchemeOptions } from '../schemes/types.js';
import type { PreparedRequest } from './deliver.js';

/** Hop-by-hop headers and those the client recomputes for the new connection. */
const DROPPED = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'content-length', 'expect']);

export const IDEMPOTENCY_HEADER = 'idempotency-key';
/**
 * The listener's dedupe key when it is not the event id (an id the signature does not cover, bound
 * to the signed content): an app that dedupes on it cannot be made to drop a real event by a
 * replayed body sent under that event's id.
 */
export const DEDUPE_KEY_HEADER = 'hookctl-dedupe-key';

/** Where a delivery is passed on to. */
export interface ForwardTarget {
  url: string;
  /**
   * The target was given without a path (`http://127.0.0.1:3000`): each delivery goes to the path
   * it was posted to, so one target can front an app with a route per provider.
   */
  keepPath: boolean;
}

/** A received (or stored) delivery, as the app should get it. */
export interface ForwardSource {
  method: string;
  /** Path and query it was posted to. */
  path: string;
  /** Lower-case names, as received. */
  headers: Record<string, string>;
  body: Uint8Array;
  eventId: string | null;
  /**
   * The listener's dedupe key when it is not the event id (an unsigned id bound to the signed
   * content, or the body's hash): sent as Hookctl-Dedupe-Key, and as Idempotency-Key when there is
   * no event id.
   */
  idempotencyKey?: string | null;
  /** The Idempotency-Key when there is neither: the capture id. */
  fallbackId: string;
  /** The scheme the delivery arrived signed with, if known: re-signing uses the same. */
  scheme: Scheme | undefined;
  /** The secret that verified it: a scheme that signs the URL is re-signed with it for the app's URL. */
  verifiedWith?: string;
}

export interface ForwardSigning {
  secret: string;
  /** Used when the delivery's own scheme is unknown; `auto` means generic hmac. */
  fallbackScheme: string;
  schemeOptions: SchemeOptions;
}

/** True for a URL given without a path or query: `http://host:3000`, not `http://host:3000/`. */
export function hasNoPath(url: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*$/i.test(url.trim());
}

/** The app's URL for one delivery: the target's, or with `keepPath` the target's origin and the delivery's path. */
export function forwardUrl(target: ForwardTarget, path: string): string {
  if (!target.keepPath) return target.url;
  // The target names no path (nor query): its URL up to the host, user-info kept (an origin drops it).
  return `${target.url.replace(/\/+$/, '')}${path.startsWith('/') ? path : `/${path}`}`;
}

/** The scheme a stored delivery names (`record.scheme`), or undefined when it names none or an unknown one. */
export function schemeNamed(name: string | null, options: SchemeOptions): Scheme | undefined {
  if (!name) return undefined;
  try {
    return getScheme(name, options);
  } catch {
    return undefined;
  }
}

function connectionTokens(headers: Record<string, string>): Set<string> {
  // Headers named in Connection are hop-by-hop too.
  return new Set((headers.connection ?? '').split(',').map((token) => token.trim().toLowerCase()).filter(Boolean));
}

/** True when the app cannot verify the sender's own signature on a forwarded copy and nothing can re-sign it. */
export function cannotReSign(source: Pick<ForwardSource, 'scheme' | 'verifiedWith'>, signing: ForwardSigning | undefined): boolean {
  return source.scheme?.targetUrl !== undefined && signing === undefined && source.verifiedWith === undefined;
}

/** The warning for a forward cannotReSign: `remedy` says which flag of the forwarding command fixes it. */
export function cannotReSignWarning(scheme: Scheme, remedy: string): string {
  return `${scheme.title} signs the URL it posts to, so your app cannot verify a forwarded copy with the original signature: ${remedy}`;
}

/**
 * A key as a header value. Printable ASCII is sent as it is (every id providers send today); any
 * other key is percent-encoded as UTF-8, `%` included, so it stays reversible with
 * decodeURIComponent: `evt_é` → `evt_%C3%A9`. A raw character above U+00FF cannot be put in a
 * header at all, and such an id was refused on every retry ("invalid idempotency-key header").
 */
export function headerSafeKey(key: string): string {
  if (/^[\x20-\x7e]*$/.test(key)) return key;
  return key.replace(/[^\x21-\x24\x26-\x7e]/gu, (char) => {
    try {
      return encodeURIComponent(char);
    } catch {
      // a lone surrogate: not text, sent as U+FFFD
      return '%EF%BF%BD';
    }
  });
}

export function forwardRequest(source: ForwardSource, target: ForwardTarget | string, signing?: ForwardSigning, nowMs = Date.now()): PreparedRequest {
  const hopByHop = connectionTokens(source.headers);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(source.headers)) {
    const lower = name.toLowerCase();
    if (!DROPPED.has(lower) && !hopByHop.has(lower)) headers[lower] = value;
  }
  headers[IDEMPOTENCY_HEADER] = headerSafeKey(source.eventId ?? source.idempotencyKey ?? source.fallbackId);
  // The contract's Idempotency-Key is the event id; the key the listener dedupes on rides beside it.
  if (source.idempotencyKey && source.idempotencyKey !== source.eventId) headers[DEDUPE_KEY_HEADER] = headerSafeKey(source.idempotencyKey);
  let url = typeof target === 'string' ? target : forwardUrl(target, source.path);
  let body: Uint8Array = source.body;
  const secret = signing?.secret ?? (source.scheme?.targetUrl ? source.verifiedWith : undefined);
  if (secret !== undefined) {
    const scheme = source.scheme ?? getScheme(!signing || signing.fallbackScheme === 'auto' ? 'hmac' : signing.fallbackScheme, signing?.schemeOptions ?? {});
    for (const name of scheme.signatureHeaders) delete headers[name.toLowerCase()];
    if (scheme.targetUrl) url = scheme.targetUrl(url, source.body, source.headers);
    const input = { body: source.body, secret, timestamp: Math.floor(nowMs / 1000), id: source.eventId ?? source.fallbackId, url };
    // In-body schemes (Mailgun, SNS, Linear's timestamp) re-sign by rewriting the body.
    if (scheme.signBody) body = Buffer.from(scheme.signBody(input));
    const signed = scheme.sign({ ...input, body });
    for (const [name, value] of Object.entries(signed)) headers[name.toLowerCase()] = value;
  }
  return { url, method: source.method, headers, body };
}
