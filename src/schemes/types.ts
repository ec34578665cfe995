/** Incoming headers as Node gives them (any case, possibly repeated), or a plain record. */
export type HeaderValue = string | string[] | undefined;
export type HeaderMap = Record<string, HeaderValue>;
/** Headers a signer produces, in the provider's own capitalisation. */
export type OutgoingHeaders = Record<string, string>;

/** Why a verification failed: stable codes that scripts (`--json`) and the listener's 401 use. */
export type ReasonCode =
  | 'no_secret'
  | 'unknown_scheme'
  | 'missing_signature'
  | 'malformed_signature_header'
  | 'missing_timestamp'
  | 'malformed_timestamp'
  | 'timestamp_outside_tolerance'
  | 'missing_header'
  | 'missing_url'
  | 'bad_secret_format'
  | 'signature_mismatch'
  /** A body the scheme will not verify because its provider never sends one like it (Twilio: a form of over 1,000 parameters, or not UTF-8). */
  | 'unverifiable_body';

/** How a secret string becomes key bytes. Schemes differ here; diagnosis tries the others. */
export type KeyEncoding = 'utf8' | 'base64' | 'hex';

export interface SignInput {
  /** The raw body bytes, exactly as they go on the wire. */
  body: Uint8Array;
  /**
   * The shared secret; for an asymmetric scheme, the private key as text (PEM, or the provider's
   * own form), which the CLI reads from `--private-key FILE`.
   */
  secret: string;
  /** Unix seconds. */
  timestamp: number;
  /** Event/message id, for schemes that sign it or send it. */
  id: string;
  /** The public URL the provider posts to (Twilio signs it). */
  url?: string;
}

export interface VerifyInput {
  body: Uint8Array;
  headers: HeaderMap;
  /**
   * One or more secrets (rotation): any one verifying is enough. For an asymmetric scheme, public
   * keys or certificates as text (PEM, or the provider's own form: Discord's hex key), which the
   * CLI reads from `--public-key FILE`.
   */
  secrets: readonly string[];
  /**
   * Allowed clock skew for timestamped schemes, seconds (0: no age check). Undefined: the
   * tolerance the provider documents (`Scheme.toleranceSeconds`), else 5 minutes.
   */
  toleranceSeconds?: number;
  /** The clock, injectable for tests: Unix milliseconds. */
  nowMs: number;
  /** Public URL the request was sent to (Twilio). */
  url?: string;
  /** Overrides how the secret is turned into key bytes; used by the diagnosis only. */
  keyEncoding?: KeyEncoding;
}

export interface VerifyResult {
  verified: boolean;
  scheme: string;
  reason: ReasonCode | null;
  /** One human sentence: what was checked and what went wrong. */
  message: string;
  /** Signed timestamp minus now, seconds (timestamped schemes). */
  skewSeconds?: number;
  /** Which of the given secrets verified (rotation). */
  secretIndex?: number;
  /** On a mismatch: the likely cause, when one of the usual suspects reproduces the signature. */
  diagnosis?: string | null;
}

/** What a provider sends beside the signature for one event. */
export interface EventMeta {
  id: string;
  type?: string;
}

/**
 * One provider's signature scheme. Adding a provider is one file implementing this and one line
 * in the registry.
 */
