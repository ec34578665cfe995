import { hmac, keyFromSecret } from '../crypto.js';
import { checkTolerance, clip, matchSecrets, mismatch, rejected, splitList, verified } from '../common.js';
import { hasHeader, header, headerValues } from '../headers.js';
import { detectAlso, type ProviderMeta } from '../provider.js';
import type { OutgoingHeaders, Scheme, VerifyResult } from '../types.js';
import { readSignatures } from './signatures.js';

/** How a provider writes its timestamp header: Unix seconds, Unix milliseconds, or RFC 3339. */
export type TimestampFormat = 'unix' | 'unix-ms' | 'rfc3339';

export interface SignedParts {
  /** The timestamp header's text, exactly as sent (it is signed as is). */
  timestamp: string;
  /** The message id header's text (Twitch signs it). */
  id: string;
  body: Uint8Array;
  /** The URL the request was sent to (HubSpot v3 signs it). */
  url: string;
  method: string;
}

export interface PrefixedHmacConfig extends ProviderMeta {
  header: string;
  timestampHeader: string;
  timestampFormat: TimestampFormat;
  /** A signed message-id header (Twitch), filled from the event id when signing. */
  idHeader?: string;
  encoding: 'hex' | 'base64';
  /** Text before the signature: `v0=`, `sha256=`. */
  prefix: string;
  /** The signed content, in order. */
  content(parts: SignedParts): Array<string | Uint8Array>;
  /** The signed content in words, for messages: `"v0:<timestamp>:<raw body>"`. */
  contentText: string;
  /** Whether the URL is part of the content (then verifying needs it). */
  signsUrl?: boolean;
  rejectFuture: boolean;
}

