/**
 * Providers with no official verifier on npm: each judged by its documentation's own recipe,
 * transcribed here with node:crypto from the page cited, independent of hookctl's families.
 * Ours must produce exactly the documented value, and the documented value must verify with ours.
 * The GitHub-format ones are also judged by @octokit/webhooks-methods, the format's own library.
 */
import { createHmac, generateKeyPairSync, sign as edSign } from 'node:crypto';
import { verify as octokitVerify } from '@octokit/webhooks-methods';
import { describe, expect, it } from 'vitest';
import { getScheme } from '../../src/schemes/registry.js';
import { signRequest } from '../../src/schemes/sign-request.js';
import { NOW_MS, NOW_S } from './support.js';

const SECRET = 'documented-secret';
const BODY = '{"id":"evt_1","event_id":"evt_1","type":"x.y","n":"héllo ✓"}';
const ISO = new Date(NOW_S * 1000).toISOString().replace('.000Z', 'Z');
const hmacHex = (algorithm: string, ...parts: string[]) => createHmac(algorithm, SECRET).update(parts.join('')).digest('hex');
const hmacB64 = (algorithm: string, ...parts: string[]) => createHmac(algorithm, SECRET).update(parts.join('')).digest('base64');

interface Recipe {
  /** The provider's page the recipe is transcribed from. */
  source: string;
  /** The headers the documentation says the provider sends, for BODY at NOW_S (id "evt_doc"). */
  headers: () => Record<string, string>;
}

const RECIPES: Record<string, Recipe> = {
  zoom: { source: 'developers.zoom.us/docs/api/webhooks/#verify-webhook-events', headers: () => ({ 'x-zm-request-timestamp': String(NOW_S), 'x-zm-signature': `v0=${hmacHex('sha256', `v0:${NOW_S}:`, BODY)}` }) },
  twitch: {
    source: 'dev.twitch.tv/docs/eventsub/handling-webhook-events/#verifying-the-event-message',
    headers: () => ({ 'twitch-eventsub-message-id': 'evt_doc', 'twitch-eventsub-message-timestamp': ISO, 'twitch-eventsub-message-signature': `sha256=${hmacHex('sha256', 'evt_doc', ISO, BODY)}` }),
  },
  zendesk: {
    source: 'developer.zendesk.com/documentation/webhooks/verifying/',
    headers: () => ({ 'x-zendesk-webhook-signature-timestamp': ISO, 'x-zendesk-webhook-signature': hmacB64('sha256', ISO, BODY) }),
  },
  calendly: { source: 'developer.calendly.com/api-docs/4c305798a61d3-webhook-signatures', headers: () => ({ 'calendly-webhook-signature': `t=${NOW_S},v1=${hmacHex('sha256', `${NOW_S}.`, BODY)}` }) },
  typeform: { source: 'typeform.com/developers/webhooks/secure-your-webhooks/', headers: () => ({ 'typeform-signature': `sha256=${hmacB64('sha256', BODY)}` }) },
  woocommerce: { source: 'woocommerce.github.io/woocommerce-rest-api-docs/#webhooks (X-WC-Webhook-Signature: base64 HMAC-SHA256 of the payload)', headers: () => ({ 'x-wc-webhook-signature': hmacB64('sha256', BODY) }) },
  sentry: { source: 'docs.sentry.io/organization/integrations/integration-platform/webhooks/#verifying-the-signature', headers: () => ({ 'sentry-hook-signature': hmacHex('sha256', BODY) }) },
  notion: { source: 'developers.notion.com/reference/webhooks#validating-event-payloads', headers: () => ({ 'x-notion-signature': `sha256=${hmacHex('sha256', BODY)}` }) },
  vercel: { source: 'vercel.com/docs/webhooks/webhooks-api#securing-webhooks', headers: () => ({ 'x-vercel-signature': hmacHex('sha1', BODY) }) },
  lemonsqueezy: { source: 'docs.lemonsqueezy.com/help/webhooks/signing-requests', headers: () => ({ 'x-signature': hmacHex('sha256', BODY) }) },
  intercom: { source: 'developers.intercom.com/docs/references/webhooks/webhook-models#signed-notifications', headers: () => ({ 'x-hub-signature': `sha1=${hmacHex('sha1', BODY)}` }) },
  dropbox: { source: 'dropbox.com/developers/reference/webhooks#notifications', headers: () => ({ 'x-dropbox-signature': hmacHex('sha256', BODY) }) },
  asana: { source: 'developers.asana.com/docs/webhooks-guide#security', headers: () => ({ 'x-hook-signature': hmacHex('sha256', BODY) }) },
  bitbucket: { source: 'support.atlassian.com/bitbucket-cloud/docs/manage-webhooks/#Secure-webhooks', headers: () => ({ 'x-hub-signature': `sha256=${hmacHex('sha256', BODY)}` }) },
  jira: { source: 'developer.atlassian.com/cloud/jira/platform/webhooks/#secure-admin-webhooks', headers: () => ({ 'x-hub-signature': `sha256=${hmacHex('sha256', BODY)}` }) },
  meta: { source: 'developers.facebook.com/docs/graph-api/webhooks/getting-started#validate-payloads', headers: () => ({ 'x-hub-signature-256': `sha256=${hmacHex('sha256', BODY)}` }) },
  whatsapp: { source: 'developers.facebook.com/docs/graph-api/webhooks/getting-started#validate-payloads', headers: () => ({ 'x-hub-signature-256': `sha256=${hmacHex('sha256', BODY)}` }) },
  gitlab: { source: 'docs.gitlab.com/user/project/integrations/webhooks/#validate-payloads-by-using-a-secret-token', headers: () => ({ 'x-gitlab-token': SECRET }) },
  okta: { source: 'developer.okta.com/docs/concepts/event-hooks/ (the Authorization header value you configure)', headers: () => ({ authorization: SECRET }) },
  postmark: { source: 'postmarkapp.com/developer/webhooks/webhooks-overview#protecting-your-webhook (basic auth)', headers: () => ({ authorization: `Basic ${Buffer.from(SECRET).toString('base64')}` }) },
};

