/**
 * The judges for replay tests: each provider's official library verifying a request exactly as it
 * arrived at a real local server (raw body bytes, headers as Node received them).
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verify as octokitVerify } from '@octokit/webhooks-methods';
import '@shopify/shopify-api/adapters/node';
import { ApiVersion, LogSeverity, shopifyApi } from '@shopify/shopify-api';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { Webhook as SvixWebhook } from 'svix';
import type { ReceivedRequest } from '../helpers/server.js';
import { RECORD_FORMAT, encodeBody, type DeliveryRecord } from '../../src/records/record.js';

const require = createRequire(import.meta.url);
const boltVerify = (require('@slack/bolt/dist/receivers/verify-request.js') as typeof import('@slack/bolt/dist/receivers/verify-request.js')).verifySlackRequest;
const twilioWebhooks = require('twilio/lib/webhooks/webhooks.js') as typeof import('twilio/lib/webhooks/webhooks.js');

/** One secret every scheme accepts: Standard Webhooks needs base64 after `whsec_`; the others use it as text. */
export const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

const stripe = new Stripe('sk_test_hookctl_replay');

function shopify(secret: string) {
  return shopifyApi({
    apiKey: 'hookctl-test-key',
    apiSecretKey: secret,
    apiVersion: ApiVersion.October25,
    hostName: 'hookctl.test',
    isEmbeddedApp: false,
    logger: { level: LogSeverity.Error, log: async () => {} },
  });
}

function one(value: string | string[] | undefined): string {
  return Array.isArray(value) ? value.join(', ') : (value ?? '');
}

/**
 * Verifies a received request with the provider's official library. `url` is the full URL the
 * request was posted to (Twilio signs it). Throws with the library's own message when it refuses.
 */
export async function verifyOfficially(scheme: string, request: ReceivedRequest, secret: string, url: string): Promise<void> {
  const body = request.body.toString('utf8');
  const headers = request.headers;
  switch (scheme) {
    case 'github':
      if (!(await octokitVerify(secret, body, one(headers['x-hub-signature-256'])))) throw new Error('octokit: signature does not match');
      return;
    case 'stripe':
      stripe.webhooks.constructEvent(body, one(headers['stripe-signature']), secret);
      return;
    case 'standard':
      new StandardWebhook(secret).verify(body, { 'webhook-id': one(headers['webhook-id']), 'webhook-timestamp': one(headers['webhook-timestamp']), 'webhook-signature': one(headers['webhook-signature']) });
      return;
    case 'svix':
      new SvixWebhook(secret).verify(body, { 'svix-id': one(headers['svix-id']), 'svix-timestamp': one(headers['svix-timestamp']), 'svix-signature': one(headers['svix-signature']) });
      return;
    case 'slack':
      boltVerify({
        signingSecret: secret,
        body,
        headers: { 'x-slack-signature': one(headers['x-slack-signature']), 'x-slack-request-timestamp': Number(one(headers['x-slack-request-timestamp'])) },
      });
      return;
    case 'shopify': {
      const result = await shopify(secret).webhooks.validate({ rawBody: body, rawRequest: { headers, method: request.method, url: request.url } as never, rawResponse: {} as never });
      if (!result.valid) throw new Error(`shopify: ${JSON.stringify(result)}`);
      return;
    }
    case 'twilio': {
      const signature = one(headers['x-twilio-signature']);
      const valid = url.includes('bodySHA256=')
        ? twilioWebhooks.validateRequestWithBody(secret, signature, url, body)
        : twilioWebhooks.validateRequest(secret, signature, url, Object.fromEntries(new URLSearchParams(body)));
      if (!valid) throw new Error('twilio: signature does not match');
      return;
    }
    default:
      throw new Error(`no official library for ${scheme}`);
  }
}

/** GitHub's HMAC over raw bytes, as GitHub documents it: for bodies no string-based library can take. */
export function githubHmac(secret: string, body: Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

const dirs: string[] = [];
export function tempDir(prefix = 'hookctl-replay-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}
export function removeTempDirs(): void {
  while (dirs.length > 0) rmSync(dirs.pop()!, { recursive: true, force: true });
}

/** NDJSON records from a CLI's stdout. */
export function records(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** A captured GitHub delivery record (verified) with this body; `extra` overrides any field. */
export function githubRecord(body: string, extra: Partial<DeliveryRecord> = {}): DeliveryRecord {
  return {
    format: RECORD_FORMAT,
    id: '20260115T100000000Z-000001',
    capturedAt: '2026-01-15T10:00:00.000Z',
    receivedAt: null,
    method: 'POST',
    path: '/',
    headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': 'd-1' },
    ...encodeBody(Buffer.from(body)),
    scheme: 'github',
    eventId: 'd-1',
    eventType: 'push',
    verified: true,
    reason: null,
    duplicate: false,
    ...extra,
  };
}
