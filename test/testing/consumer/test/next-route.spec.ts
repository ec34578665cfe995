import { signedRequest, webhookMatchers, type WebhookMatchers } from 'hookctl/testing';
import { beforeAll, expect, test } from 'vitest';
import { POST as githubWebhook } from '../src/github-route.js';
import { POST as standardWebhook } from '../src/standard-route.js';

expect.extend(webhookMatchers);
declare module 'vitest' {
  interface Assertion<T = any> extends WebhookMatchers<T> {}
}

const GITHUB_SECRET = 'github-consumer-secret';
const STANDARD_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

beforeAll(() => {
  process.env.GITHUB_WEBHOOK_SECRET = GITHUB_SECRET;
  process.env.STANDARD_WEBHOOK_SECRET = STANDARD_SECRET;
});

test('GitHub: accepts a signed pull_request.opened, refuses a wrong secret', async () => {
  const url = 'http://localhost:3000/api/webhooks/github';
  const accepted = await githubWebhook(signedRequest(url, { scheme: 'github', secret: GITHUB_SECRET, event: 'pull_request.opened' }));
  expect(accepted.status).toBe(200);
  expect(await accepted.json()).toEqual({ event: 'pull_request', action: 'opened' });

  const refused = await githubWebhook(signedRequest(url, { scheme: 'github', secret: GITHUB_SECRET, event: 'push', wrongSecret: true }));
  expect(refused.status).toBe(401);
});

test('Standard Webhooks: accepts invoice.paid, refuses it stale or without its signature', async () => {
  const url = 'http://localhost:3000/api/webhooks';
  const options = { scheme: 'standard', secret: STANDARD_SECRET, event: 'invoice.paid' };
  expect(await standardWebhook(signedRequest(url, options))).toBeAcceptedWebhook();
  expect(await standardWebhook(signedRequest(url, { ...options, stale: '10m' }))).toBeRefusedWebhook(401);
  expect(await standardWebhook(signedRequest(url, { ...options, missingHeader: true }))).toBeRefusedWebhook();
});
