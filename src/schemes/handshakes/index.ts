import { asanaHandshake } from './asana.js';
import { discordPing } from './discord.js';
import { dropboxChallenge, metaHubChallenge, oktaVerification } from './get-challenges.js';
import { graphValidation } from './msgraph.js';
import { slackUrlVerification } from './slack.js';
import { snsSubscriptionConfirmation } from './sns.js';
import { twitchCallbackVerification } from './twitch.js';
import type { Handshake, HandshakeReply, HandshakeRequest } from './types.js';
import { zoomUrlValidation } from './zoom.js';

export type { Handshake, HandshakeReply, HandshakeRequest } from './types.js';

/** Every provider URL challenge the listener answers. A new one: a file, one line here. */
export const HANDSHAKES: readonly Handshake[] = [slackUrlVerification, zoomUrlValidation, twitchCallbackVerification, metaHubChallenge, dropboxChallenge, oktaVerification, graphValidation, snsSubscriptionConfirmation, asanaHandshake, discordPing];

/** The handshakes a listener with this `--scheme` answers: all of them for `auto`. */
export function handshakesFor(scheme: string): readonly Handshake[] {
  return scheme === 'auto' ? HANDSHAKES : HANDSHAKES.filter((handshake) => handshake.schemes.includes(scheme));
}

/** The first handshake this request is, with its reply (or note). */
export function findHandshake(handshakes: readonly Handshake[], request: HandshakeRequest): { handshake: Handshake; reply: HandshakeReply | { note: string } } | undefined {
  for (const handshake of handshakes) {
    if (handshake.method === 'GET' && request.method !== 'GET') continue;
    const reply = handshake.answer(request);
    if (reply) return { handshake, reply };
  }
  return undefined;
}

/** The challenge body a provider sends, for `send --scheme S --event TYPE`; undefined when TYPE is no handshake of S. */
export function handshakeSample(scheme: string, type: string | undefined): { type: string; body: string } | undefined {
  if (type === undefined) return undefined;
  for (const handshake of HANDSHAKES) {
    if (handshake.sample?.type === type && handshake.schemes.includes(scheme)) return { type, body: handshake.sample.body() };
  }
  return undefined;
}