describe('providers judged by their documented recipe', () => {
  for (const [name, recipe] of Object.entries(RECIPES)) {
    it(`${name} (${recipe.source})`, () => {
      const scheme = getScheme(name);
      const signed = signRequest(scheme, { body: Buffer.from(BODY), secret: SECRET, timestamp: NOW_S, id: 'evt_doc' });
      const ours = Object.fromEntries(Object.entries(signed.headers).map(([key, value]) => [key.toLowerCase(), value]));
      const documented = recipe.headers();
      for (const [header, value] of Object.entries(documented)) expect(ours[header], `${name} ${header}`).toBe(value);
      expect(scheme.verify({ body: Buffer.from(BODY), headers: documented, secrets: [SECRET], nowMs: NOW_MS })).toMatchObject({ verified: true });
      if (!['gitlab', 'okta', 'postmark'].includes(name)) {
        expect(scheme.verify({ body: Buffer.from(`${BODY} `), headers: documented, secrets: [SECRET], nowMs: NOW_MS }).verified).toBe(false);
      }
    });
  }

  it('the X-Hub-Signature-256 providers (Meta, WhatsApp) and the sha256 X-Hub-Signature ones (Bitbucket, Jira) pass @octokit/webhooks-methods', async () => {
    for (const name of ['meta', 'whatsapp', 'bitbucket', 'jira', 'atlassian']) {
      const { headers } = signRequest(getScheme(name), { body: Buffer.from(BODY), secret: SECRET, timestamp: NOW_S, id: 'x' });
      const value = headers['X-Hub-Signature-256'] ?? headers['X-Hub-Signature']!;
      expect(await octokitVerify(SECRET, BODY, value), name).toBe(true);
    }
  });

  it('telnyx: Ed25519 over "<timestamp>|<body>", base64 (developers.telnyx.com/docs/messaging/messages/receiving-webhooks)', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const publicB64 = publicKey.export({ type: 'spki', format: 'der' }).subarray(12).toString('base64');
    const documented = edSign(null, Buffer.from(`${NOW_S}|${BODY}`), privateKey).toString('base64');
    const headers = { 'telnyx-timestamp': String(NOW_S), 'telnyx-signature-ed25519': documented };
    expect(getScheme('telnyx').verify({ body: Buffer.from(BODY), headers, secrets: [publicB64], nowMs: NOW_MS })).toMatchObject({ verified: true });
    const ours = signRequest(getScheme('telnyx'), { body: Buffer.from(BODY), secret: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), timestamp: NOW_S, id: 'x' });
    // Ed25519 is deterministic: the same key and message give the same signature.
    expect(ours.headers['telnyx-signature-ed25519']).toBe(documented);
  });

  it('mailgun: HMAC-SHA256 hex of timestamp + token in the body\'s signature object (documentation.mailgun.com "Securing Webhooks")', () => {
    const signed = signRequest(getScheme('mailgun'), { body: Buffer.from('{"event-data":{"event":"delivered","id":"mg1"}}'), secret: SECRET, timestamp: NOW_S, id: 'x' });
    const body = JSON.parse(Buffer.from(signed.body).toString()) as { signature: { timestamp: string; token: string; signature: string } };
    expect(body.signature.timestamp).toBe(String(NOW_S));
    expect(body.signature.signature).toBe(hmacHex('sha256', body.signature.timestamp, body.signature.token));
    const documented = JSON.stringify({ signature: { timestamp: '1529006854', token: 'a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0', signature: hmacHex('sha256', '1529006854', 'a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0') }, 'event-data': { event: 'opened' } });
    expect(getScheme('mailgun').verify({ body: Buffer.from(documented), headers: {}, secrets: [SECRET], nowMs: NOW_MS })).toMatchObject({ verified: true });
  });

  it('square: base64 HMAC-SHA256 of notification URL + body (developer.squareup.com/docs/webhooks/step3validate)', () => {
    const url = 'https://example.com/webhook';
    const signed = signRequest(getScheme('square'), { body: Buffer.from(BODY), secret: SECRET, timestamp: NOW_S, id: 'x', url });
    expect(signed.headers['x-square-hmacsha256-signature']).toBe(hmacB64('sha256', url, BODY));
  });
});
