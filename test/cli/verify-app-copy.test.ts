/**
 * "Where hookctl holds the original bytes it can compare them with what the app says it got"
 * (issue 14). A Python sender's delivery goes through `hookctl listen --capture-files
 * --forward-to` to an Express app that verifies a body express.json() already parsed — the
 * classic bug — and logs what it verified. `hookctl verify --fixture CAPTURE --file APP_COPY`
 * then names each change the app's re-serialization made, which no variant of the app's copy
 * alone can reproduce (1.0 → 1, \u00eb → ë).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import { CliProcess, runCli } from '../helpers/cli.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const stripe = new Stripe('sk_test_unused');
const stops: Array<() => unknown> = [];
afterEach(async () => {
  while (stops.length > 0) await stops.pop()!();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hookctl-app-copy-'));
  stops.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Express + express.json() + stripe-node: verifies JSON.stringify(req.body) and logs what it verified. */
async function parsingApp(logFile: string): Promise<string> {
  const app = express();
  app.use(express.json());
  app.post('/webhooks', (req, res) => {
    const verified = JSON.stringify(req.body);
    try {
      stripe.webhooks.constructEvent(verified, String(req.headers['stripe-signature']), SECRET);
      res.json({ received: true });
    } catch (error) {
      writeFileSync(logFile, verified);
      res.status(400).send(`Webhook Error: ${(error as Error).message}`);
    }
  });
  const server: Server = await new Promise((resolve) => {
    const started = app.listen(0, '127.0.0.1', () => resolve(started));
  });
  stops.push(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('verify --fixture CAPTURE --file WHAT_THE_APP_VERIFIED', () => {
  it('names what the app re-serialization changed, and exits 1; the capture itself verifies', async () => {
    const dir = tempDir();
    const appLog = join(dir, 'app-verified.json');
    const secretFile = join(dir, 'secret');
    writeFileSync(secretFile, `${SECRET}\n`);
    const app = await parsingApp(appLog);
    const listener = new CliProcess(['listen', '--port', '0', '--json', '--capture', join(dir, 'captured'), '--capture-files', '--secret-file', secretFile, '--forward-to', `${app}/webhooks`]);
    stops.push(() => listener.stop());
    const listening = await listener.waitForRecord<{ url: string }>((record) => record.type === 'listening');

    // A sender written in Python: json.dumps, as its standard library writes JSON.
    const body = execFileSync('python3', ['-c', 'import json, sys; sys.stdout.write(json.dumps({"id": "evt_py_1", "type": "customer.updated", "data": {"object": {"name": "Zo\\u00eb", "fee_rate": 1.0}}}))'], { encoding: 'utf8' });
    expect(body).toContain('"Zo\\u00eb"');
    expect(body).toContain('"fee_rate": 1.0');
    const response = await fetch(listening.url, { method: 'POST', body, headers: { 'content-type': 'application/json', 'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload: body, secret: SECRET }) } });
    expect(response.status).toBe(400);
    const delivery = await listener.waitForRecord<{ verified: boolean; capture: string; forward: { status: number } }>((record) => record.type === 'delivery');
    expect(delivery).toMatchObject({ verified: true, forward: { status: 400 } });

    const capture = await runCli(['verify', '--fixture', delivery.capture, '--secret-file', secretFile]);
    expect(capture.code, capture.stderr).toBe(0);

    const human = await runCli(['verify', '--fixture', delivery.capture, '--file', appLog, '--secret-file', secretFile]);
    expect(human.code, human.stderr).toBe(1);
    expect(human.stdout).toContain('signature_mismatch');
    expect(human.stdout).toContain('likely cause: the signature matches the original body, and this copy is that body parsed and re-serialized, which changed');
    expect(human.stdout).toContain('"Zo\\u00eb" → "Zoë" at $.data.object.name');
    expect(human.stdout).toContain('1.0 → 1 at $.data.object.fee_rate');

    const json = await runCli(['verify', '--fixture', delivery.capture, '--file', appLog, '--secret-file', secretFile, '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ type: 'verification', verified: false, reason: 'signature_mismatch', diagnosis: expect.stringContaining('1.0 → 1 at $.data.object.fee_rate') });

    // Without the capture, the app's copy alone: nothing can bring 1.0 back, so no invented cause.
    const captured = JSON.parse(readFileSync(delivery.capture, 'utf8')) as { headers: Record<string, string> };
    const alone = await runCli(['verify', '--scheme', 'stripe', '-H', `Stripe-Signature: ${captured.headers['stripe-signature']}`, '--file', appLog, '--secret-file', secretFile, '--json']);
    expect(alone.code).toBe(1);
    expect(JSON.parse(alone.stdout).diagnosis).toBeNull();
    const aloneHuman = await runCli(['verify', '--scheme', 'stripe', '-H', `Stripe-Signature: ${captured.headers['stripe-signature']}`, '--file', appLog, '--secret-file', secretFile]);
    expect(aloneHuman.stdout).toContain('or the body was re-serialized in a way nothing can undo (1.0 → 1, key order): given the bytes as they arrived, verify --fixture CAPTURE --file THIS_BODY names what changed');
  });
});
