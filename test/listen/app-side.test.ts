/**
 * The app's side of the story: when hookctl verified a delivery and the app behind --forward-to
 * refused it, the listener shows the app's answer and, when it reads like a failed signature check,
 * the likely cause with the raw-body recipe for the framework that answered. The app here is the
 * classic bug, written as Stripe documents it but behind express.json(): Express + stripe-node.
 */
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import { CliProcess } from '../helpers/cli.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const stripe = new Stripe('sk_test_unused');
const stops: Array<() => unknown> = [];
afterEach(async () => {
  while (stops.length > 0) await stops.pop()!();
});

/** An Express app that verifies a body express.json() already parsed (re-serialized): every delivery fails there. */
async function parsedBodyApp(): Promise<string> {
  const app = express();
  app.use(express.json());
  app.post('/webhooks', (req, res) => {
    try {
      stripe.webhooks.constructEvent(JSON.stringify(req.body), String(req.headers['stripe-signature']), SECRET);
      res.json({ received: true });
    } catch (error) {
      res.status(400).send(`Webhook Error: ${(error as Error).message}`);
    }
  });
  app.post('/orders', (_req, res) => void res.status(422).json({ error: 'quantity must be positive' }));
  const server: Server = await new Promise((resolve) => {
    const started = app.listen(0, '127.0.0.1', () => resolve(started));
  });
  stops.push(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function signedDelivery(id: string): { body: string; headers: Record<string, string> } {
  // Pretty-printed, as Stripe sends it: re-serializing changes the bytes.
  const body = JSON.stringify({ id, object: 'event', type: 'payment_intent.succeeded', data: { object: { amount: 1000 } } }, null, 2);
  return { body, headers: { 'content-type': 'application/json', 'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload: body, secret: SECRET }) } };
}

async function startListener(args: string[]): Promise<{ cli: CliProcess; url: string }> {
  const cli = new CliProcess(['listen', '--port', '0', '--no-capture', '--secret', SECRET, ...args]);
  stops.push(() => cli.stop());
  const line = await cli.waitForLine((text) => text.includes('listening'));
  return { cli, url: /(http:\/\/\S+?)\/?"?(?:,|$)/.exec(line)![1]! };
}

describe('a verified delivery the app refuses', () => {
  it('--json: the forward carries the app\'s status, headers and body, and the raw-body hint for Express', async () => {
    const app = await parsedBodyApp();
    const { cli, url } = await startListener(['--json', '--forward-to', `${app}/webhooks`]);
    const { body, headers } = signedDelivery('evt_app_side_1');
    const response = await fetch(`${url}/`, { method: 'POST', body, headers });
    expect(response.status).toBe(400);
    const record = await cli.waitForRecord<{ verified: boolean; forward: { status: number; app: { status: number; headers: Record<string, string>; body: string }; hint: string } }>((r) => r.type === 'delivery');
    expect(record.verified).toBe(true);
    expect(record.forward.status).toBe(400);
    expect(record.forward.app.headers['x-powered-by']).toBe('Express');
    expect(record.forward.app.body).toMatch(/No signatures found matching the expected signature/);
    // A mismatch: a different secret and a re-serialized body both explain it (Stripe sends pretty JSON).
    expect(record.forward.hint).toMatch(/hookctl verified these exact bytes with the listener's secret; most likely your app holds a different secret .*; otherwise your app verifies a parsed, re-serialized body \(Express: mount `express\.raw/);
  });

  it('on the terminal line (and queued with --ack-first): the app\'s answer and the hint; a 4xx about something else gets no hint', async () => {
    const app = await parsedBodyApp();
    const { cli, url } = await startListener(['--forward-to', `${app}/webhooks`, '--ack-first', '--forward-retry-schedule', '0']);
    const { body, headers } = signedDelivery('evt_app_side_2');
    expect((await fetch(`${url}/`, { method: 'POST', body, headers })).status).toBe(200);
    await cli.waitForLine((line) => line.includes('→ app gave up: 400'));
    await cli.waitForLine((line) => /app answered 400: Webhook Error: No signatures found/.test(line));
    await cli.waitForLine((line) => /hint: hookctl verified these exact bytes.*different secret.*Express/.test(line));

    const other = await startListener(['--forward-to', `${app}/orders`]);
    const next = signedDelivery('evt_app_side_3');
    expect((await fetch(`${other.url}/`, { method: 'POST', body: next.body, headers: next.headers })).status).toBe(422);
    await other.cli.waitForLine((line) => /app answered 422: \{"error":"quantity must be positive"\}/.test(line));
    await other.cli.stop();
    expect(other.cli.stdoutLines.join('\n')).not.toMatch(/hint:/);
  });

  it('a correct raw-body app holding another secret: the different secret is said first, the worker-shared hint names no parsed object', async () => {
    const app = express();
    app.post('/webhooks', express.raw({ type: '*/*' }), (req, res) => {
      try {
        stripe.webhooks.constructEvent(req.body as Buffer, String(req.headers['stripe-signature']), 'whsec_a_different_secret');
        res.json({ received: true });
      } catch (error) {
        res.status(400).send(`Webhook Error: ${(error as Error).message}`);
      }
    });
    const server: Server = await new Promise((resolve) => {
      const started = app.listen(0, '127.0.0.1', () => resolve(started));
    });
    stops.push(() => new Promise((resolve) => server.close(resolve)));
    const { cli, url } = await startListener(['--json', '--forward-to', `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`]);
    const { body, headers } = signedDelivery('evt_app_side_4');
    expect((await fetch(`${url}/`, { method: 'POST', body, headers })).status).toBe(400);
    const record = await cli.waitForRecord<{ forward: { hint: string } }>((r) => r.type === 'delivery');
    expect(record.forward.hint).toMatch(/^hookctl verified these exact bytes with the listener's secret; most likely your app holds a different secret/);
  });
});
