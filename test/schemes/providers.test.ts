import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SCHEME_CATALOG } from '../../src/schemes/catalog.js';
import { verifyAndDiagnose } from '../../src/schemes/diagnose.js';
import { explainSignature } from '../../src/schemes/explain.js';
import { SCHEME_NAMES } from '../../src/schemes/names.js';
import { detectScheme, getScheme } from '../../src/schemes/registry.js';
import { signRequest } from '../../src/schemes/sign-request.js';
import { NOW_MS, NOW_S } from './support.js';

const pem = (type: 'ed25519' | 'ec' | 'rsa') => {
  const pair = type === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ed25519');
  return { privateKey: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKey: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString() };
};
const KEYS = { discord: pem('ed25519'), telnyx: pem('ed25519'), sendgrid: pem('ec'), sns: pem('rsa'), plaid: pem('ec'), pubsub: pem('rsa') } as Record<string, { privateKey: string; publicKey: string }>;
const URL = 'https://example.com/webhooks/provider?x=1';

/** A body shaped like each provider's (ids and types where the provider puts them). */
const BODIES: Record<string, string> = {
  hubspot: '[{"eventId":100,"subscriptionType":"contact.creation","objectId":1}]',
  sendgrid: '[{"email":"a@example.com","event":"delivered","sg_event_id":"sg_ev_1"}]',
  mailgun: '{"signature":{"timestamp":"1","token":"t","signature":"00"},"event-data":{"event":"delivered","id":"mg_ev_1"}}',
  linear: '{"action":"create","type":"Issue","data":{"id":"i1"},"webhookTimestamp":1}',
  netlify: '{"id":"5ebc34bf4fea0b01f02efa3a","site_id":"fa4dd95a","state":"ready","branch":"main"}',
  plaid: '{"webhook_type":"TRANSACTIONS","webhook_code":"SYNC_UPDATES_AVAILABLE","item_id":"wz666MBjYWTp2PDzzggYhM6oWWmBb","environment":"sandbox"}',
  pubsub: '{"message":{"data":"aGVsbG8=","messageId":"2070443601311540","publishTime":"2021-02-26T19:13:55.749Z","attributes":{}},"subscription":"projects/p/subscriptions/s"}',
  twilio: 'CallSid=CA1&From=%2B15551234567&CallStatus=ringing',
  jira: '{"timestamp":1,"webhookEvent":"jira:issue_created","issue":{"id":"1"}}',
  atlassian: '{"timestamp":1,"webhookEvent":"jira:issue_created","issue":{"id":"1"}}',
  intercom: '{"type":"notification_event","id":"notif_1","topic":"conversation.user.created","data":{}}',
  coinbase: '{"id":1,"scheduled_for":"2026-01-01T00:00:00Z","event":{"id":"cb_ev_1","type":"charge:created"}}',
  typeform: '{"event_id":"tf_1","event_type":"form_response","form_response":{}}',
  razorpay: '{"entity":"event","event":"payment.captured","payload":{}}',
  calendly: '{"event":"invitee.created","created_at":"2026-01-01T00:00:00Z","payload":{}}',
  paddle: '{"event_id":"evt_01h","event_type":"transaction.completed","data":{}}',
  zoom: '{"event":"meeting.started","event_ts":1,"payload":{}}',
  okta: '{"eventType":"com.okta.event_hook","eventId":"okta_1","data":{"events":[{"eventType":"user.session.start"}]}}',
  postmark: '{"RecordType":"Bounce","ID":4323372036854775807,"MessageID":"pm_1"}',
  telnyx: '{"data":{"event_type":"call.initiated","id":"tx_1","payload":{}}}',
  sns: '{"Type":"Notification","MessageId":"sns_1","TopicArn":"arn:aws:sns:us-east-1:123456789012:t","Message":"hello 0","Timestamp":"x"}',
};
const body = (name: string) => Buffer.from(BODIES[name] ?? '{"id":"evt_1","event_id":"evt_1","type":"thing.happened","action":"created","n":"héllo ✓"}', 'utf8');
const secretFor = (name: string, side: 'sign' | 'verify') => KEYS[name] ? (side === 'sign' ? KEYS[name]!.privateKey : KEYS[name]!.publicKey) : name === 'standard' || name === 'svix' || ['clerk', 'resend', 'openai', 'replicate', 'render', 'loops'].includes(name) ? 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' : `secret-for-${name}`;

