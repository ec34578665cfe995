/** Checking a signature as `hookctl verify` does, from a test: for code that signs webhooks itself. */
import { verifyAndDiagnose } from '../schemes/diagnose.js';
import { resolveScheme, verifyWith } from '../schemes/registry.js';
import type { HeaderMap, ReasonCode } from '../schemes/types.js';
import { bodyBytes, type WebhookBody } from './body.js';
import { asTypeError, durationMs, nowMs, schemeSettings, type Duration, type SchemeSettings } from './options.js';

/** Headers in any usual form: a `Headers`, `[name, value]` pairs, or a record (Node's `req.headers`). */
export type HeadersLike = Headers | Iterable<readonly [string, string]> | Record<string, string | readonly string[] | undefined>;

/** Options of `verify`: the flags of `hookctl verify` of the same names. */
export interface VerifyOptions extends SchemeSettings {
  /** The scheme name, or `'auto'` (the default): detected from the headers present. */
  scheme?: string;
  /** The secret; during a rotation, several (any one verifying is enough). */
  secret: string | readonly string[];
  /** The request's headers. */
  headers: HeadersLike;
  /** The raw body, byte for byte as received (a JSON value is taken as `JSON.stringify(value)`). */
  body: WebhookBody;
  /** Allowed timestamp skew (`--tolerance`, default `'5m'`). */
  tolerance?: Duration;
  /** The clock: a `Date` or Unix milliseconds (`--now`). Default `Date.now()`. */
  now?: Date | number;
  /** The public URL the request was posted to, for schemes that sign it (Twilio). */
  url?: string;
}

/** The verdict, as the `verification` record of `hookctl verify --json`. */
export interface VerifyOutcome {
  /** The signature verified. */
  ok: boolean;
  /** Why not, as a stable code (`signature_mismatch`, `timestamp_outside_tolerance`, `missing_signature`…); null when ok. */
  reason: ReasonCode | null;
  /** One sentence: what was checked and what went wrong. */
  message: string;
  /** The scheme that verified it (or `auto` when none was found). */
  scheme: string;
  /** On a mismatch, the likely cause when one of the usual suspects reproduces the signature (a re-serialized body, a trailing newline, the secret's encoding). */
  diagnosis?: string;
}

/** Headers as Node receives them: lower-case names, repeats as lists. */
export function headerMap(headers: HeadersLike): HeaderMap {
  const map: HeaderMap = {};
  const add = (name: string, value: string) => {
    const key = name.toLowerCase();
    const previous = map[key];
    map[key] = previous === undefined ? value : [previous, value].flat();
  };
  if (typeof Headers !== 'undefined' && headers instanceof Headers) {
    headers.forEach((value, name) => add(name, value));
  } else if (Symbol.iterator in headers) {
    for (const [name, value] of headers as Iterable<readonly [string, string]>) add(name, value);
  } else {
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined) continue;
      if (typeof value === 'string') add(name, value);
      else for (const item of value as readonly string[]) add(name, item);
    }
  }
  return map;
}

/**
 * Verifies a delivery's signature the way `hookctl verify` does, with the same reason codes and,
 * on a mismatch, the same diagnosis of the likely cause.
 *
 * @example
 * const result = verify({ scheme: 'github', secret, headers: req.headers, body: rawBody });
 * expect(result).toMatchObject({ ok: true });
 */
export function verify(options: VerifyOptions): VerifyOutcome {
  const secrets = typeof options.secret === 'string' ? [options.secret] : [...options.secret];
  if (secrets.length === 0 || secrets.some((secret) => typeof secret !== 'string' || secret === '')) throw new TypeError('secret: a non-empty secret (or a list of them) is required');
  const name = options.scheme ?? 'auto';
  const headers = headerMap(options.headers);
  const input = {
    body: bodyBytes(options.body),
    headers,
    secrets,
    toleranceSeconds: durationMs(options.tolerance ?? '5m', 'tolerance') / 1000,
    nowMs: nowMs(options.now),
    ...(options.url !== undefined ? { url: options.url } : {}),
  };
  const settings = schemeSettings(options);
  const result = asTypeError(() => {
    const scheme = resolveScheme(name, headers, settings);
    return scheme ? verifyAndDiagnose(scheme, input) : verifyWith(name, input, settings).result;
  });
  return {
    ok: result.verified,
    reason: result.reason,
    message: result.message,
    scheme: result.scheme,
    ...(result.diagnosis ? { diagnosis: result.diagnosis } : {}),
  };
}