export function formatTimestamp(seconds: number, format: TimestampFormat): string {
  if (format === 'unix') return String(seconds);
  if (format === 'unix-ms') return String(seconds * 1000);
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

/** Unix seconds from the header text, or undefined when it is not in the provider's format. */
export function parseTimestamp(text: string, format: TimestampFormat): number | undefined {
  if (format === 'unix') return /^\d{1,12}$/.test(text) ? Number(text) : undefined;
  if (format === 'unix-ms') return /^\d{1,15}$/.test(text) ? Math.floor(Number(text) / 1000) : undefined;
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

const FORMAT_WORDS: Record<TimestampFormat, string> = { unix: 'a Unix time in seconds', 'unix-ms': 'a Unix time in milliseconds', rfc3339: 'an RFC 3339 time' };

/**
 * A timestamp header beside a signature header, with the timestamp (and sometimes a message id,
 * the method and URL) signed before the body: Slack's shape in its many variants — Zoom
 * `v0:<ts>:<body>`, Twitch `<id><ts><body>`, HubSpot v3 `<method><url><body><ts>`, Zendesk
 * `<ts><body>`. The timestamp is signed as the header text.
 */
export function prefixedHmac(config: PrefixedHmacConfig): Scheme {
  const name = config.name;
  const lowerHeader = config.header.toLowerCase();
  const lowerTimestamp = config.timestampHeader.toLowerCase();
  const lowerId = config.idHeader?.toLowerCase();

  function verify(input: Parameters<Scheme['verify']>[0]): VerifyResult {
    const value = header(input.headers, lowerHeader);
    if (value === undefined) return rejected(name, 'missing_signature', `no ${config.header} header`);
    const timestamps = headerValues(input.headers, lowerTimestamp);
    if (timestamps.length === 0 || timestamps[0] === '') return rejected(name, 'missing_timestamp', `the request has no ${config.timestampHeader} header`);
    if (new Set(timestamps).size > 1) return rejected(name, 'malformed_timestamp', `${timestamps.length} different ${config.timestampHeader} headers: the timestamp is signed, so it must be sent once`);
    const text = timestamps[0]!;
    const seconds = parseTimestamp(text, config.timestampFormat);
    if (seconds === undefined) return rejected(name, 'malformed_timestamp', `the ${config.timestampHeader} "${clip(text)}" is not ${FORMAT_WORDS[config.timestampFormat]}`);
    const id = lowerId ? header(input.headers, lowerId) : '';
    if (id === undefined) return rejected(name, 'missing_header', `no ${config.idHeader} header (it is part of the signed content)`);
    if (config.signsUrl && !input.url) return rejected(name, 'missing_url', `${config.title} signs the URL the request was sent to: pass the public URL with --url`);
    const signatures = readSignatures(name, value, { prefix: config.prefix, encoding: config.encoding, bytes: 32, what: `HMAC-SHA256 of ${config.contentText}` });
    if (!Array.isArray(signatures)) return signatures;
    const content = config.content({ timestamp: text, id, body: input.body, url: input.url ?? '', method: 'POST' });
    const match = matchSecrets(name, input, 'utf8', signatures, (key) => hmac('sha256', key, ...content));
    if (typeof match !== 'number') return match;
    if (match < 0) return mismatch(name, input, signatures.length, `HMAC-SHA256 of ${config.contentText}`);
    const rule = { rejectFuture: config.rejectFuture, ...(config.toleranceSeconds !== undefined ? { defaultSeconds: config.toleranceSeconds } : {}) };
    return checkTolerance(name, seconds, input, rule) ?? verified(name, match);
  }

  return {
    name,
    title: config.title,
    timestamped: true,
    ...(config.toleranceSeconds !== undefined ? { toleranceSeconds: config.toleranceSeconds } : {}),
    signatureHeaders: [lowerHeader, lowerTimestamp, ...(lowerId ? [lowerId] : [])],
    keyEncoding: 'utf8',
    detect: (headers) => hasHeader(headers, lowerHeader) && detectAlso(config, headers),
    sign({ body, secret, timestamp, id, url }): OutgoingHeaders {
      if (config.signsUrl && !url) throw new TypeError(`${name} signs the URL: pass the URL the request is sent to`);
      const text = formatTimestamp(timestamp, config.timestampFormat);
      const content = config.content({ timestamp: text, id, body, url: url ?? '', method: 'POST' });
      const signature = hmac('sha256', keyFromSecret(secret, 'utf8'), ...content).toString(config.encoding);
      return {
        ...(config.idHeader ? { [config.idHeader]: id } : {}),
        [config.timestampHeader]: text,
        [config.header]: `${config.prefix}${signature}`,
      };
    },
    // The URL is signed as given (no query added, unlike Twilio's); having targetUrl marks a scheme
    // that signs the URL, so a forward to another URL is re-signed with the verified secret.
    ...(config.signsUrl ? { targetUrl: (url: string) => url } : {}),
    verify,
    explainParts: ({ headers, url }) => {
      const text = header(headers, lowerTimestamp);
      const seconds = text === undefined ? undefined : parseTimestamp(text, config.timestampFormat);
      const id = lowerId ? header(headers, lowerId) : '';
      const missing = seconds === undefined || id === undefined || (config.signsUrl && url === undefined);
      let signed: { prefix: string; includesBody: boolean; suffix: string } | null = null;
      if (!missing) {
        // The content around the body, in words: the parts before it and after it.
        const marker = new Uint8Array(0);
        const parts = config.content({ timestamp: text!, id: id!, body: marker, url: url ?? '', method: 'POST' });
        const at = parts.indexOf(marker);
        const join = (list: Array<string | Uint8Array>) => list.map((part) => (typeof part === 'string' ? part : '')).join('');
        signed = { prefix: join(parts.slice(0, at)), includesBody: true, suffix: join(parts.slice(at + 1)) };
      }
      return {
        header: lowerHeader,
        signed,
        timestamp: seconds ?? null,
        received: splitList(header(headers, lowerHeader) ?? '', /[\s,]+/),
        ...(id ? { id } : {}),
        ...(seconds !== undefined ? { signTimestamp: seconds } : {}),
        ...(config.timestampFormat !== 'unix' ? { note: `${config.title} signs its timestamp header's text as sent; the computed value is for a timestamp re-printed from it` } : {}),
      };
    },
    deliveryHeaders: (event) => config.deliveryHeaders(event),
    eventId: (headers, body) => config.eventId(headers, body),
    signsEventId: () => config.idSigned,
    // Every attempt is signed anew with its own timestamp.
    stableSignature: () => undefined,
    eventType: (headers, body) => config.eventType(headers, body),
  };
}
