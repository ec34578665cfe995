// node:test (run with `node --import tsx --test`): the same checks as the vitest files, and Fastify.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { send, signedDelivery, signedRequest, startReceiver } from 'hookctl/testing';
import { buildApp } from '../src/fastify-app.js';
import { POST as githubWebhook } from '../src/github-route.js';
import { notify } from '../src/notify.js';
import { POST as standardWebhook } from '../src/standard-route.js';
import { createApp as createStripeApp } from '../src/stripe-express.js';

const STRIPE_SECRET = 'whsec_test_consumer_secret';
const GITHUB_SECRET = 'github-consumer-secret';
const STANDARD_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

describe('Express + Stripe', () => {
  const server = createStripeApp(STRIPE_SECRET).listen(0, '127.0.0.1');
  let url = '';
  before(async () => {
    if (!server.listening) await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/stripe`;
  });
  after(() => server.close());

  test('accepts a sample, refuses it re-serialized or stale', async () => {
    assert.equal((await send(url, { scheme: 'stripe', secret: STRIPE_SECRET, event: 'payment_intent.succeeded' })).status, 200);
    const reserialized = await send(url, { scheme: 'stripe', secret: STRIPE_SECRET, reserialize: true });
    assert.equal(reserialized.status, 400);
    assert.match(reserialized.body, /No signatures found/);
    assert.equal((await send(url, { scheme: 'stripe', secret: STRIPE_SECRET, stale: '10m' })).status, 400);
  });
});

describe('Next.js route handlers', () => {
  before(() => {
    process.env.GITHUB_WEBHOOK_SECRET = GITHUB_SECRET;
    process.env.STANDARD_WEBHOOK_SECRET = STANDARD_SECRET;
  });

  test('GitHub and Standard Webhooks accept signedRequest', async () => {
    const github = await githubWebhook(signedRequest('http://localhost/api/webhooks/github', { scheme: 'github', secret: GITHUB_SECRET, event: 'push' }));
    assert.equal(github.status, 200);
    const standard = await standardWebhook(signedRequest('http://localhost/api/webhooks', { scheme: 'standard', secret: STANDARD_SECRET, event: 'invoice.paid' }));
    assert.deepEqual(await standard.json(), { received: 'invoice.paid' });
  });
});

describe('Fastify', () => {
  const app = buildApp(GITHUB_SECRET);
  after(() => app.close());

  test('accepts a signed push through inject(), refuses it without its signature', async () => {
    const { headers, body } = signedDelivery({ scheme: 'github', secret: GITHUB_SECRET, event: 'push' });
    const accepted = await app.inject({ method: 'POST', url: '/webhooks/github', headers, payload: body });
    assert.equal(accepted.statusCode, 200);
    assert.deepEqual(accepted.json(), { received: 'push' });

    const unsigned = signedDelivery({ scheme: 'github', secret: GITHUB_SECRET, event: 'push', missingHeader: true });
    const refused = await app.inject({ method: 'POST', url: '/webhooks/github', headers: unsigned.headers, payload: unsigned.body });
    assert.equal(refused.statusCode, 401);
  });
});

describe('a receiver for code that sends webhooks', () => {
  test('what our code sends arrives verified', async () => {
    await using receiver = await startReceiver({ scheme: 'standard', secret: STANDARD_SECRET });
    assert.equal(await notify(receiver.url, STANDARD_SECRET, { type: 'invoice.paid', data: { id: 'in_42' } }), 200);
    const [delivery] = await receiver.waitFor(1);
    assert.equal(delivery?.verified, true);
    assert.equal(delivery?.eventType, 'invoice.paid');
  });
});
