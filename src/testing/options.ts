/**
 * The options every signing function of `hookctl/testing` shares, and how they are read. A name
 * here means what the CLI flag of the same name means (`scheme` is `--scheme`, `id` is `--id`,
 * `stale` and `tolerance` take the same durations).
 */
import { createHash, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { isUserError } from '../errors.js';
import { BadSecretError } from '../schemes/crypto.js';
import { parseDuration, parseSize } from '../options/units.js';
import { SCHEME_NAMES } from '../schemes/names.js';
import { getScheme, isSchemeName } from '../schemes/registry.js';
import type { Scheme, SchemeOptions } from '../schemes/types.js';
import type { WebhookBody } from './body.js';

/** A duration as the CLI takes it: `'250ms'`, `'5s'`, `'2m'`, `'1h'`, or a number of milliseconds. */
export type Duration = string | number;

/** Options of the configurable schemes, as the CLI flags of the same names. */
export interface SchemeSettings {
  /** `github`: also send the legacy `X-Hub-Signature: sha1=` header (`--legacy-sha1`). */
  legacySha1?: boolean;
  /** `hmac`: the header carrying the signature (`--signature-header`). */
  signatureHeader?: string;
  /** `hmac`: the digest (`--algorithm`, default sha256). */
  algorithm?: 'sha1' | 'sha256' | 'sha512';
  /** `hmac`: how the signature is written (`--encoding`, default hex). */
  encoding?: 'hex' | 'base64';
  /** `hmac`: text before the signature, e.g. `sha256=` (`--prefix`). */
  prefix?: string;
}

/**
 * Ways to spoil a delivery on purpose, to prove a handler refuses it. The same names in `sign`,
 * `signedRequest`, `signedDelivery` and `send`.
 */
export interface Tampering {
  /**
   * Sign with a timestamp this long ago (`'10m'`, or ms; `true` is twice the tolerance the
   * provider documents: `'10m'` for the usual 5 minutes). Only for schemes that sign a timestamp (Stripe, Standard Webhooks,
   * Slack…); asking it of one that does not (GitHub) is an error, not a test that passes vacuously.
   */
  stale?: Duration | boolean;
  /**
   * Sign with a timestamp this far in the future (`true`: twice the tolerance). Timestamped schemes only.
   * Refused by those that check both directions (Standard Webhooks, Svix, Slack); Stripe's own
   * library accepts a future timestamp, and so does the `stripe` scheme.
   */
  futureTimestamp?: Duration | boolean;
  /**
   * The re-serialization trap: the signature covers the bytes as given, the body sent is what a
   * JSON parser re-emits (compact, or pretty when the body was already compact). With `sign`, which
   * returns headers only, the headers are those of the re-emitted bytes, so the body you send no
   * longer matches them. An error for a provider whose signature does not cover the raw body (a
   * static token), where the re-emitted body would verify all the same.
   */
  reserialize?: boolean;
  /** Sign with a different secret of the same shape (`true`; a PEM private key: a new key of its kind), or with this one. */
  wrongSecret?: boolean | string;
  /**
   * Leave out the signature header(s) (`true`), or the named header(s), e.g. `'webhook-timestamp'`
   * or `'X-Slack-Request-Timestamp'` (any case). An error where there is no such header (a
   * provider that signs inside the body).
   */
  missingHeader?: boolean | string | readonly string[];
}

/**
 * The key to sign with: the shared `secret`, or for a provider that signs with a key pair
 * (Discord, Telnyx, SendGrid, SNS) the `privateKey`, as `--secret` and `--private-key` are.
 */
export type SigningKey = { secret: string; privateKey?: undefined } | { privateKey: string; secret?: undefined };

/** What to sign and how: shared by `sign`, `signedRequest`, `signedDelivery` and `send`. */
export type SignOptions = SignSettings & SigningKey;

/** Everything of `SignOptions` but the key. */
export interface SignSettings extends SchemeSettings, Tampering {
  /** The provider: any `hookctl --scheme` name (`'stripe'`, `'github'`, `'standard'`, `'svix'`, `'slack'`…). */
  scheme: string;
  /** The webhook secret, as the provider shows it (`whsec_…` for Stripe and Standard Webhooks). */
  secret?: string;
  /** For a provider that signs with a key pair: the private key's text (PEM, or the provider's own form). */
  privateKey?: string;
  /**
   * The body: a string, bytes, or a JSON value serialised once with `JSON.stringify`. Without it,
   * the sample of `event` (or the scheme's default sample) is used: `samples.list()` names them.
   */
  body?: WebhookBody;
  /**
   * The event type: picks the sample when no `body` is given (`'invoice.paid'`, `'push'`), and goes
   * in the provider's event-type header (X-GitHub-Event, X-Shopify-Topic) either way.
   */
  event?: string;
  /**
   * The event id (X-GitHub-Delivery, `webhook-id`…; swapped into a sample's body for schemes that
   * carry it there, like Stripe). Default: a fresh id in the provider's shape.
   */
  id?: string;
  /** The signing clock: a `Date` or Unix milliseconds. Default `Date.now()` (so fake timers apply). */
  now?: Date | number;
  /** The public URL the provider signs, for schemes that sign it (Twilio). Default: the URL posted to. */
  url?: string;
  /** More headers, set last; a name matching a generated header (any case) replaces it, as `--header`. */
  headers?: Record<string, string>;
}

/** The signing key of the options: `secret` or `privateKey`, exactly one of them. */
export function signingKey(options: { secret?: unknown; privateKey?: unknown }): string {
  const { secret, privateKey } = options;
  if (secret !== undefined && privateKey !== undefined) throw new TypeError('secret and privateKey: give one or the other');
  const key = secret ?? privateKey;
  if (typeof key !== 'string' || key === '') throw new TypeError('secret: the webhook secret is required (a non-empty string), or privateKey for a provider that signs with a key pair');
  return key;
}

/** The timestamp tolerance a scheme's provider documents (where the scheme says), else 5 minutes. */
export function toleranceMs(scheme: Scheme): number {
  const documented = (scheme as Scheme & { toleranceSeconds?: number }).toleranceSeconds;
  return (documented ?? 300) * 1000;
}

/** `now` as Unix milliseconds; `Date.now()` (fake timers included) when not given. */
export function nowMs(now: Date | number | undefined): number {
  if (now === undefined) return Date.now();
  const ms = now instanceof Date ? now.getTime() : now;
  if (!Number.isFinite(ms)) throw new TypeError(`now: expected a Date or Unix milliseconds, got ${String(now)}`);
  return ms;
}

/** A duration option in ms, named in the error as the option is named. */
export function durationMs(value: Duration, option: string): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw new TypeError(`${option}: expected a duration like '5m' or a number of milliseconds >= 0, got ${value}`);
    return value;
  }
  return asTypeError(() => parseDuration(value, option));
}

