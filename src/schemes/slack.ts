import { signatureHex, hmac, keyFromSecret } from './crypto.js';
import { checkTimestamp, checkTolerance, clip, jsonField, jsonId, matchSecrets, mismatch, rejected, splitList, verified } from './common.js';
import { header, hasHeader } from './headers.js';
import { formValue, readForm } from './form.js';
import type { HeaderMap, Scheme } from './types.js';

const SIGNATURE_HEADER = 'x-slack-signature';
const TIMESTAMP_HEADER = 'x-slack-request-timestamp';

/**
 * Slack: `X-Slack-Signature: v0=<hex>`, HMAC-SHA256 over `v0:<ts>:<raw body>` with
 * `X-Slack-Request-Timestamp`; the signing secret is used as UTF-8, the timestamp is signed as the
 * header text. Slack's documented check (and its Python SDK's SignatureVerifier) refuses
 * timestamps more than the tolerance away in either direction; Bolt's `verifySlackRequest` only
 * refuses old ones. We follow the documented, stricter rule: a request Bolt would accept with a
 * timestamp over 5 minutes in the future is refused here, and the tests pin that difference.
 */
export function slack(): Scheme {
  return {
    name: 'slack',
    title: 'Slack',
    timestamped: true,
    signatureHeaders: [SIGNATURE_HEADER, TIMESTAMP_HEADER],
    keyEncoding: 'utf8',
    detect: (headers) => hasHeader(headers, SIGNATURE_HEADER),
    sign({ body, secret, timestamp }) {
      const signature = hmac('sha256', keyFromSecret(secret, 'utf8'), `v0:${timestamp}:`, body).toString('hex');
      return { 'X-Slack-Request-Timestamp': String(timestamp), 'X-Slack-Signature': `v0=${signature}` };
    },
    verify(input) {
      const value = header(input.headers, SIGNATURE_HEADER);
      if (value === undefined) return rejected('slack', 'missing_signature', 'no X-Slack-Signature header');
      const parsed = checkTimestamp('slack', header(input.headers, TIMESTAMP_HEADER), 'X-Slack-Request-Timestamp');
      if ('verified' in parsed) return parsed;
      const signatures: Buffer[] = [];
      for (const part of splitList(value)) {
        const bytes = part.startsWith('v0=') ? signatureHex(part.slice(3)) : undefined;
        if (!bytes || bytes.length !== 32) {
          return rejected('slack', 'malformed_signature_header', `expected "v0=<64 lower-case hex digits>", got "${clip(part)}"`);
        }
        signatures.push(bytes);
      }
      const prefix = `v0:${parsed.text}:`;
      const match = matchSecrets('slack', input, 'utf8', signatures, (key) => hmac('sha256', key, prefix, input.body));
      if (typeof match !== 'number') return match;
      if (match < 0) return mismatch('slack', input, signatures.length, 'HMAC-SHA256 of "v0:<timestamp>:<raw body>"');
      return checkTolerance('slack', parsed.timestamp, input, { rejectFuture: true }) ?? verified('slack', match);
    },
    deliveryHeaders: () => ({
      'User-Agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      'Content-Type': 'application/json',
    }),
    eventId: (_headers, body) => jsonId(body, 'event_id'),
    signsEventId: () => true,
    // Every attempt is signed anew with its own X-Slack-Request-Timestamp.
    stableSignature: () => undefined,
    eventType: (headers, body) => jsonField(body, 'type') ?? formType(headers, body),
  };
}

/**
 * Interactivity (a form whose `payload` is JSON with its type: block_actions, view_submission)
 * and slash commands (a form with `command`) are not JSON events.
 */
function formType(headers: HeaderMap, body: Uint8Array): string | undefined {
  const form = readForm(body, headers);
  if (!form || form.refused !== undefined) return undefined;
  const payload = formValue(form, 'payload');
  if (payload !== undefined) return jsonField(Buffer.from(payload, 'utf8'), 'type');
  return formValue(form, 'command') !== undefined ? 'slash_command' : undefined;
}
