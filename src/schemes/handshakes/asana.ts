import { header } from '../headers.js';
import { echoable, TEXT } from './common.js';
import type { Handshake } from './types.js';

/**
 * Asana's webhook handshake (developers.asana.com/docs/webhooks-guide#the-webhook-handshake): a POST
 * carrying `X-Hook-Secret`, answered 200 with the same header; later events are signed with that
 * secret (X-Hook-Signature), so it is the --secret to verify them with.
 */
export const asanaHandshake: Handshake = {
  name: 'asana-hook-secret',
  schemes: ['asana'],
  signed: false,
  method: 'POST',
  answer({ headers }) {
    const secret = header(headers, 'x-hook-secret');
    if (!echoable(secret)) return undefined;
    return { status: 200, contentType: TEXT, body: '', headers: { 'X-Hook-Secret': secret }, note: 'answered Asana\'s handshake (echoed X-Hook-Secret: verify later events with it as --secret)' };
  },
};
