import { createHmac, randomBytes } from 'node:crypto';
import { echoable, json, JSON_TYPE, mentions } from './common.js';
import type { Handshake } from './types.js';

/**
 * Zoom `endpoint.url_validation` (developers.zoom.us/docs/api/webhooks/#validate-your-webhook-endpoint):
 * a signed POST with `payload.plainToken`; the answer is `{plainToken, encryptedToken}` where
 * encryptedToken is the hex HMAC-SHA256 of plainToken with the secret token.
 */
export const zoomUrlValidation: Handshake = {
  name: 'zoom-url-validation',
  schemes: ['zoom'],
  signed: true,
  method: 'POST',
  answer({ body, secrets }) {
    if (!mentions(body, 'endpoint.url_validation')) return undefined;
    const event = json(body);
    const payload = event?.payload as Record<string, unknown> | undefined;
    if (event?.event !== 'endpoint.url_validation' || !echoable(payload?.plainToken)) return undefined;
    const secret = secrets[0];
    if (secret === undefined) return { note: 'Zoom endpoint.url_validation arrived, but without --secret (the secret token) it cannot be answered' };
    const encryptedToken = createHmac('sha256', secret).update(payload.plainToken).digest('hex');
    return { status: 200, contentType: JSON_TYPE, body: JSON.stringify({ plainToken: payload.plainToken, encryptedToken }), note: 'answered Zoom endpoint.url_validation (encryptedToken = HMAC of plainToken)' };
  },
  sample: {
    type: 'endpoint.url_validation',
    body: () => JSON.stringify({ payload: { plainToken: randomBytes(16).toString('base64url') }, event_ts: Date.now(), event: 'endpoint.url_validation' }),
  },
};
