/**
 * The request that forwards a stored delivery to a route's target: the original method, headers
 * and body byte for byte, minus hop-by-hop headers (RFC 9110 §7.6.1) and those the client
 * recomputes for the new connection, plus `Idempotency-Key: <event id>` so the app can dedupe
 * the at-least-once forwards. With a forward secret the delivery is re-signed, in the scheme it
 * arrived with, with a fresh timestamp and the same event id, on every attempt.
 *
 * Shared by everything that forwards (the queue worker; listen's forwarder is meant to use it
 * too), so a forwarded delivery looks the same whichever path it took.
 */
import type { PreparedRequest } from '../delivery/deliver.js';
import { getScheme } from '../schemes/registry.js';
import type { Scheme, SchemeOptions } from '../schemes/types.js';

/** Hop-by-hop headers and those the client recomputes for the new connection. */
const DROPPED = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'content-length', 'expect']);

export const IDEMPOTENCY_HEADER = 'idempotency-key';

export interface ForwardSource {
  method: string;
  /** Lower-case names, as the listener captured them. */
  headers: Record<string, string>;
  body: Uint8Array;
  eventId: string | null;
  /** The Idempotency-Key when there is no event id: the capture id, stable across retries. */
  fallbackId: string;
  /** The scheme the delivery arrived signed with, if known: re-signing uses the same. */
  scheme: Scheme | undefined;
}

export interface ForwardSigning {
  secret: string;
  /** Used when the delivery's own scheme is unknown; `auto` means generic hmac. */
  fallbackScheme: string;
  schemeOptions: SchemeOptions;
}

function connectionTokens(headers: Record<string, string>): Set<string> {
  // Headers named in Connection are hop-by-hop too.
  return new Set((headers.connection ?? '').split(',').map((token) => token.trim().toLowerCase()).filter(Boolean));
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

export function forwardRequest(source: ForwardSource, url: string, signing?: ForwardSigning): PreparedRequest {
  const hopByHop = connectionTokens(source.headers);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(source.headers)) {
    const lower = name.toLowerCase();
    if (!DROPPED.has(lower) && !hopByHop.has(lower)) headers[lower] = value;
  }
  headers[IDEMPOTENCY_HEADER] = source.eventId ?? source.fallbackId;
  let target = url;
  if (signing) {
    const scheme = source.scheme ?? getScheme(signing.fallbackScheme === 'auto' ? 'hmac' : signing.fallbackScheme, signing.schemeOptions);
    for (const name of scheme.signatureHeaders) delete headers[name.toLowerCase()];
    if (scheme.targetUrl) target = scheme.targetUrl(target, source.body, source.headers);
    const signed = scheme.sign({ body: source.body, secret: signing.secret, timestamp: Math.floor(Date.now() / 1000), id: source.eventId ?? source.fallbackId, url: target });
    for (const [name, value] of Object.entries(signed)) headers[name.toLowerCase()] = value;
  }
  return { url: target, method: source.method, headers, body: source.body };
}
