/**
 * `hookctl send` straight to an app that refuses: the attempt record keeps the app's answer
 * (status, error, headers, the start of its body) and the hint; the human line shows both too.
 * The app is Express + stripe-node verifying the raw body with another secret.
 */
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const stripe = new Stripe('sk_test_unused');
const stops: Array<() => unknown> = [];
afterEach(async () => {
  while (stops.length > 0) await stops.pop()!();
});

async function rawBodyApp(secret: string): Promise<string> {
  const app = express();
  app.post('/webhooks', express.raw({ type: '*/*' }), (req, res) => {
    try {
      stripe.webhooks.constructEvent(req.body as Buffer, String(req.headers['stripe-signature']), secret);
      res.json({ received: true });
    } catch (error) {
      res.status(400).send(`Webhook Error: ${(error as Error).message}`);
    }
  });
  const server: Server = await new Promise((resolve) => {
    const started = app.listen(0, '127.0.0.1', () => resolve(started));
  });
  stops.push(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
}

describe('send to an app that refuses', () => {
  it('--json: the attempt keeps the app\'s status, words and hint; the human form shows the hint too', async () => {
    const url = await rawBodyApp('whsec_the_apps_own_secret');
    const args = ['send', url, '--scheme', 'stripe', '--event', 'payment_intent.succeeded', '--secret', 'whsec_hookctl_test'];
    const json = await runCli([...args, '--json']);
    expect(json.code).toBe(1);
    const attempt = json.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, any>).find((record) => record.type === 'attempt')!;
    expect(attempt).toMatchObject({ status: 400, error: expect.stringMatching(/^HTTP 400: Webhook Error: No signatures found matching the expected signature/), app: { status: 400, headers: { 'x-powered-by': 'Express' }, body: expect.stringMatching(/No signatures found/) } });
    expect(attempt.hint).toMatch(/^hookctl signed these exact bytes with the --secret given; most likely your app holds a different secret than --secret/);

    const human = await runCli(args);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/attempt 1: 400 .*No signatures found/);
    expect(human.stdout).toMatch(/hint: hookctl signed these exact bytes with the --secret given; most likely your app holds a different secret/);
  });
});
