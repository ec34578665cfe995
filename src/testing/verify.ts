/** Checking a signature as `hookctl verify` does, from a test: for code that signs webhooks itself. */
import { verifyAndDiagnose } from '../schemes/diagnose.js';
import { resolveScheme, verifyWith } from '../schemes/registry.js';
import type { HeaderMap, ReasonCode } from '../schemes/types.js';
import { bodyBytes, type WebhookBody } from './body.js';
import { asTypeError, durationMs, nowMs, schemeSettings, toleranceMs, type Duration, type SchemeSettings } from './options.js';

/** Headers in any usual form: a `Headers`, `[name, value]` pairs, or a record (Node's `req.headers`). */
export type HeadersLike = Headers | Iterable<readonly [string, string]> | Record<string, string | readonly string[] | undefined>;

/**
 * The key to verify with: the shared `secret`, or for a provider that signs with a key pair the
 * `publicKey` (or certificate), as `--secret` and `--public-key` are. Several during a rotation.
 */
export type VerifyingKey = { secret: string | readonly string[]; publicKey?: undefined } | { publicKey: string | readonly string[]; secret?: undefined };

/** Options of `verify`: the flags of `hookctl verify` of the same names. */
export type VerifyOptions = VerifySettings & VerifyingKey;

/** Everything of `VerifyOptions` but the key. */
export interface VerifySettings extends SchemeSettings {
  /** The scheme name, or `'auto'` (the default): detected from the headers present. */
  scheme?: string;
  /** The secret; during a rotation, several (any one verifying is enough). */
  secret?: string | readonly string[];
  /** For a provider that signs with a key pair: its public key or certificate (PEM, or the provider's own form, e.g. Discord's hex key). */
  publicKey?: string | readonly string[];
  /** The request's headers. */
  headers: HeadersLike;
  /** The raw body, byte for byte as received (a JSON value is taken as `JSON.stringify(value)`). */
  body: WebhookBody;
  /** Allowed timestamp skew (`--tolerance`); default: the provider's documented tolerance, else `'5m'`. */
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
  const secrets = verifyingKeys(options);
  if (secrets.length === 0) throw new TypeError('secret: a non-empty secret (or a list of them) is required, or publicKey for a provider that signs with a key pair');
  const name = options.scheme ?? 'auto';
  const headers = headerMap(options.headers);
  const given = options.tolerance === undefined ? undefined : durationMs(options.tolerance, 'tolerance');
  const base = { body: bodyBytes(options.body), headers, secrets, nowMs: nowMs(options.now), ...(options.url !== undefined ? { url: options.url } : {}) };
  const settings = schemeSettings(options);
  const result = asTypeError(() => {
    const scheme = resolveScheme(name, headers, settings);
    const input = { ...base, toleranceSeconds: (given ?? (scheme ? toleranceMs(scheme) : 300_000)) / 1000 };
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

/** The secrets (or public keys) of verify's and startReceiver's options, checked: one kind, none empty. */
export function verifyingKeys(options: { secret?: string | readonly string[]; publicKey?: string | readonly string[] }): string[] {
  if (options.secret !== undefined && options.publicKey !== undefined) throw new TypeError('secret and publicKey: give one or the other');
  const given = options.secret ?? options.publicKey;
  if (given === undefined) return [];
  const keys = typeof given === 'string' ? [given] : [...given];
  if (keys.some((key) => typeof key !== 'string' || key === '')) throw new TypeError(`${options.secret !== undefined ? 'secret' : 'publicKey'}: expected a non-empty string or a list of them`);
  return keys;
}
