import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { send } from 'hookctl/testing';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createApp } from '../src/stripe-express.js';

const secret = 'whsec_test_consumer_secret';
let server: Server;
let url: string;

beforeAll(async () => {
  server = createApp(secret).listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/stripe`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

test('accepts a real payment_intent.succeeded', async () => {
  const response = await send(url, { scheme: 'stripe', secret, event: 'payment_intent.succeeded' });
  expect(response.status).toBe(200);
  expect(JSON.parse(response.body)).toEqual({ received: true, type: 'payment_intent.succeeded' });
});

test('refuses a body that was re-serialized after signing', async () => {
  const response = await send(url, { scheme: 'stripe', secret, event: 'payment_intent.succeeded', reserialize: true });
  expect(response.status).toBe(400);
  expect(response.body).toContain('No signatures found matching the expected signature');
});

test('refuses a stale delivery', async () => {
  const response = await send(url, { scheme: 'stripe', secret, stale: '10m' });
  expect(response.status).toBe(400);
  expect(response.body).toContain('Timestamp outside the tolerance zone');
});
