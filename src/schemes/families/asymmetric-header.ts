import { sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { BadSecretError, signatureBase64, signatureHex, utf8 } from '../crypto.js';
import { checkTimestamp, checkTolerance, clip, mismatch, rejected, splitList, verified } from '../common.js';
import { hasHeader, header } from '../headers.js';
import { privateKeyFromText, publicKeyFromText, type KeyType } from '../keys.js';
import { detectAlso, type ProviderMeta } from '../provider.js';
import type { OutgoingHeaders, Scheme, VerifyResult } from '../types.js';

export interface AsymmetricHeaderConfig extends ProviderMeta {
  /** Ed25519 (Discord, Telnyx) or ECDSA P-256 with SHA-256, DER-encoded (SendGrid). */
  keyType: Extract<KeyType, 'ed25519' | 'ec'>;
  header: string;
  timestampHeader: string;
  encoding: 'hex' | 'base64';
  /** Between the timestamp and the body in the signed content: nothing, or `|` (Telnyx). */
  separator: '' | '|';
  rejectFuture: boolean;
}

/**
 * A public-key signature over `<timestamp><separator><raw body>` in one header and the timestamp
 * in another: Discord and Telnyx (Ed25519), SendGrid (ECDSA P-256). Sending signs with
 * `--private-key`; verifying takes the provider's public key (`--public-key`), as PEM or as the
 * provider shows it.
 */
export function asymmetricHeader(config: AsymmetricHeaderConfig): Scheme {
  const name = config.name;
  const lowerHeader = config.header.toLowerCase();
  const lowerTimestamp = config.timestampHeader.toLowerCase();
  const algorithm = config.keyType === 'ec' ? 'sha256' : null;
  const what = `${config.keyType === 'ec' ? 'ECDSA P-256/SHA-256' : 'Ed25519'} over "<timestamp>${config.separator}<raw body>"`;

  function verify(input: Parameters<Scheme['verify']>[0]): VerifyResult {
    const value = header(input.headers, lowerHeader);
    if (value === undefined) return rejected(name, 'missing_signature', `no ${config.header} header`);
    const parsed = checkTimestamp(name, header(input.headers, lowerTimestamp), config.timestampHeader);
    if ('verified' in parsed) return parsed;
    const signatures: Buffer[] = [];
    for (const part of splitList(value, /,\s*/)) {
      const bytes = config.encoding === 'hex' ? signatureHex(part) : signatureBase64(part);
      // Ed25519 signatures are 64 bytes; a DER ECDSA P-256 signature is 8 to 72.
      if (!bytes || (config.keyType === 'ed25519' ? bytes.length !== 64 : bytes.length < 8 || bytes.length > 72)) {
        return rejected(name, 'malformed_signature_header', `expected ${config.keyType === 'ed25519' ? `the ${config.encoding} of a 64-byte Ed25519 signature` : 'the base64 of a DER ECDSA signature'}, got "${clip(part)}"`);
      }
      signatures.push(bytes);
    }
    if (input.secrets.length === 0) return rejected(name, 'no_secret', `no public key was given to verify with (--public-key)`);
    const content = Buffer.concat([utf8(`${parsed.text}${config.separator}`), input.body]);
    let usable = 0;
    let problem = '';
    let matched = -1;
    for (let index = 0; index < input.secrets.length && matched < 0; index++) {
      let key: KeyObject;
      try {
        key = publicKeyFromText(input.secrets[index]!, config.keyType);
      } catch (error) {
        if (!(error instanceof BadSecretError)) throw error;
        problem = error.message;
        continue;
      }
      usable++;
      for (const signature of signatures) {
        let ok = false;
        try {
          ok = cryptoVerify(algorithm, content, key, signature);
        } catch {
          ok = false;
        }
        if (ok) matched = index;
      }
    }
    if (usable === 0) return rejected(name, 'bad_secret_format', problem);
    if (matched < 0) return mismatch(name, input, signatures.length, what);
    const rule = { rejectFuture: config.rejectFuture, ...(config.toleranceSeconds !== undefined ? { defaultSeconds: config.toleranceSeconds } : {}) };
    return checkTolerance(name, parsed.timestamp, input, rule) ?? verified(name, matched);
  }

  return {
    name,
    title: config.title,
    timestamped: true,
    ...(config.toleranceSeconds !== undefined ? { toleranceSeconds: config.toleranceSeconds } : {}),
    signatureHeaders: [lowerHeader, lowerTimestamp],
    keyEncoding: 'utf8',
    detect: (headers) => hasHeader(headers, lowerHeader) && detectAlso(config, headers),
    sign({ body, secret, timestamp }): OutgoingHeaders {
      const key = privateKeyFromText(secret, config.keyType);
      const signature = cryptoSign(algorithm, Buffer.concat([utf8(`${timestamp}${config.separator}`), body]), key);
      return { [config.timestampHeader]: String(timestamp), [config.header]: signature.toString(config.encoding) };
    },
    verify,
    checkVerifyingKey: (text) => void publicKeyFromText(text, config.keyType),
    explainParts: ({ headers }) => {
      const text = header(headers, lowerTimestamp);
      const timestamp = text !== undefined && /^\d{1,12}$/.test(text.trim()) ? Number(text.trim()) : null;
      return {
        header: lowerHeader,
        signed: text === undefined ? null : { prefix: `${text.trim()}${config.separator}`, includesBody: true, suffix: '' },
        timestamp,
        received: splitList(header(headers, lowerHeader) ?? '', /,\s*/),
        verifyOnly: 'a public key verifies the signature; it cannot compute one',
      };
    },
    deliveryHeaders: (event) => config.deliveryHeaders(event),
    eventId: (headers, body) => config.eventId(headers, body),
    signsEventId: () => config.idSigned,
    stableSignature: () => undefined,
    eventType: (headers, body) => config.eventType(headers, body),
  };
}
