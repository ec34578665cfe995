import { signatureHex, hmac, keyFromSecret } from './crypto.js';
import { clip, matchSecrets, mismatch, rejected, splitList, verified } from './common.js';
import { header, hasHeader, headerId } from './headers.js';
import type { Scheme, SchemeOptions } from './types.js';

const SHA256_HEADER = 'x-hub-signature-256';
const SHA1_HEADER = 'x-hub-signature';

const LEADING_ACTION = /^\s*\{\s*"action"\s*:\s*"([A-Za-z0-9_.-]{1,64})"/;

/**
 * The `action` of a GitHub payload ("opened" in pull_request.opened). GitHub writes it as the first
 * key, so the head of the body is enough: parsing a whole push payload (often hundreds of KB, and
 * without an action) on every delivery only to find none was a tenth of the listener's capture cost.
 */
function leadingAction(body: Uint8Array): string | undefined {
  const head = Buffer.from(body.buffer, body.byteOffset, Math.min(body.byteLength, 160)).toString('latin1');
  return LEADING_ACTION.exec(head)?.[1];
}

function unlabelled(value: string, label: string): string {
  return value.startsWith(label) ? value.slice(label.length) : value;
}

/**
 * GitHub: `X-Hub-Signature-256: sha256=<hex>`, HMAC-SHA256 of the raw body, secret as UTF-8.
 * The legacy `X-Hub-Signature: sha1=<hex>` is signed and accepted only when asked for.
 */
export function github(options: SchemeOptions = {}): Scheme {
  const legacySha1 = options.legacySha1 ?? false;
  return {
    name: 'github',
    title: 'GitHub',
    timestamped: false,
    signatureHeaders: [SHA256_HEADER, SHA1_HEADER],
    keyEncoding: 'utf8',
    detect: (headers) => hasHeader(headers, SHA256_HEADER) || hasHeader(headers, SHA1_HEADER),
    sign({ body, secret }) {
      const key = keyFromSecret(secret, 'utf8');
      const headers: Record<string, string> = {
        'X-Hub-Signature-256': `sha256=${hmac('sha256', key, body).toString('hex')}`,
      };
      if (legacySha1) headers['X-Hub-Signature'] = `sha1=${hmac('sha1', key, body).toString('hex')}`;
      return headers;
    },
    verify(input) {
      const sha256 = header(input.headers, SHA256_HEADER);
      const sha1 = legacySha1 ? header(input.headers, SHA1_HEADER) : undefined;
      const [value, algorithm] = sha256 !== undefined ? [sha256, 'sha256' as const] : [sha1, 'sha1' as const];
      if (value === undefined) {
        const legacyOnly = !legacySha1 && hasHeader(input.headers, SHA1_HEADER);
        return rejected(
          'github',
          'missing_signature',
          !legacyOnly
            ? 'no X-Hub-Signature-256 header'
            : // GitHub always sends X-GitHub-Event; without it, this is most likely Intercom's signature.
              hasHeader(input.headers, 'x-github-event')
              ? 'only the legacy X-Hub-Signature (sha1) header is present; pass --legacy-sha1 to accept it'
              : 'only an X-Hub-Signature (sha1) header and no X-GitHub-Event: Intercom signs this way (--scheme intercom); GitHub\'s legacy signature takes --legacy-sha1',
        );
      }
      const digestLength = algorithm === 'sha256' ? 32 : 20;
      const signatures: Buffer[] = [];
      const label = `${algorithm}=`;
      for (const part of splitList(value, /,\s*/)) {
        const bytes = part.startsWith(label) ? signatureHex(part.slice(label.length)) : undefined;
        if (!bytes || bytes.length !== digestLength) {
          return rejected('github', 'malformed_signature_header', `expected "${algorithm}=<${digestLength * 2} lower-case hex digits>", got "${clip(part)}"`);
        }
        signatures.push(bytes);
      }
      const match = matchSecrets('github', input, 'utf8', signatures, (key) => hmac(algorithm, key, input.body));
      if (typeof match !== 'number') return match;
      if (match < 0) return mismatch('github', input, signatures.length, `HMAC-${algorithm.toUpperCase()} of the raw body`);
      return verified('github', match, `${algorithm} signature verified`);
    },
    deliveryHeaders: ({ id, type }) => ({
      'Content-Type': 'application/json',
      'User-Agent': 'GitHub-Hookshot/hookctl',
      'X-GitHub-Event': type ?? 'ping',
      'X-GitHub-Delivery': id,
      'X-GitHub-Hook-ID': '123456789',
      'X-GitHub-Hook-Installation-Target-Type': 'repository',
      'X-GitHub-Hook-Installation-Target-ID': '987654321',
    }),
    eventId: (headers) => headerId(headers, 'x-github-delivery'),
    // GitHub signs the body only: X-GitHub-Delivery can be changed on a valid delivery.
    signsEventId: () => false,
    stableSignature: (headers) => {
      const sha256 = header(headers, SHA256_HEADER);
      if (sha256 !== undefined) return unlabelled(sha256, 'sha256=');
      const sha1 = legacySha1 ? header(headers, SHA1_HEADER) : undefined;
      return sha1 === undefined ? undefined : unlabelled(sha1, 'sha1=');
    },
    eventType: (headers, body) => {
      const event = header(headers, 'x-github-event');
      const action = event ? leadingAction(body) : undefined;
      return event && action ? `${event}.${action}` : event;
    },
  };
}
