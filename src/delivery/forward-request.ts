import type { Scheme } from '../schemes/types.js';
import type { PreparedRequest } from './deliver.js';

/** Hop-by-hop headers (RFC 9110 §7.6.1) and those the client recomputes for the new connection. */
const DROPPED = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'content-length', 'expect']);

/** Where a delivery is passed on to: the user's app. */
export interface ForwardTarget {
  url: string;
  /**
   * The target was given without a path (`http://127.0.0.1:3000`): each delivery goes to the path
   * it was posted to, so one listener can front an app with a route per provider.
   */
  keepPath: boolean;
  /** Re-sign with this secret (fresh timestamp, same event id) instead of passing the signature on. */
  secret?: string;
}

/** A received delivery, as the app should get it. */
export interface ForwardSubject {
  /** Capture id: the idempotency key when the delivery carries no event id. */
  id: string;
  eventId: string | null;
  method: string;
  /** Path and query it was posted to. */
  path: string;
  /** Headers as received. */
  headers: Record<string, string>;
  body: Uint8Array;
  /** The scheme it was signed with, if known: re-signing uses the same. */
  scheme: Scheme | undefined;
  /**
   * The secret that verified it. A scheme that signs the URL (Twilio) cannot be passed on to
   * another URL with the sender's signature: it is re-signed with this for the app's URL.
   */
  verifiedWith?: string;
}

/** True for a URL given without a path or query: `http://host:3000`, not `http://host:3000/`. */
export function hasNoPath(url: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*$/i.test(url.trim());
}

/** The app's URL for one delivery: the target's, or with `keepPath` the target's origin and the delivery's path. */
export function forwardUrl(target: ForwardTarget, path: string): string {
  if (!target.keepPath) return target.url;
  const base = new URL(target.url);
  return `${base.origin}${path.startsWith('/') ? path : `/${path}`}`;
}

function connectionTokens(headers: Record<string, string>): Set<string> {
  // Headers named in Connection are hop-by-hop too.
  return new Set((headers.connection ?? '').split(',').map((token) => token.trim().toLowerCase()).filter(Boolean));
}

/**
 * The request that passes a delivery on: its headers and body byte for byte minus hop-by-hop
 * headers, an `Idempotency-Key` (the event id) unless it carries one, and a fresh signature where
 * the app could not verify the sender's (a secret was given, or the scheme signs the URL).
 * `fallbackScheme` signs deliveries whose scheme is unknown.
 */
export function prepareForward(target: ForwardTarget, subject: ForwardSubject, fallbackScheme: () => Scheme, nowMs = Date.now()): PreparedRequest {
  const hopByHop = connectionTokens(subject.headers);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(subject.headers)) {
    if (!DROPPED.has(name) && !hopByHop.has(name)) headers[name] = value;
  }
  headers['idempotency-key'] ??= subject.eventId ?? subject.id;
  let url = forwardUrl(target, subject.path);
  const urlBound = subject.scheme?.targetUrl !== undefined;
  const secret = target.secret ?? (urlBound ? subject.verifiedWith : undefined);
  if (secret !== undefined) {
    const scheme = subject.scheme ?? fallbackScheme();
    for (const name of scheme.signatureHeaders) delete headers[name];
    if (scheme.targetUrl) url = scheme.targetUrl(url, subject.body, subject.headers);
    const signed = scheme.sign({ body: subject.body, secret, timestamp: Math.floor(nowMs / 1000), id: subject.eventId ?? subject.id, url });
    for (const [name, value] of Object.entries(signed)) headers[name.toLowerCase()] = value;
  }
  return { url, method: subject.method, headers, body: subject.body };
}
