import { isUtf8 } from 'node:buffer';
import { formatDuration } from '../text/duration.js';
import { BadSecretError, keyFromSecret, safeEqual } from './crypto.js';
import type { KeyEncoding, ReasonCode, VerifyInput, VerifyResult } from './types.js';

export function verified(scheme: string, secretIndex: number, message = 'signature verified'): VerifyResult {
  return { verified: true, scheme, reason: null, message, secretIndex };
}

export function rejected(scheme: string, reason: ReasonCode, message: string, extra: Partial<VerifyResult> = {}): VerifyResult {
  return { verified: false, scheme, reason, message, ...extra };
}

/**
 * Tries every secret against every signature the request carries (key rotation on both sides).
 * `expected` computes the signature bytes for one key. Returns the index of the secret that
 * matched, -1 for none, or a rejection when a secret cannot be turned into a key.
 */
export function matchSecrets(
  scheme: string,
  input: VerifyInput,
  defaultEncoding: KeyEncoding,
  candidates: readonly Uint8Array[],
  expected: (key: Buffer) => Uint8Array,
): number | VerifyResult {
  if (input.secrets.length === 0) return rejected(scheme, 'no_secret', 'no secret was given to verify with');
  const encoding = input.keyEncoding ?? defaultEncoding;
  let usable = 0;
  let lastProblem = '';
  for (let index = 0; index < input.secrets.length; index++) {
    const secret = input.secrets[index]!;
    let key: Buffer;
    try {
      key = keyFromSecret(secret, encoding);
    } catch (error) {
      if (!(error instanceof BadSecretError)) throw error;
      lastProblem = error.message;
      continue;
    }
    usable++;
    const mine = expected(key);
    // Compare against every candidate, without stopping early, so timing does not say which matched.
    let matched = false;
    for (const candidate of candidates) matched = safeEqual(mine, candidate) || matched;
    if (matched) return index;
  }
  if (usable === 0) {
    return rejected(scheme, 'bad_secret_format', `${lastProblem}${input.secrets.length > 1 ? ' (all secrets)' : ''}`);
  }
  return -1;
}

export function mismatch(scheme: string, input: VerifyInput, signatures: number, what: string): VerifyResult {
  const secrets = input.secrets.length;
  const tried = `${signatures} signature${signatures === 1 ? '' : 's'} against ${secrets} secret${secrets === 1 ? '' : 's'}`;
  return rejected(scheme, 'signature_mismatch', `no signature matched: computed ${what} and compared ${tried}`);
}

export interface TimestampRule {
  /** Stripe's library accepts future timestamps; Standard Webhooks and Slack refuse both ways. */
  rejectFuture: boolean;
  /** The provider's documented tolerance, used when the input names none (default 300 s). */
  defaultSeconds?: number;
}

export const DEFAULT_TOLERANCE_SECONDS = 300;

/**
 * Parses a Unix-seconds timestamp. `text` is the header value as sent (Slack signs it as is);
 * `canonical` is the number as the Stripe and Standard Webhooks libraries re-print it after
 * parseInt (so `0123` is signed as `123` there).
 */
export function checkTimestamp(
  scheme: string,
  text: string | undefined,
  headerName = 'signature timestamp',
): { timestamp: number; text: string; canonical: string } | VerifyResult {
  if (text === undefined || text === '') return rejected(scheme, 'missing_timestamp', `the request has no ${headerName}`);
  const trimmed = text.trim();
  if (!/^\d{1,12}$/.test(trimmed)) {
    const repeated = /^\s*\d+\s*,\s*\d+/.test(text) ? ' (the header was sent more than once)' : '';
    return rejected(scheme, 'malformed_timestamp', `the ${headerName} "${clip(text)}" is not a Unix time in seconds${repeated}`);
  }
  const timestamp = Number(trimmed);
  return { timestamp, text: trimmed, canonical: String(timestamp) };
}

/**
 * After the signature matched: is the (now authenticated) timestamp fresh enough? Like every
 * official library, "now" is whole seconds (floor), and a skew equal to the tolerance passes.
 */
export function checkTolerance(scheme: string, timestamp: number, input: VerifyInput, rule: TimestampRule): VerifyResult | undefined {
  const skew = timestamp - Math.floor(input.nowMs / 1000);
  const tolerance = input.toleranceSeconds ?? rule.defaultSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (!(tolerance > 0)) return undefined;
  const tooOld = -skew > tolerance;
  const tooNew = rule.rejectFuture && skew > tolerance;
  if (!tooOld && !tooNew) return undefined;
  const direction = tooOld ? `${-skew}s${humanSpan(-skew)} old` : `${skew}s${humanSpan(skew)} in the future`;
  return rejected(
    scheme,
    'timestamp_outside_tolerance',
    `the signature is valid but its timestamp is ${direction}, outside the ${tolerance}s tolerance (a replayed or delayed delivery, or a skewed clock)`,
    { skewSeconds: skew },
  );
}

/**
 * " (1h 2m)", " (about 3 days)": spans long enough that seconds stop meaning anything to a person,
 * written like every other wait hookctl prints (formatDuration); past two days, in whole days.
 */
export function humanSpan(seconds: number): string {
  if (seconds < 3600) return '';
  if (seconds < 172_800) return ` (${formatDuration(seconds * 1000)})`;
  return ` (about ${Math.round(seconds / 86_400)} days)`;
}

/** Shortens attacker-controlled text before it goes into a message. */
export function clip(text: string, max = 40): string {
  const printable = text.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > max ? `${printable.slice(0, max)}…` : printable;
}

const jsonCache = new WeakMap<Uint8Array, unknown>();
const utf8Cache = new WeakMap<Uint8Array, boolean>();

/** The body parsed as JSON, or undefined; cached per body so several lookups parse once. */
export function jsonBody(body: Uint8Array): unknown {
  if (jsonCache.has(body)) return jsonCache.get(body);
  let value: unknown;
  const first = body.find((byte) => byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09);
  if (first === 0x7b /* { */ || first === 0x5b /* [ */) {
    try {
      value = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
    } catch {
      value = undefined;
    }
  }
  jsonCache.set(body, value);
  return value;
}

/** A string (or number) field of the JSON body at a dotted path. */
export function jsonField(body: Uint8Array, path: string): string | undefined {
  let value: unknown = jsonBody(body);
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  if (typeof value === 'string' && value.length > 0) return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

/**
 * An event id from the JSON body. JSON is read as UTF-8, where every invalid byte becomes U+FFFD:
 * `"evt_\xff"` and `"evt_\xfe"` would both read `evt_\ufffd` and one would be dropped as a
 * duplicate of the other. In a body that is not valid UTF-8 an id holding U+FFFD does not say
 * which bytes it was, so it counts as no id (the listener then keys the delivery by its body's
 * hash, which does tell them apart). Providers send UTF-8, so a genuine id never meets this.
 */
export function jsonId(body: Uint8Array, path: string): string | undefined {
  const id = jsonField(body, path);
  if (id === undefined || !id.includes('\ufffd')) return id;
  let valid = utf8Cache.get(body);
  if (valid === undefined) {
    valid = isUtf8(body);
    utf8Cache.set(body, valid);
  }
  return valid ? id : undefined;
}

/** Splits a header holding several signatures (comma or space separated). */
export function splitList(value: string, separator: RegExp = /[\s,]+/): string[] {
  // One signature is the usual case: skip the split/map/filter arrays for it.
  if (!/[\s,]/.test(value)) return value === '' ? [] : [value];
  return value.split(separator).map((part) => part.trim()).filter(Boolean);
}