export interface Scheme {
  readonly name: string;
  /** Provider name for people: "GitHub", "Standard Webhooks". */
  readonly title: string;
  readonly timestamped: boolean;
  /** The timestamp tolerance the provider documents, seconds, where it is not 5 minutes. */
  readonly toleranceSeconds?: number;
  /** Header names (lower case) that carry the signature; stripped before re-signing on replay. */
  readonly signatureHeaders: readonly string[];
  /** How this scheme turns a secret string into key bytes. */
  readonly keyEncoding: KeyEncoding;
  /** True when these headers carry this scheme's signature. */
  detect(headers: HeaderMap): boolean;
  sign(input: SignInput): OutgoingHeaders;
  /**
   * Schemes whose signature travels inside the body (Mailgun's `signature` object, an SNS
   * message): the body as the provider sends it, signed. `sign` is then called on that body.
   */
  signBody?(input: SignInput): Uint8Array;
  verify(input: VerifyInput): VerifyResult;
  /**
   * Public-key schemes: throws a BadSecretError when `text` (a --public-key file's text) cannot
   * verify for this scheme, e.g. a key of another kind, so a listener says so at start instead of
   * refusing every delivery.
   */
  checkVerifyingKey?(text: string): void;
  /** Headers the real provider sends beside the signature (event type, delivery id, user agent). */
  deliveryHeaders(event: EventMeta): OutgoingHeaders;
  /** The URL to post this body to, when the scheme signs the URL (Twilio adds `bodySHA256`). */
  targetUrl?(url: string, body: Uint8Array, headers?: HeaderMap): string;
  /** The provider's event id for idempotency, if this delivery carries one. */
  eventId(headers: HeaderMap, body: Uint8Array): string | undefined;
  /**
   * Whether the signature covers the id `eventId` reads from this delivery. Where it does not (a
   * delivery-id header beside a MAC of the body), one old valid delivery re-sent under a future id
   * would claim that id, so the listener dedupes such an id together with the signed content.
   */
  signsEventId(headers: HeaderMap, body: Uint8Array): boolean;
  /**
   * The signature without its label (`sha256=`) where every attempt of one delivery carries the
   * same one: a MAC over the body (Twilio: the URL and the form) and no timestamp. An unsigned id is
   * bound to it, which costs a header read where hashing the body would cost ~2 µs per KiB.
   * undefined where each attempt is signed anew (a signed timestamp): the body is hashed instead.
   */
  stableSignature(headers: HeaderMap): string | undefined;
  /** The provider's event type, if this delivery carries one. */
  eventType(headers: HeaderMap, body: Uint8Array): string | undefined;
  /** For the inspector: where this scheme keeps its signed parts (explain.ts); absent: the raw body under signatureHeaders[0]. */
  explainParts?(input: { headers: HeaderMap; body: Uint8Array; url?: string }): ExplainParts;
}

/**
 * What the inspector lays open of a signature (explain.ts), for schemes whose signed content is
 * not simply the raw body under their first signature header.
 */
export interface ExplainParts {
  /** The header carrying the signature, lower case ('' when it travels in the body). */
  header: string;
  /** The signed text around the body; null when the request lacks a part of it. */
  signed: { prefix: string; includesBody: boolean; suffix: string } | null;
  timestamp: number | null;
  /** The signatures the request carries, as sent. */
  received: string[];
  /** The id and timestamp to sign with, so `sign()` reproduces what the sender computed. */
  id?: string;
  signTimestamp?: number;
  /** Turns `sign()`'s header value into the received entries' form (`t=…,v1=…` → `v1=…`). */
  pick?(signed: string): string;
  /** The signature one secret computes, where `sign()` does not put it in a header (Mailgun). */
  compute?(secret: string): string;
  /**
   * Set when what a secret computes must not or cannot be shown: a public key verifies but cannot
   * sign, a static token is the secret itself. Each secret then only says whether it verifies.
   */
  verifyOnly?: string;
  note?: string;
}

/** Options for the configurable schemes. */
export interface SchemeOptions {
  /** github: also sign/accept the legacy `X-Hub-Signature: sha1=` header. */
  legacySha1?: boolean;
  /** hmac: the header carrying the signature. */
  signatureHeader?: string;
  /** hmac: digest algorithm. */
  algorithm?: 'sha1' | 'sha256' | 'sha512';
  /** hmac: signature encoding. */
  encoding?: 'hex' | 'base64';
  /** hmac: text before the signature, e.g. `sha256=`. */
  prefix?: string;
}
