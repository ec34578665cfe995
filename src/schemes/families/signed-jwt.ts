import { createHash, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { BadSecretError, safeEqual, utf8 } from '../crypto.js';
import { checkTolerance, clip, mismatch, rejected, verified } from '../common.js';
import { hasHeader, header } from '../headers.js';
import { privateKeyFromText, publicKeyFromText } from '../keys.js';
import { detectAlso, type ProviderMeta } from '../provider.js';
import type { OutgoingHeaders, Scheme, SignInput, VerifyInput, VerifyResult } from '../types.js';

export interface SignedJwtConfig extends ProviderMeta {
  /** The header carrying the token (`Plaid-Verification`, `Authorization`). */
  header: string;
  /** `Authorization: Bearer <jwt>` (Google Pub/Sub push). */
  bearer: boolean;
  alg: 'ES256' | 'RS256';
  /** A claim holding the SHA-256 hex of the body (Plaid's `request_body_sha256`); without it the body is not covered. */
  bodyHashClaim?: string;
  /** Issuers accepted (Google: https://accounts.google.com); any when absent. */
  issuers?: readonly string[];
  /** The `aud` claim must be the URL the request was sent to (Google Pub/Sub's default audience). */
  audienceIsUrl?: boolean;
  /** Claims to sign besides iat (and exp, the body hash, the audience). */
  claims(input: SignInput): Record<string, unknown>;
  /** How long a token lives when signing (exp = iat + this); verifying also honours exp when present. */
  lifetimeSeconds?: number;
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
const KEY_TYPE = { ES256: 'ec', RS256: 'rsa' } as const;
const EXP_SKEW_SECONDS = 300;
const sha256Hex = (body: Uint8Array) => createHash('sha256').update(body).digest('hex');

function parseSegment(text: string | undefined): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(text ?? '', 'base64url').toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Public keys in one secret: a PEM or JWK, or a JWKS (`{"keys": […]}`) of several. */
function keysOf(text: string, alg: SignedJwtConfig['alg']): KeyObject[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') && trimmed.includes('"keys"')) {
    let keys: unknown;
    try {
      keys = (JSON.parse(trimmed) as { keys?: unknown }).keys;
    } catch {
      throw new BadSecretError('the JWKS is not valid JSON');
    }
    if (!Array.isArray(keys) || keys.length === 0) throw new BadSecretError('the JWKS holds no keys');
    return keys.map((key) => publicKeyFromText(JSON.stringify(key), KEY_TYPE[alg]));
  }
  return [publicKeyFromText(text, KEY_TYPE[alg])];
}

/**
 * A JWT signed with the provider's private key, in a header: Plaid's `Plaid-Verification` (ES256,
 * the body's SHA-256 in a claim, iat within 5 minutes) and Google Pub/Sub push's `Authorization:
 * Bearer` OIDC token (RS256, issuer accounts.google.com, audience the push URL; it does not cover
 * the body). Verifying takes the provider's public key, certificate or JWK(S) with --public-key
 * (hookctl never fetches one); signing takes --private-key.
 */
export function signedJwt(config: SignedJwtConfig): Scheme {
  const name = config.name;
  const lowerHeader = config.header.toLowerCase();
  const dsaEncoding = config.alg === 'ES256' ? 'ieee-p1363' : undefined;

  function tokenOf(value: string | undefined): string | undefined {
    if (value === undefined) return undefined;
    if (!config.bearer) return value.trim();
    const match = /^Bearer\s+(\S+)$/i.exec(value.trim());
    return match?.[1];
  }

  function verify(input: VerifyInput): VerifyResult {
    const token = tokenOf(header(input.headers, lowerHeader));
    if (token === undefined) return rejected(name, 'missing_signature', `no ${config.header}${config.bearer ? ': Bearer <token>' : ''} header`);
    const parts = token.split('.');
    const head = parseSegment(parts[0]);
    const claims = parseSegment(parts[1]);
    const signature = parts[2] !== undefined && /^[A-Za-z0-9_-]+$/.test(parts[2]) ? Buffer.from(parts[2], 'base64url') : undefined;
    if (parts.length !== 3 || !head || !claims || !signature) return rejected(name, 'malformed_signature_header', `expected a JWT "<header>.<claims>.<signature>", got "${clip(token)}"`);
    // The algorithm is the provider's, never what the token asks for.
    if (head.alg !== config.alg) return rejected(name, 'malformed_signature_header', `the JWT algorithm is "${clip(String(head.alg))}", ${config.title} signs with ${config.alg}`);
    if (input.secrets.length === 0) return rejected(name, 'no_secret', 'no public key was given to verify with (--public-key: PEM, certificate, JWK or JWKS)');
    const signingInput = utf8(`${parts[0]}.${parts[1]}`);
    let usable = 0;
    let problem = '';
    let matched = -1;
    for (let index = 0; index < input.secrets.length && matched < 0; index++) {
      let keys: KeyObject[];
      try {
        keys = keysOf(input.secrets[index]!, config.alg);
      } catch (error) {
        if (!(error instanceof BadSecretError)) throw error;
        problem = error.message;
        continue;
      }
      usable++;
      for (const key of keys) {
        try {
          if (cryptoVerify('sha256', signingInput, dsaEncoding ? { key, dsaEncoding } : key, signature)) matched = index;
        } catch {
          // A key of the wrong shape for this signature simply does not match.
        }
      }
    }
    if (usable === 0) return rejected(name, 'bad_secret_format', problem);
    if (matched < 0) return mismatch(name, input, 1, `the ${config.alg} JWT signature`);
    if (config.issuers && !config.issuers.includes(String(claims.iss))) return rejected(name, 'signature_mismatch', `the JWT is validly signed but its issuer is "${clip(String(claims.iss))}", not ${config.issuers.join(' or ')}`, { secretIndex: matched });
    if (config.audienceIsUrl) {
      if (!input.url) return rejected(name, 'missing_url', `${config.title} tokens name the push URL as their audience: pass the public URL with --url`, { secretIndex: matched });
      if (claims.aud !== input.url) return rejected(name, 'signature_mismatch', `the JWT is validly signed for the audience "${clip(String(claims.aud), 120)}", not "${clip(input.url, 120)}" (pass the push endpoint's public URL with --url / --public-url)`, { secretIndex: matched });
    }
    if (config.bodyHashClaim) {
      const claimed = claims[config.bodyHashClaim];
      if (typeof claimed !== 'string' || !safeEqual(utf8(claimed), utf8(sha256Hex(input.body)))) {
        return rejected(name, 'signature_mismatch', `the JWT is validly signed, but its ${config.bodyHashClaim} is not the SHA-256 of this body: the body was changed after signing`);
      }
    }
    if (typeof claims.iat !== 'number') return rejected(name, 'missing_timestamp', 'the JWT has no numeric iat claim', { secretIndex: matched });
    const stale = checkTolerance(name, claims.iat, input, { rejectFuture: true, ...(config.toleranceSeconds !== undefined ? { defaultSeconds: config.toleranceSeconds } : {}) });
    if (stale) return stale;
    // Past exp by more than Google's library allows for clock skew (300 s) is expired.
    if (typeof claims.exp === 'number' && input.toleranceSeconds !== 0 && Math.floor(input.nowMs / 1000) > claims.exp + EXP_SKEW_SECONDS) {
      return rejected(name, 'timestamp_outside_tolerance', `the JWT expired ${Math.floor(input.nowMs / 1000) - claims.exp}s ago (exp)`, { skewSeconds: claims.exp - Math.floor(input.nowMs / 1000) });
    }
    return verified(name, matched);
  }

  return {
    name,
    title: config.title,
    timestamped: true,
    ...(config.toleranceSeconds !== undefined ? { toleranceSeconds: config.toleranceSeconds } : {}),
    signatureHeaders: [lowerHeader],
    keyEncoding: 'utf8',
    checkVerifyingKey: (text) => void keysOf(text, config.alg),
    detect: (headers) => hasHeader(headers, lowerHeader) && detectAlso(config, headers) && (!config.bearer || /^Bearer\s+ey/i.test(header(headers, lowerHeader) ?? '')),
    sign(input): OutgoingHeaders {
      const key = privateKeyFromText(input.secret, KEY_TYPE[config.alg]);
      const claims: Record<string, unknown> = {
        ...config.claims(input),
        iat: input.timestamp,
        ...(config.lifetimeSeconds ? { exp: input.timestamp + config.lifetimeSeconds } : {}),
        ...(config.audienceIsUrl && input.url ? { aud: input.url } : {}),
        ...(config.bodyHashClaim ? { [config.bodyHashClaim]: sha256Hex(input.body) } : {}),
      };
      const signingInput = `${b64url({ alg: config.alg, kid: 'hookctl-test-key', typ: 'JWT' })}.${b64url(claims)}`;
      const signature = cryptoSign('sha256', utf8(signingInput), dsaEncoding ? { key, dsaEncoding } : key).toString('base64url');
      const token = `${signingInput}.${signature}`;
      return { [config.header]: config.bearer ? `Bearer ${token}` : token };
    },
    verify,
    explainParts: ({ headers }) => {
      const token = tokenOf(header(headers, lowerHeader)) ?? '';
      const parts = token.split('.');
      return {
        header: lowerHeader,
        signed: parts.length === 3 ? { prefix: `${parts[0]}.${parts[1]}`, includesBody: false, suffix: '' } : null,
        timestamp: typeof parseSegment(parts[1])?.iat === 'number' ? (parseSegment(parts[1])!.iat as number) : null,
        received: parts.length === 3 ? [parts[2]!] : [],
        verifyOnly: 'a public key verifies the token; it cannot compute one',
      };
    },
    deliveryHeaders: (event) => config.deliveryHeaders(event),
    eventId: (headers, body) => config.eventId(headers, body),
    signsEventId: () => config.idSigned,
    stableSignature: () => undefined,
    eventType: (headers, body) => config.eventType(headers, body),
  };
}
