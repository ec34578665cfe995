import { hmac, keyFromSecret, signatureHex } from '../crypto.js';
import { checkTimestamp, checkTolerance, clip, matchSecrets, mismatch, rejected, verified } from '../common.js';
import { hasHeader, header } from '../headers.js';
import { detectAlso, type ProviderMeta } from '../provider.js';
import type { Scheme } from '../types.js';

export interface TimestampedHeaderConfig extends ProviderMeta {
  /** The header as the provider spells it: `Mux-Signature`. */
  header: string;
  /** `t` (Stripe, Calendly, Mux) or `ts` (Paddle). */
  timestampKey: string;
  /** `v1` or `h1` (Paddle). */
  signatureKey: string;
  /** Between the pairs: `,` (Stripe-style) or `;` (Paddle). */
  pairSeparator: ',' | ';';
  /** Between the timestamp and the body in the signed content: `.` or `:` (Paddle). */
  joiner: '.' | ':';
  /** Whether a timestamp ahead of the clock is refused too (Stripe's library lets it pass). */
  rejectFuture: boolean;
}

/**
 * One header carrying a timestamp and one or more HMAC-SHA256 hex signatures over
 * `<timestamp><joiner><raw body>`: Stripe's `t=…,v1=…` (Calendly, Mux) and Paddle's `ts=…;h1=…`.
 * Several signatures are accepted (sent while a secret is rotated); other keys are ignored.
 */
export function timestampedHeader(config: TimestampedHeaderConfig): Scheme {
  const name = config.name;
  const lowerHeader = config.header.toLowerCase();
  const form = `${config.timestampKey}=<unix>${config.pairSeparator}${config.signatureKey}=<hex>`;
  const content = `HMAC-SHA256 of "<${config.timestampKey}>${config.joiner}<raw body>"`;
  return {
    name,
    title: config.title,
    timestamped: true,
    ...(config.toleranceSeconds !== undefined ? { toleranceSeconds: config.toleranceSeconds } : {}),
    signatureHeaders: [lowerHeader],
    keyEncoding: 'utf8',
    detect: (headers) => hasHeader(headers, lowerHeader) && detectAlso(config, headers),
    sign({ body, secret, timestamp }) {
      const signature = hmac('sha256', keyFromSecret(secret, 'utf8'), `${timestamp}${config.joiner}`, body).toString('hex');
      return { [config.header]: `${config.timestampKey}=${timestamp}${config.pairSeparator}${config.signatureKey}=${signature}` };
    },
    verify(input) {
      const value = header(input.headers, lowerHeader);
      if (value === undefined) return rejected(name, 'missing_signature', `no ${config.header} header`);
      const timestamps = new Set<string>();
      const signatures: Buffer[] = [];
      let malformed: string | undefined;
      for (const item of value.split(config.pairSeparator === ';' ? /[;,]/ : ',')) {
        const eq = item.indexOf('=');
        if (eq < 0) continue;
        const key = item.slice(0, eq).trim();
        const text = item.slice(eq + 1).trim();
        if (key === config.timestampKey) timestamps.add(text);
        else if (key === config.signatureKey) {
          const bytes = signatureHex(text);
          if (bytes && bytes.length === 32) signatures.push(bytes);
          else malformed ??= text;
        }
      }
      if (timestamps.size > 1) return rejected(name, 'malformed_signature_header', `the ${config.header} header carries ${timestamps.size} different ${config.timestampKey}= values (was it sent more than once?)`);
      const [timestampText] = timestamps;
      if (timestampText === undefined || signatures.length === 0) {
        const why = malformed !== undefined ? `${config.signatureKey} signature "${clip(malformed)}" is not 64 lower-case hex digits` : `expected "${form}", got "${clip(value)}"`;
        return rejected(name, 'malformed_signature_header', why);
      }
      const parsed = checkTimestamp(name, timestampText, `${config.timestampKey}= timestamp`);
      if ('verified' in parsed) return parsed;
      // The libraries (Stripe, Paddle, Mux) sign the timestamp as parseInt printed it back.
      const signedPrefix = `${parsed.canonical}${config.joiner}`;
      const match = matchSecrets(name, input, 'utf8', signatures, (key) => hmac('sha256', key, signedPrefix, input.body));
      if (typeof match !== 'number') return match;
      if (match < 0) return mismatch(name, input, signatures.length, content);
      const rule = { rejectFuture: config.rejectFuture, ...(config.toleranceSeconds !== undefined ? { defaultSeconds: config.toleranceSeconds } : {}) };
      return checkTolerance(name, parsed.timestamp, input, rule) ?? verified(name, match);
    },
    explainParts: ({ headers }) => {
      const items = (header(headers, lowerHeader) ?? '').split(config.pairSeparator === ';' ? /[;,]/ : ',').map((item) => item.trim());
      const text = items.find((item) => item.startsWith(`${config.timestampKey}=`))?.slice(config.timestampKey.length + 1);
      const timestamp = text !== undefined && /^\d{1,12}$/.test(text) ? Number(text) : null;
      const label = `${config.signatureKey}=`;
      return {
        header: lowerHeader,
        signed: timestamp === null ? null : { prefix: `${timestamp}${config.joiner}`, includesBody: true, suffix: '' },
        timestamp,
        received: items.filter((item) => item.startsWith(label)),
        ...(timestamp !== null ? { signTimestamp: timestamp } : {}),
        pick: (signed: string) => signed.split(config.pairSeparator).find((item) => item.startsWith(label)) ?? signed,
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
