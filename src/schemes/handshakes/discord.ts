import { header } from '../headers.js';
import { json, JSON_TYPE } from './common.js';
import type { Handshake } from './types.js';

/**
 * Discord's interactions endpoint check
 * (discord.com/developers/docs/interactions/overview#setting-up-an-endpoint-acknowledging-ping-requests):
 * the portal saves the URL only once a signed PING (`"type": 1`) is answered with a PONG
 * (`{"type":1}`, JSON) and a badly signed one with 401. Only a request carrying Discord's
 * signature header is one, so `auto` answers no other provider's `"type": 1`.
 */
export const discordPing: Handshake = {
  name: 'discord-ping',
  schemes: ['discord'],
  signed: true,
  method: 'POST',
  answer({ headers, body }) {
    if (header(headers, 'x-signature-ed25519') === undefined) return undefined;
    if (json(body)?.type !== 1) return undefined;
    return { status: 200, contentType: JSON_TYPE, body: '{"type":1}', note: 'answered a Discord PING with a PONG ({"type":1})' };
  },
};