/** A size option in bytes: a number, or a string as the CLI's `--max-body` takes it (`'64kb'`, `'1mb'`). */
export function sizeBytes(value: number | string, option: string): number {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) throw new TypeError(`${option}: expected a size like '64kb' or a whole number of bytes >= 0, got ${value}`);
    return value;
  }
  if (typeof value !== 'string') throw new TypeError(`${option}: expected a size like '64kb' or a number of bytes, got ${typeof value}`);
  return asTypeError(() => parseSize(value, option));
}

/** A tampering duration: `true` means 10 minutes, false or absent means none. */
export function offsetMs(value: Duration | boolean | undefined, option: string): number {
  if (value === undefined || value === false) return 0;
  if (value === true) return 10 * 60_000;
  return durationMs(value, option);
}

/**
 * The core reports misuse as the CLI's `UserError` (and a secret it cannot use as `BadSecretError`);
 * a library user gets a `TypeError` with the same words, the option named as the library names it.
 */
export function asTypeError<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (isUserError(error)) throw new TypeError(error.message.replace(/^--([a-z-]+)/, (_, flag: string) => flag.replace(/-([a-z])/g, (__, letter: string) => letter.toUpperCase())));
    // The secret's own text never goes into the message, only what is wrong with it.
    if (error instanceof BadSecretError) throw new TypeError(`secret: ${error.message}`);
    throw error;
  }
}

/** The scheme settings out of an options object. */
export function schemeSettings(options: SchemeSettings): SchemeOptions {
  const settings: SchemeOptions = {};
  if (options.legacySha1) settings.legacySha1 = true;
  if (options.signatureHeader !== undefined) settings.signatureHeader = options.signatureHeader;
  if (options.algorithm !== undefined) settings.algorithm = options.algorithm;
  if (options.encoding !== undefined) settings.encoding = options.encoding;
  if (options.prefix !== undefined) settings.prefix = options.prefix;
  return settings;
}

/** The scheme of that name, or a TypeError listing every name (`auto` is for verifying only). */
export function signingScheme(name: unknown, settings: SchemeOptions): Scheme {
  if (typeof name !== 'string' || !isSchemeName(name)) {
    const kind = name === null || name === undefined ? String(name) : typeof name === 'object' ? 'an object' : `a ${typeof name}`;
    const given = typeof name === 'string' ? `"${name}"` : `${kind} (pass the scheme's name)`;
    throw new TypeError(`scheme: unknown scheme ${given}; expected one of ${SCHEME_NAMES.join(', ')}`);
  }
  return asTypeError(() => getScheme(name, settings));
}

/**
 * A secret of the same shape that is not this one: the same `whsec_`-style prefix and encoding, so
 * the handler fails on the signature, not on the secret's format.
 */
export function wrongSecretFor(secret: string, scheme: Scheme): string {
  if (secret.includes('PRIVATE KEY-----')) return anotherPrivateKey(secret);
  const digest = createHash('sha256').update('hookctl wrong secret\0').update(secret).digest();
  const prefix = /^[A-Za-z]+_/.exec(secret)?.[0] ?? '';
  if (scheme.keyEncoding === 'base64' || prefix !== '') return `${prefix}${digest.toString('base64')}`;
  if (scheme.keyEncoding === 'hex') return digest.toString('hex');
  return `wrong-${digest.toString('base64url').slice(0, Math.max(8, secret.length))}`;
}

/** A fresh private key of the same kind as this PEM one (Ed25519, the same EC curve, RSA of the same size). */
function anotherPrivateKey(pem: string): string {
  const key = createPrivateKey(pem);
  const details = key.asymmetricKeyDetails ?? {};
  const pair =
    key.asymmetricKeyType === 'ec'
      ? generateKeyPairSync('ec', { namedCurve: details.namedCurve ?? 'prime256v1' })
      : key.asymmetricKeyType === 'rsa'
        ? generateKeyPairSync('rsa', { modulusLength: details.modulusLength ?? 2048 })
        : key.asymmetricKeyType === 'ed448'
          ? generateKeyPairSync('ed448')
          : generateKeyPairSync('ed25519');
  return pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}
