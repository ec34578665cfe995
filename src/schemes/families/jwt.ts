import { createHash } from 'node:crypto';
import { hmac, keyFromSecret, safeEqual } from '../crypto.js';
import { clip, matchSecrets, mismatch, rejected, verified } from '../common.js';
import { hasHeader, header } from '../headers.js';
import { detectAlso, type ProviderMeta } from '../provider.js';
import type { Scheme } from '../types.js';

export interface JwsConfig extends ProviderMeta {
  header: string;
  /** The `iss` claim the provider writes (`netlify`). */
  issuer: string;
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

/**
 * A JWS (HS256) in a header whose claims carry the issuer and the SHA-256 of the body: Netlify's
 * `X-Webhook-Signature` (`{"iss":"netlify","sha256":"<hex>"}`), signed with the webhook's JWS secret.
 */
export function jwsBodyHash(config: JwsConfig): Scheme {
  const name = config.name;
  const lowerHeader = config.header.toLowerCase();
  return {
    name,
    title: config.title,
    timestamped: false,
    signatureHeaders: [lowerHeader],
    keyEncoding: 'utf8',
    detect: (headers) => hasHeader(headers, lowerHeader) && detectAlso(config, headers),
    sign({ body, secret }) {
      const signingInput = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ iss: config.issuer, sha256: createHash('sha256').update(body).digest('hex') })}`;
      return { [config.header]: `${signingInput}.${hmac('sha256', keyFromSecret(secret, 'utf8'), signingInput).toString('base64url')}` };
    },
    verify(input) {
      const token = header(input.headers, lowerHeader);
      if (token === undefined) return rejected(name, 'missing_signature', `no ${config.header} header`);
      const parts = token.split('.');
      const parse = (text: string | undefined): Record<string, unknown> | undefined => {
        try {
          const value: unknown = JSON.parse(Buffer.from(text ?? '', 'base64url').toString('utf8'));
          return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
        } catch {
          return undefined;
        }
      };
      const head = parse(parts[0]);
      const claims = parse(parts[1]);
      const signature = parts[2] !== undefined && /^[A-Za-z0-9_-]{43}$/.test(parts[2]) ? Buffer.from(parts[2], 'base64url') : undefined;
      if (parts.length !== 3 || !head || !claims || !signature) return rejected(name, 'malformed_signature_header', `expected a JWS "<header>.<claims>.<signature>", got "${clip(token)}"`);
      if (head.alg !== 'HS256') return rejected(name, 'malformed_signature_header', `the JWS algorithm is "${clip(String(head.alg))}", expected HS256`);
      const signingInput = `${parts[0]}.${parts[1]}`;
      const match = matchSecrets(name, input, 'utf8', [signature], (key) => hmac('sha256', key, signingInput));
      if (typeof match !== 'number') return match;
      if (match < 0) return mismatch(name, input, 1, 'the JWS HS256 signature');
      if (claims.iss !== config.issuer) return rejected(name, 'signature_mismatch', `the JWS is valid but its issuer is "${clip(String(claims.iss))}", not "${config.issuer}"`);
      const digest = createHash('sha256').update(input.body).digest('hex');
      if (typeof claims.sha256 !== 'string' || !safeEqual(Buffer.from(claims.sha256), Buffer.from(digest))) {
        return rejected(name, 'signature_mismatch', 'the JWS is valid, but its sha256 claim is not the SHA-256 of this body: the body was changed after signing');
      }
      return verified(name, match);
    },
    explainParts: ({ headers }) => {
      const parts = (header(headers, lowerHeader) ?? '').split('.');
      return {
        header: lowerHeader,
        signed: parts.length === 3 ? { prefix: `${parts[0]}.${parts[1]}`, includesBody: false, suffix: '' } : null,
        timestamp: null,
        received: parts.length === 3 ? [parts[2]!] : [],
        compute: (secret: string) => hmac('sha256', keyFromSecret(secret, 'utf8'), `${parts[0]}.${parts[1]}`).toString('base64url'),
        note: 'the JWS claims carry the SHA-256 of the body, checked after the signature',
      };
    },
    deliveryHeaders: (event) => config.deliveryHeaders(event),
    eventId: (headers, body) => config.eventId(headers, body),
    signsEventId: () => config.idSigned,
    stableSignature: (headers) => header(headers, lowerHeader)?.split('.')[2],
    eventType: (headers, body) => config.eventType(headers, body),
  };
}
