import { echoable, query, TEXT } from './common.js';
import type { Handshake } from './types.js';

/**
 * Microsoft Graph subscription validation (learn.microsoft.com/graph/change-notifications-delivery-webhooks#notificationurl-validation):
 * a POST to `?validationToken=…`, answered within 10 s with 200 and the decoded token as text/plain.
 */
export const graphValidation: Handshake = {
  name: 'msgraph-validation',
  schemes: [],
  signed: false,
  method: 'POST',
  answer({ url }) {
    if (!url.includes('validationToken=')) return undefined;
    const token = query(url).get('validationToken');
    if (!echoable(token)) return undefined;
    return { status: 200, contentType: TEXT, body: token, note: 'answered a Microsoft Graph validationToken' };
  },
};
