import { header } from '../headers.js';
import { echoable, isOneOf, JSON_TYPE, query, TEXT } from './common.js';
import type { Handshake } from './types.js';

/**
 * Meta / WhatsApp subscription check (developers.facebook.com/docs/graph-api/webhooks/getting-started#verification-requests):
 * GET `?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`; echo the challenge when the verify
 * token is one of the listener's secrets (pass it with --secret beside the app secret), else 403.
 */
export const metaHubChallenge: Handshake = {
  name: 'meta-hub-challenge',
  schemes: ['meta', 'whatsapp'],
  signed: false,
  method: 'GET',
  answer({ method, url, secrets }) {
    if (method !== 'GET') return undefined;
    const params = query(url);
    const challenge = params.get('hub.challenge');
    if (params.get('hub.mode') !== 'subscribe' || !echoable(challenge)) return undefined;
    const token = params.get('hub.verify_token') ?? '';
    if (secrets.length > 0 && !isOneOf(token, secrets)) {
      return { status: 403, contentType: TEXT, body: 'verify token mismatch', note: 'refused a Meta hub.challenge: its hub.verify_token is none of the secrets given' };
    }
    return { status: 200, contentType: TEXT, body: challenge, note: `answered a Meta hub.challenge${secrets.length > 0 ? ' (verify token matched)' : ' (no --secret: verify token not checked)'}` };
  },
};

/** Dropbox (dropbox.com/developers/reference/webhooks#verification): GET `?challenge=…`, echoed as text/plain. */
export const dropboxChallenge: Handshake = {
  name: 'dropbox-challenge',
  schemes: ['dropbox'],
  signed: false,
  method: 'GET',
  answer({ method, url }) {
    const challenge = method === 'GET' ? query(url).get('challenge') : null;
    if (!echoable(challenge)) return undefined;
    return { status: 200, contentType: TEXT, body: challenge, note: 'answered a Dropbox challenge' };
  },
};

/** Okta event hook verification (developer.okta.com/docs/concepts/event-hooks/#one-time-verification-request): GET with `X-Okta-Verification-Challenge` → `{"verification": …}`. */
export const oktaVerification: Handshake = {
  name: 'okta-verification',
  schemes: ['okta'],
  signed: false,
  method: 'GET',
  answer({ method, headers }) {
    const challenge = method === 'GET' ? header(headers, 'x-okta-verification-challenge') : undefined;
    if (!echoable(challenge)) return undefined;
    return { status: 200, contentType: JSON_TYPE, body: JSON.stringify({ verification: challenge }), note: 'answered Okta\'s one-time verification' };
  },
};
