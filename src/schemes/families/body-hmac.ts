import { hmac, keyFromSecret, type Digest } from '../crypto.js';
import { checkTolerance, jsonField, matchSecrets, mismatch, rejected, splitList, verified } from '../common.js';
import { hasHeader, header } from '../headers.js';
import { detectAlso, type ProviderMeta } from '../provider.js';
import type { Scheme, SignInput, VerifyResult } from '../types.js';
import { DIGEST_BYTES, readSignatures } from './signatures.js';

export interface BodyHmacConfig extends ProviderMeta {
  /** The signature header as the provider spells it. */
  header: string;
  algorithm: Digest;
  encoding: 'hex' | 'base64';
  /** Text before the signature: `sha256=`. */
  prefix?: string;
  /** URL-in-signature (Square): the notification URL is signed, then the body. */
  signsUrl?: boolean;
  /**
   * A timestamp inside the signed JSON body (Linear's `webhookTimestamp`), checked against the
   * tolerance once the MAC matched.
   */
  bodyTimestamp?: { path: string; unit: 'ms' | 's' };
  /** Headers the provider's own library refuses to go without, even beside a valid MAC. */
  requiredHeaders?: readonly string[];
}

/**
 * An HMAC of the raw body (or of the URL and the body) in one header: GitHub-style
 * `X-Hub-Signature[-256]`, Shopify-style base64, Square's URL-in-signature, Linear's. The secret
 * is the key as UTF-8, as every one of these providers uses it.
 */
export function bodyHmac(config: BodyHmacConfig): Scheme {
  const name = config.name;
  const lowerHeader = config.header.toLowerCase();
  const prefix = config.prefix ?? '';
  const algorithm = config.algorithm;
  const what = `${config.signsUrl ? 'notification URL + raw body' : 'raw body'}, HMAC-${algorithm.toUpperCase()}`;
  const parts = (body: Uint8Array, url: string | undefined): Array<Uint8Array | string> => (config.signsUrl ? [url ?? '', body] : [body]);

  function verify(input: Parameters<Scheme['verify']>[0]): VerifyResult {
    const value = header(input.headers, lowerHeader);
    if (value === undefined) return rejected(name, 'missing_signature', `no ${config.header} header`);
    if (config.signsUrl && !input.url) return rejected(name, 'missing_url', `${config.title} signs the notification URL configured for the webhook: pass it with --url`);
    const signatures = readSignatures(name, value, { prefix, encoding: config.encoding, bytes: DIGEST_BYTES[algorithm], what });
    if (!Array.isArray(signatures)) return signatures;
    const signed = parts(input.body, input.url);
    const match = matchSecrets(name, input, 'utf8', signatures, (key) => hmac(algorithm, key, ...signed));
    if (typeof match !== 'number') return match;
    if (match < 0) return mismatch(name, input, signatures.length, `HMAC-${algorithm.toUpperCase()} of the ${config.signsUrl ? 'notification URL followed by the raw body' : 'raw body'}`);
    if (config.bodyTimestamp) {
      const text = jsonField(input.body, config.bodyTimestamp.path);
      if (text === undefined || !/^\d{1,15}$/.test(text)) {
        return rejected(name, 'missing_timestamp', `the signature is valid but the body has no numeric "${config.bodyTimestamp.path}" to judge its age by`, { secretIndex: match });
      }
      const seconds = config.bodyTimestamp.unit === 'ms' ? Math.floor(Number(text) / 1000) : Number(text);
      const stale = checkTolerance(name, seconds, input, { rejectFuture: true, ...(config.toleranceSeconds !== undefined ? { defaultSeconds: config.toleranceSeconds } : {}) });
      if (stale) return stale;
    }
    const missing = (config.requiredHeaders ?? []).filter((required) => !hasHeader(input.headers, required));
    if (missing.length > 0) {
      return rejected(name, 'missing_header', `the HMAC is valid, but ${config.title}'s library also requires ${missing.join(', ')}; a real ${config.title} delivery carries them`, { secretIndex: match });
    }
    return verified(name, match);
  }

  return {
    name,
    title: config.title,
    timestamped: config.bodyTimestamp !== undefined,
    signatureHeaders: [lowerHeader],
    keyEncoding: 'utf8',
    ...(config.toleranceSeconds !== undefined ? { toleranceSeconds: config.toleranceSeconds } : {}),
    detect: (headers) => hasHeader(headers, lowerHeader) && detectAlso(config, headers),
    sign({ body, secret, url }) {
      if (config.signsUrl && !url) throw new TypeError(`${name} signs the notification URL: pass the URL the request is sent to`);
      return { [config.header]: prefix + hmac(algorithm, keyFromSecret(secret, 'utf8'), ...parts(body, url)).toString(config.encoding) };
    },
    // The URL is signed as given (no query added, unlike Twilio's); having targetUrl marks a scheme
    // that signs the URL, so a forward to another URL is re-signed with the verified secret.
    ...(config.signsUrl ? { targetUrl: (url: string) => url } : {}),
    verify,
    ...(config.bodyTimestamp ? { signBody: ({ body, timestamp }: SignInput) => withBodyTimestamp(body, config.bodyTimestamp!, timestamp) } : {}),
    explainParts: ({ headers, url }) => ({
      header: lowerHeader,
      signed: config.signsUrl ? (url === undefined ? null : { prefix: url, includesBody: true, suffix: '' }) : { prefix: '', includesBody: true, suffix: '' },
      timestamp: null,
      received: splitList(header(headers, lowerHeader) ?? '', /,\s*/),
    }),
    deliveryHeaders: (event) => config.deliveryHeaders(event),
    eventId: (headers, body) => config.eventId(headers, body),
    signsEventId: () => config.idSigned,
    // A MAC of the body (and URL) with no timestamp beside it: every attempt carries the same one.
    stableSignature: (headers) => {
      if (config.bodyTimestamp) return undefined;
      const value = header(headers, lowerHeader);
      return value !== undefined && value.startsWith(prefix) ? value.slice(prefix.length) : value;
    },
    eventType: (headers, body) => config.eventType(headers, body),
  };
}

/**
 * The body with its signed timestamp set to the signing time (Linear's `webhookTimestamp`), so a
 * stored sample is fresh when sent. Only the number changes, byte for byte; a JSON object without
 * the field gets it added at its end. Other bodies are sent as they are.
 */
function withBodyTimestamp(body: Uint8Array, field: { path: string; unit: 'ms' | 's' }, seconds: number): Uint8Array {
  const value = field.unit === 'ms' ? seconds * 1000 : seconds;
  const text = Buffer.from(body).toString('utf8');
  const pattern = new RegExp(`("${field.path}"\\s*:\\s*)\\d+`);
  if (pattern.test(text)) return Buffer.from(text.replace(pattern, `$1${value}`), 'utf8');
  const end = text.lastIndexOf('}');
  if (!/^\s*\{/.test(text) || end < 0) return body;
  const empty = /^\s*\{\s*$/.test(text.slice(0, end));
  return Buffer.from(`${text.slice(0, end)}${empty ? '' : ','}"${field.path}":${value}${text.slice(end)}`, 'utf8');
}
