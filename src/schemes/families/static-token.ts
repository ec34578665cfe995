import { BadSecretError, safeEqual, utf8 } from '../crypto.js';
import { mismatch, rejected, verified } from '../common.js';
import { hasHeader, header } from '../headers.js';
import { detectAlso, type ProviderMeta } from '../provider.js';
import type { Scheme } from '../types.js';

export interface StaticTokenConfig extends ProviderMeta {
  header: string;
  /** How the secret appears in the header: as is, or as HTTP Basic credentials (`user:password`). */
  form: 'raw' | 'basic';
}

function expected(secret: string, form: StaticTokenConfig['form']): string {
  return form === 'basic' ? `Basic ${Buffer.from(secret, 'utf8').toString('base64')}` : secret;
}

/**
 * No signature: the provider sends a secret you configured in a header (GitLab's
 * `X-Gitlab-Token`, Okta's `Authorization`, Postmark's Basic auth). It proves who sent the
 * request, not what the body was: nothing binds the body, so a captured request replays as is.
 * Compared in constant time.
 */
export function staticToken(config: StaticTokenConfig): Scheme {
  const name = config.name;
  const lowerHeader = config.header.toLowerCase();
  return {
    name,
    title: config.title,
    timestamped: false,
    signatureHeaders: [lowerHeader],
    keyEncoding: 'utf8',
    detect: (headers) => hasHeader(headers, lowerHeader) && detectAlso(config, headers),
    sign({ secret }) {
      if (secret.length === 0) throw new BadSecretError('the secret is empty');
      return { [config.header]: expected(secret, config.form) };
    },
    verify(input) {
      const value = header(input.headers, lowerHeader);
      if (value === undefined) return rejected(name, 'missing_signature', `no ${config.header} header`);
      if (input.secrets.length === 0) return rejected(name, 'no_secret', 'no secret was given to verify with');
      if (input.secrets.every((secret) => secret.length === 0)) return rejected(name, 'bad_secret_format', 'the secret is empty');
      const sent = utf8(value);
      let matched = -1;
      input.secrets.forEach((secret, index) => {
        if (safeEqual(utf8(expected(secret, config.form)), sent) && matched < 0) matched = index;
      });
      if (matched < 0) return mismatch(name, input, 1, `the ${config.header} value${config.form === 'basic' ? ' (Basic credentials user:password)' : ''} against the configured token`);
      return verified(name, matched, 'token matched (it authenticates the sender, not the body)');
    },
    // The token is the secret itself: the inspector says whether it matched, never what it is.
    explainParts: () => ({
      header: lowerHeader,
      signed: { prefix: '', includesBody: false, suffix: '' },
      timestamp: null,
      received: [],
      verifyOnly: `${config.title} sends a token, not a signature: compared, not shown`,
    }),
    deliveryHeaders: (event) => config.deliveryHeaders(event),
    eventId: (headers, body) => config.eventId(headers, body),
    // The token covers nothing: an id is bound to the body's hash.
    signsEventId: () => false,
    stableSignature: () => undefined,
    eventType: (headers, body) => config.eventType(headers, body),
  };
}
