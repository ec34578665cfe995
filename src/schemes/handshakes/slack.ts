import { randomBytes } from 'node:crypto';
import { echoable, json, mentions, TEXT } from './common.js';
import type { Handshake } from './types.js';

/**
 * Slack Events API `url_verification` (api.slack.com/events/url_verification): a signed POST
 * whose `challenge` is echoed back (plain text is accepted).
 */
export const slackUrlVerification: Handshake = {
  name: 'slack-url-verification',
  schemes: ['slack'],
  signed: true,
  method: 'POST',
  answer({ body }) {
    if (!mentions(body, 'url_verification')) return undefined;
    const event = json(body);
    if (event?.type !== 'url_verification' || !echoable(event.challenge)) return undefined;
    return { status: 200, contentType: TEXT, body: event.challenge, note: 'answered Slack url_verification (echoed the challenge)' };
  },
  sample: {
    type: 'url_verification',
    body: () => JSON.stringify({ token: 'Jhj5dZrVaK7ZwHHjRyZWjbDl', challenge: randomBytes(24).toString('base64url'), type: 'url_verification' }),
  },
};