function signed(name: string) {
  const scheme = getScheme(name);
  const request = signRequest(scheme, { body: body(name), secret: secretFor(name, 'sign'), timestamp: NOW_S, id: 'evt_hookctl_1', url: URL });
  return { scheme, request };
}

describe('every provider by name', () => {
  it('there are at least 40 providers, each in names.ts and the catalog', () => {
    expect(SCHEME_CATALOG.map((info) => info.scheme).sort()).toEqual([...SCHEME_NAMES].sort());
    const providers = SCHEME_CATALOG.filter((info) => !['standard', 'hmac'].includes(info.scheme));
    expect(providers.length).toBeGreaterThanOrEqual(40);
  });

  for (const name of SCHEME_NAMES) {
    it(`${name}: signs, verifies its own signature, refuses a changed body, a wrong key, and reads id and type`, () => {
      const { scheme, request } = signed(name);
      const headers = { ...request.headers };
      const verify = (sent: Uint8Array, secrets = [secretFor(name, 'verify')], at = NOW_MS) =>
        scheme.verify({ body: sent, headers, secrets, nowMs: at, url: request.url ?? URL });
      expect(verify(request.body)).toMatchObject({ verified: true, scheme: name });

      // One byte changed where the signature covers it (Mailgun signs its token, not the event).
      const changed = Buffer.from(request.body);
      const at = name === 'mailgun' ? changed.indexOf('"token":"') + 10 : name === 'sns' ? changed.indexOf('hello') : changed.length - 3;
      changed[at] = changed[at] === 0x30 ? 0x31 : 0x30;
      // Static tokens and Pub/Sub's OIDC token authenticate the sender, not the body.
      if (!['gitlab', 'okta', 'postmark', 'pubsub'].includes(name)) expect(verify(changed).verified, 'changed body').toBe(false);

      const wrong = KEYS[name] ? pem(['sendgrid', 'plaid'].includes(name) ? 'ec' : ['sns', 'pubsub'].includes(name) ? 'rsa' : 'ed25519').publicKey : name === 'standard' || secretFor(name, 'verify').startsWith('whsec_') ? 'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' : 'another-secret';
      expect(verify(request.body, [wrong])).toMatchObject({ verified: false, reason: 'signature_mismatch' });

      if (scheme.timestamped) {
        const stale = verify(request.body, undefined, NOW_MS + ((scheme.toleranceSeconds ?? 300) + 2) * 1000);
        expect(stale).toMatchObject({ verified: false, reason: 'timestamp_outside_tolerance' });
      }
      const id = scheme.eventId(headers, request.body);
      const type = scheme.eventType(headers, request.body);
      if (!['meta', 'whatsapp', 'lemonsqueezy', 'calendly', 'netlify', 'dropbox', 'asana', 'plaid'].includes(name)) expect(id, 'event id').toBeTruthy();
      if (!['dropbox', 'asana', 'hmac'].includes(name)) expect(type, 'event type').toBeTruthy();
    });
  }

  it('auto picks each provider whose headers say who it is', () => {
    const byName: Record<string, string> = {};
    for (const name of SCHEME_NAMES) byName[name] = detectScheme(signed(name).request.headers)?.name ?? 'none';
    // Aliases send another's headers exactly, so auto names the scheme they send.
    expect(byName).toMatchObject({
      bitbucket: 'bitbucket', jira: 'jira', atlassian: 'jira', github: 'github', meta: 'github', whatsapp: 'github', intercom: 'github',
      clerk: 'svix', resend: 'svix', openai: 'standard', loops: 'standard', paddle: 'paddle', mux: 'mux', calendly: 'calendly',
      linear: 'linear', square: 'square', vercel: 'vercel', coinbase: 'coinbase', typeform: 'typeform', lemonsqueezy: 'lemonsqueezy',
      woocommerce: 'woocommerce', sentry: 'sentry', notion: 'notion', razorpay: 'razorpay', dropbox: 'dropbox', asana: 'asana', zoom: 'zoom',
      twitch: 'twitch', hubspot: 'hubspot', zendesk: 'zendesk', gitlab: 'gitlab', discord: 'discord', telnyx: 'telnyx', sendgrid: 'sendgrid',
      netlify: 'netlify', plaid: 'plaid', sns: 'sns', mailgun: 'none', okta: 'none', postmark: 'none', pubsub: 'none',
    });
  });

  it('diagnosis names a re-serialized body for the new families too', () => {
    for (const name of ['paddle', 'zoom', 'twitch', 'square', 'discord', 'sendgrid', 'netlify', 'linear', 'typeform']) {
      const { scheme, request } = signed(name);
      const pretty = Buffer.from(JSON.stringify(JSON.parse(Buffer.from(request.body).toString('utf8')), null, 2));
      const result = verifyAndDiagnose(scheme, { body: pretty, headers: request.headers, secrets: [secretFor(name, 'verify')], nowMs: NOW_MS, url: URL });
      expect(result.verified, name).toBe(false);
      expect(result.diagnosis, name).toMatch(/re-serialized/);
    }
  });

  it('bad input is a reason, never an exception: no secret, an empty one, no signature, garbage in the header', () => {
    for (const name of SCHEME_NAMES.slice(8)) {
      const { scheme, request } = signed(name);
      const check = (secrets: string[], headers: Record<string, string> = request.headers, sent: Uint8Array = request.body) => scheme.verify({ body: sent, headers, secrets, nowMs: NOW_MS, url: URL });
      expect(check([]).reason, name).toBe('no_secret');
      expect(check(['']).reason, name).toMatch(/bad_secret_format|signature_mismatch/);
      expect(check([secretFor(name, 'verify')], { 'content-type': 'application/json' }, Buffer.from('{}')).reason, name).toBe('missing_signature');
      for (const header of scheme.signatureHeaders) {
        const garbled = Object.fromEntries(Object.entries(request.headers).map(([key, value]) => [key, key.toLowerCase() === header ? `${value}%%` : value]));
        const result = check([secretFor(name, 'verify')], garbled);
        expect(result.verified, `${name} ${header}`).toBe(false);
        expect(result.reason, `${name} ${header}`).toMatch(/malformed|signature_mismatch|missing/);
      }
    }
  });

  it('the inspector lays each one open: the secret that signed matches, a wrong one does not, and no secret or token is ever shown', () => {
    for (const name of SCHEME_NAMES) {
      const { scheme, request } = signed(name);
      const right = secretFor(name, 'verify');
      const wrong = KEYS[name] ? pem(['sendgrid', 'plaid'].includes(name) ? 'ec' : ['sns', 'pubsub'].includes(name) ? 'rsa' : 'ed25519').publicKey : right.startsWith('whsec_') ? 'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' : 'another-secret';
      const explained = explainSignature(scheme, { headers: request.headers, body: request.body, secrets: [right, wrong], url: request.url ?? URL });
      expect(explained.computed.map((entry) => entry.matches), name).toEqual([true, false]);
      const shown = JSON.stringify(explained);
      if (!KEYS[name]) expect(shown, name).not.toContain(right);
      expect(shown, name).not.toContain(Buffer.from(right).toString('base64'));
    }
  });
});

describe('auto, given a provider that shares GitHub\'s header', () => {
  it('an Intercom delivery (X-Hub-Signature sha1, no X-GitHub-Event) is pointed at --scheme intercom, not only at --legacy-sha1', () => {
    const body = Buffer.from('{"type":"notification_event","id":"notif_1","topic":"ping"}');
    const signed = signRequest(getScheme('intercom'), { body, secret: 's3cret', timestamp: NOW_S, id: 'notif_1' });
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(signed.headers)) headers[name.toLowerCase()] = String(value);
    const scheme = detectScheme(headers)!;
    const result = scheme.verify({ body, headers, secrets: ['s3cret'], nowMs: NOW_MS });
    expect(result).toMatchObject({ verified: false, reason: 'missing_signature' });
    expect(JSON.stringify(result)).toContain('--scheme intercom');
    // GitHub's own legacy delivery still gets the GitHub advice alone.
    const github = scheme.verify({ body, headers: { ...headers, 'x-github-event': 'ping' }, secrets: ['s3cret'], nowMs: NOW_MS });
    expect(JSON.stringify(github)).toContain('--legacy-sha1');
    expect(JSON.stringify(github)).not.toContain('intercom');
  });
});
