import { randomBytes } from 'node:crypto';
import { header } from '../headers.js';
import { echoable, json, TEXT } from './common.js';
import type { Handshake } from './types.js';

/**
 * Twitch EventSub `webhook_callback_verification`
 * (dev.twitch.tv/docs/eventsub/handling-webhook-events/#responding-to-a-challenge-request): a
 * signed POST; the `challenge` is echoed as text/plain with 200.
 */
export const twitchCallbackVerification: Handshake = {
  name: 'twitch-callback-verification',
  schemes: ['twitch'],
  signed: true,
  method: 'POST',
  answer({ headers, body }) {
    if (header(headers, 'twitch-eventsub-message-type') !== 'webhook_callback_verification') return undefined;
    const challenge = json(body)?.challenge;
    if (!echoable(challenge)) return undefined;
    return { status: 200, contentType: TEXT, body: challenge, note: 'answered Twitch webhook_callback_verification (echoed the challenge)' };
  },
  sample: {
    type: 'webhook_callback_verification',
    body: () =>
      JSON.stringify({
        challenge: randomBytes(24).toString('base64url'),
        subscription: { id: 'f1c2a387-161a-49f9-a165-0f21d7a4e1c4', status: 'webhook_callback_verification_pending', type: 'channel.follow', version: '2', cost: 1, condition: { broadcaster_user_id: '12826' }, transport: { method: 'webhook', callback: 'https://example.com/webhooks/callback' }, created_at: new Date().toISOString() },
      }),
  },
};
