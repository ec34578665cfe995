/**
 * Lays a signature open for people (the inspector's verification panel): what exactly was signed,
 * the signatures the request carries and the one each configured secret computes. The computed
 * value comes from the scheme's own `sign()`, fed the id, timestamp and URL the request carries, so
 * no signing rule is written twice; this file only knows where each scheme keeps those parts and
 * what its signed text looks like around the body. Never returns a secret, only MACs.
 */
import { BadSecretError, safeEqual, utf8 } from './crypto.js';
import { header, headerValues } from './headers.js';
import { signedParams, twilioForm } from './twilio.js';
import type { HeaderMap, Scheme } from './types.js';

/** The signed text: `prefix`, then the raw body when `includesBody`, then `suffix`. */
export interface SignedContent {
  prefix: string;
  includesBody: boolean;
  suffix: string;
}

export interface ComputedSignature {
  secretIndex: number;
  /** In the header's own format (`sha256=…`, `v1=…`, `v1,…`); null when this secret cannot sign. */
  signature: string | null;
  /** It equals one of the received signatures. */
  matches: boolean;
  note?: string;
}

export interface SignatureExplanation {
  /** The header carrying the signature, lower case. */
  header: string;
  /** What the scheme signs for this request; null when the request lacks a part of it (no timestamp, no URL). */
  signed: SignedContent | null;
  /** The signed timestamp, Unix seconds (timestamped schemes). */
  timestamp: number | null;
  /** The signatures the request carries, one per entry, as sent. */
  received: string[];
  computed: ComputedSignature[];
  /** A caveat about the comparison (Twilio also accepts URL variants). */
  note?: string;
}

export interface ExplainInput {
  headers: HeaderMap;
  body: Uint8Array;
  secrets: readonly string[];
  /** The URL the request was sent to (Twilio signs it). */
  url?: string;
}

interface Parts {
  header: string;
  signed: SignedContent | null;
  timestamp: number | null;
  received: string[];
  /** The id and timestamp to sign with, so `sign()` reproduces what the sender computed. */
  id?: string;
  signTimestamp?: number;
  /** Turns `sign()`'s header value into the received entries' form (Stripe: `t=…,v1=…` -> `v1=…`). */
  pick(signed: string): string;
  compute?(secret: string): string;
  verifyOnly?: string;
  note?: string;
}

const same = (value: string) => value;
const bodyOnly: SignedContent = { prefix: '', includesBody: true, suffix: '' };

/** A Unix-seconds timestamp as the official libraries re-print it (parseInt, so `0123` is `123`). */
function unixSeconds(text: string | undefined): number | null {
  if (text === undefined || !/^\s*\d{1,12}\s*$/.test(text)) return null;
  return Number(text.trim());
}

function entries(value: string | undefined, separator: RegExp): string[] {
  return value === undefined ? [] : value.split(separator).map((part) => part.trim()).filter(Boolean);
}

function stripeParts(headers: HeaderMap): Parts {
  const items = entries(header(headers, 'stripe-signature'), /,/);
  const timestamp = unixSeconds(items.find((item) => item.startsWith('t='))?.slice(2));
  return {
    header: 'stripe-signature',
    signed: timestamp === null ? null : { prefix: `${timestamp}.`, includesBody: true, suffix: '' },
    timestamp,
    received: items.filter((item) => item.startsWith('v1=')),
    ...(timestamp !== null ? { signTimestamp: timestamp } : {}),
    pick: (signed) => signed.split(',').find((item) => item.startsWith('v1=')) ?? signed,
  };
}

function standardParts(headers: HeaderMap, prefix: 'webhook' | 'svix'): Parts {
  // Svix's library reads each svix- header and falls back to the webhook- one.
  const read = (which: string) => (prefix === 'svix' ? (header(headers, `svix-${which}`) ?? header(headers, `webhook-${which}`)) : header(headers, `webhook-${which}`));
  const id = read('id');
  const timestampText = read('timestamp');
  const timestamp = unixSeconds(timestampText);
  const signatureHeader = prefix === 'svix' && header(headers, 'svix-signature') !== undefined ? 'svix-signature' : 'webhook-signature';
  return {
    header: signatureHeader,
    signed: id === undefined || timestamp === null ? null : { prefix: `${id}.${timestamp}.`, includesBody: true, suffix: '' },
    timestamp,
    received: headerValues(headers, signatureHeader).flatMap((value) => entries(value, /\s+/)).map((entry) => entry.replace(/,$/, '')),
    ...(id !== undefined ? { id } : {}),
    ...(timestamp !== null ? { signTimestamp: timestamp } : {}),
    pick: same,
  };
}

function slackParts(headers: HeaderMap): Parts {
  const text = header(headers, 'x-slack-request-timestamp');
  const timestamp = unixSeconds(text);
  return {
    header: 'x-slack-signature',
    // Slack signs the timestamp header's text as sent.
    signed: timestamp === null ? null : { prefix: `v0:${text!.trim()}:`, includesBody: true, suffix: '' },
    timestamp,
    received: entries(header(headers, 'x-slack-signature'), /[\s,]+/),
    ...(timestamp !== null ? { signTimestamp: timestamp } : {}),
    pick: same,
  };
}

/** Twilio signs the URL, then each form parameter's name and values sorted (JSON bodies: the URL with bodySHA256). */
function twilioParts(headers: HeaderMap, body: Uint8Array, url: string | undefined): Parts {
  let signed: SignedContent | null = null;
  if (url !== undefined) {
    const form = /[?&]bodySHA256=/.test(url) ? undefined : twilioForm(body, headers);
    signed = { prefix: form ? url + signedParams(form).toString('utf8') : url, includesBody: false, suffix: '' };
  }
  return {
    header: 'x-twilio-signature',
    signed,
    timestamp: null,
    received: [header(headers, 'x-twilio-signature')?.trim()].filter((value): value is string => Boolean(value)),
    pick: same,
    note: 'Twilio also accepts the URL with and without its default port and re-encoded; the computed value is for the URL exactly as shown',
  };
}

function partsFor(scheme: Scheme, input: ExplainInput): Parts {
  const { headers } = input;
  // Providers that send Standard Webhooks under their own name (Clerk, OpenAI…) sign as it does.
  if (scheme.signatureHeaders[0] === 'webhook-signature') return standardParts(headers, 'webhook');
  if (scheme.signatureHeaders[0] === 'svix-signature') return standardParts(headers, 'svix');
  switch (scheme.name) {
    case 'stripe':
      return stripeParts(headers);
    case 'standard':
      return standardParts(headers, 'webhook');
    case 'svix':
      return standardParts(headers, 'svix');
    case 'slack':
      return slackParts(headers);
    case 'twilio':
      return twilioParts(headers, input.body, input.url);
    case 'github': {
      const name = header(headers, 'x-hub-signature-256') !== undefined ? 'x-hub-signature-256' : 'x-hub-signature';
      return { header: name, signed: bodyOnly, timestamp: null, received: entries(header(headers, name), /,\s*/), pick: same };
    }
    case 'shopify': {
      const name = header(headers, 'shopify-hmac-sha256') !== undefined ? 'shopify-hmac-sha256' : 'x-shopify-hmac-sha256';
      return { header: name, signed: bodyOnly, timestamp: null, received: entries(header(headers, name), /,\s*/), pick: same };
    }
    default: {
      if (scheme.explainParts) {
        const parts = scheme.explainParts({ headers, body: input.body, ...(input.url !== undefined ? { url: input.url } : {}) });
        return { ...parts, pick: parts.pick ?? same };
      }
      // The generic scheme, and any scheme that signs the raw body under its first signature header.
      const name = scheme.signatureHeaders[0] ?? 'x-signature';
      return { header: name, signed: bodyOnly, timestamp: null, received: entries(header(headers, name), /,\s*/), pick: same };
    }
  }
}

/** The value `sign()` put in `name` (its output is in the provider's capitalisation). */
function signedHeader(output: Record<string, string>, name: string): string | undefined {
  for (const [key, value] of Object.entries(output)) if (key.toLowerCase() === name) return value;
  return undefined;
}

/**
 * What was signed, what arrived and what each secret computes. A secret that cannot sign (an
 * Ed25519 public key, a secret in the wrong format) gets a null signature and a note.
 */
export function explainSignature(scheme: Scheme, input: ExplainInput): SignatureExplanation {
  const parts = partsFor(scheme, input);
  const receivedBytes = parts.received.map(utf8);
  const computed: ComputedSignature[] = input.secrets.map((secret, secretIndex) => {
    if (parts.signed === null) return { secretIndex, signature: null, matches: false, note: 'the request lacks part of the signed content' };
    if (parts.verifyOnly !== undefined) {
      // A public key or a static token: whether it verifies (age aside), never what it computes.
      const result = scheme.verify({ body: input.body, headers: input.headers, secrets: [secret], toleranceSeconds: 0, nowMs: 0, ...(input.url !== undefined ? { url: input.url } : {}) });
      return { secretIndex, signature: null, matches: result.verified, note: parts.verifyOnly };
    }
    try {
      if (parts.compute) {
        const signature = parts.compute(secret);
        return { secretIndex, signature, matches: receivedBytes.some((candidate) => safeEqual(utf8(signature), candidate)) };
      }
      const output = scheme.sign({
        body: input.body,
        secret,
        timestamp: parts.signTimestamp ?? 0,
        id: parts.id ?? '',
        ...(input.url !== undefined ? { url: input.url } : {}),
      });
      const value = signedHeader(output, parts.header) ?? signedHeader(output, scheme.signatureHeaders[0] ?? '');
      if (value === undefined) return { secretIndex, signature: null, matches: false, note: `this scheme's signer does not produce ${parts.header}` };
      const signature = parts.pick(value);
      const mine = utf8(signature);
      let matches = false;
      for (const candidate of receivedBytes) matches = safeEqual(mine, candidate) || matches;
      return { secretIndex, signature, matches };
    } catch (error) {
      // A BadSecretError names what is wrong with the secret's format, never the secret itself.
      const note = error instanceof BadSecretError ? error.message : 'this secret cannot sign for this scheme';
      return { secretIndex, signature: null, matches: false, note };
    }
  });
  return {
    header: parts.header,
    signed: parts.signed,
    timestamp: parts.timestamp,
    received: parts.received,
    computed,
    ...(parts.note ? { note: parts.note } : {}),
  };
}
