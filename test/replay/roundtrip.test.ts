/**
 * The round trip users rely on: a real `hookctl listen --capture` receives deliveries signed by the
 * providers' official libraries, `hookctl replay` sends the capture to a second receiver, and the
 * bodies arrive identical to the byte and verify again with the official libraries.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { sign as octokitSign } from '@octokit/webhooks-methods';
import { getHmac } from '@shopify/shopify-api/test-helpers';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import { CliProcess, runCli } from '../helpers/cli.js';
import { startServer, type ReceivedRequest, type TestServer } from '../helpers/server.js';
import { SECRET, githubHmac, records, removeTempDirs, tempDir, verifyOfficially } from './support.js';

const require = createRequire(import.meta.url);
const twilioWebhooks = require('twilio/lib/webhooks/webhooks.js') as typeof import('twilio/lib/webhooks/webhooks.js');
const stripe = new Stripe('sk_test_hookctl_roundtrip');

let listener: CliProcess | undefined;
let server: TestServer | undefined;
afterEach(async () => {
  await listener?.stop();
  listener = undefined;
  await server?.close();
  server = undefined;
  removeTempDirs();
});

interface Original {
  name: string;
  scheme: string;
  body: Buffer;
  headers: Record<string, string>;
  path: string;
}

/** Deliveries as each provider's official library signs them (node:crypto where no library can take the body). */
async function originals(listenUrl: string): Promise<Original[]> {
  const list: Original[] = [];
  const now = Math.floor(Date.now() / 1000);

  const push = Buffer.from('{"ref":"refs/heads/main","after":"3f6a1c2b9d4e5f60718293a4b5c6d7e8f9012345","héllo":"✓ 🚀"}');
  list.push({ name: 'github json', scheme: 'github', body: push, path: '/gh', headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': randomUUID(), 'x-hub-signature-256': await octokitSign(SECRET, push.toString()) } });

  // Not UTF-8 at all: stored base64, and no string-based library can sign it, so node:crypto does, as GitHub documents.
  const binary = Buffer.concat([Buffer.from([0x00, 0xff, 0xfe, 0x80, 0xc3, 0x28, 0x0d, 0x0a]), randomBytes(2048)]);
  list.push({ name: 'binary', scheme: 'github', body: binary, path: '/gh', headers: { 'content-type': 'application/octet-stream', 'x-github-event': 'push', 'x-github-delivery': randomUUID(), 'x-hub-signature-256': githubHmac(SECRET, binary) } });

  const crlf = Buffer.from('{\r\n  "id": "evt_1RoundTrip0000000000000001",\r\n  "object": "event",\r\n  "type": "invoice.paid"\r\n}\r\n\n');
  list.push({ name: 'stripe crlf + trailing newline', scheme: 'stripe', body: crlf, path: '/stripe', headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload: crlf.toString(), secret: SECRET }) } });

  const standardBody = Buffer.from('{"type":"user.created","timestamp":"2026-01-15T10:04:30Z","data":{"id":"usr_1"}}');
  const msgId = 'msg_2roundtrip0000000000000001';
  const standardSignature = new StandardWebhook(SECRET).sign(msgId, new Date(), standardBody.toString());
  list.push({ name: 'standard', scheme: 'standard', body: standardBody, path: '/std', headers: { 'content-type': 'application/json', 'webhook-id': msgId, 'webhook-timestamp': String(now), 'webhook-signature': standardSignature } });

  // Slack ships a verifier but no signer; its documented recipe is HMAC-SHA256 over v0:ts:body.
  const slackBody = Buffer.from('{"type":"event_callback","event_id":"Ev0ROUNDTRIP1","event":{"type":"message","text":"hi\\nthere"}}');
  list.push({ name: 'slack', scheme: 'slack', body: slackBody, path: '/slack', headers: { 'content-type': 'application/json', 'x-slack-request-timestamp': String(now), 'x-slack-signature': `v0=${createHmac('sha256', SECRET).update(`v0:${now}:`).update(slackBody).digest('hex')}` } });

  const order = Buffer.from('{"id":820982911946154508,"email":"jon@example.com","note":"line one\\r\\nline two"}');
  list.push({
    name: 'shopify',
    scheme: 'shopify',
    body: order,
    path: '/shop',
    headers: { 'content-type': 'application/json', 'x-shopify-topic': 'orders/create', 'x-shopify-shop-domain': 'hookctl-dev.myshopify.com', 'x-shopify-api-version': '2025-10', 'x-shopify-webhook-id': randomUUID(), 'x-shopify-hmac-sha256': getHmac(order.toString(), SECRET) },
  });

  const form = new URLSearchParams({ MessageSid: 'SM0123456789abcdef0123456789abcdef', From: '+12125550123', To: '+14155550100', Body: 'Hello & goodbye', SmsStatus: 'received' });
  const formBody = Buffer.from(form.toString());
  list.push({
    name: 'twilio form',
    scheme: 'twilio',
    body: formBody,
    path: '/sms',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioWebhooks.getExpectedTwilioSignature(SECRET, `${listenUrl}/sms`, Object.fromEntries(form)) },
  });
  return list;
}

async function post(url: string, original: Original): Promise<number> {
  const response = await fetch(url, { method: 'POST', headers: original.headers, body: original.body });
  await response.arrayBuffer();
  return response.status;
}

function find(requests: ReceivedRequest[], body: Buffer): ReceivedRequest {
  const found = requests.find((request) => request.body.equals(body));
  if (!found) throw new Error(`no request arrived with this exact body (${body.length} bytes)`);
  return found;
}

describe('listen --capture -> replay round trip', () => {
  it('bodies arrive identical to the byte and verify with the official libraries; --as-is keeps the stored headers', async () => {
    const dir = tempDir();
    listener = new CliProcess(['listen', '--port', '0', '--capture', dir, '--secret', SECRET, '--json']);
    const { url } = await listener.waitForRecord<{ url: string }>((record) => record.type === 'listening');
    const base = url.replace(/\/$/, '');
    const sent = await originals(base);
    // One at a time, so capture order is send order.
    for (const original of sent) expect(await post(`${base}${original.path}`, original), original.name).toBe(200);
    await listener.waitForLine((line) => line.includes('"type":"delivery"') && listener!.records().filter((record) => record.type === 'delivery').length >= sent.length);
    const deliveries = listener.records().filter((record) => record.type === 'delivery');
    expect(deliveries.map((delivery) => [delivery.scheme, delivery.verified])).toEqual(sent.map((original) => [original.scheme, true]));
    expect((await listener.stop()).code).toBe(0);
    expect(readdirSync(dir).filter((name) => !name.startsWith('.'))).toEqual(['deliveries.ndjson']);

    server = await startServer();
    const replay = await runCli(['replay', dir, '--to', `${server.url}/in`, '--secret', SECRET, '--json']);
    expect(replay.stderr).not.toMatch(/warning|error/i);
    expect(replay.code, replay.stdout + replay.stderr).toBe(0);
    expect(records(replay.stdout).at(-1)).toEqual({ type: 'summary', total: sent.length, ok: sent.length, failed: 0 });
    expect(server.requests).toHaveLength(sent.length);
    // Replayed in capture order.
    expect(server.requests.map((request) => request.body.toString('base64'))).toEqual(sent.map((original) => original.body.toString('base64')));
    for (const original of sent) {
      const request = find(server.requests, original.body);
      if (original.name === 'binary') {
        expect(request.headers['x-hub-signature-256']).toBe(githubHmac(SECRET, original.body));
      } else {
        await verifyOfficially(original.scheme, request, SECRET, `${server.url}${request.url}`);
      }
      expect(request.headers['content-type']).toBe(original.headers['content-type']);
      expect(request.headers.host).toBe(new URL(server.url).host);
    }
    expect(find(server.requests, sent[0]!.body).headers['x-github-delivery']).toBe(sent[0]!.headers['x-github-delivery']);

    // --as-is: the stored headers, signatures included, exactly as captured.
    const second = await startServer();
    try {
      const asIs = await runCli(['replay', dir, '--to', `${second.url}/in`, '--as-is']);
      expect(asIs.code).toBe(0);
      for (const original of sent) {
        const request = find(second.requests, original.body);
        for (const [name, value] of Object.entries(original.headers)) expect(request.headers[name], `${original.name} ${name}`).toBe(value);
      }
    } finally {
      await second.close();
    }
  });

  it('--extract turns a journal record into a fixture that replays the same bytes', async () => {
    const dir = tempDir();
    listener = new CliProcess(['listen', '--port', '0', '--capture', dir, '--secret', SECRET, '--json']);
    const { url } = await listener.waitForRecord<{ url: string }>((record) => record.type === 'listening');
    const base = url.replace(/\/$/, '');
    const [github, binary, stripeCrlf] = await originals(base);
    for (const original of [github!, binary!, stripeCrlf!]) expect(await post(`${base}${original.path}`, original)).toBe(200);
    await listener.waitForLine(() => listener!.records().filter((record) => record.type === 'delivery').length >= 3);
    const captureIds = listener.records().filter((record) => record.type === 'delivery').map((record) => String(record.id));
    await listener.stop();

    const out = join(tempDir(), 'regressions', 'stripe-crlf.json');
    const extract = await runCli(['replay', dir, '--extract', 'evt_1RoundTrip0000000000000001', '--out', out, '--json']);
    expect(extract.stderr).toBe('');
    expect(extract.code).toBe(0);
    expect(records(extract.stdout)).toEqual([expect.objectContaining({ type: 'extract', eventId: 'evt_1RoundTrip0000000000000001', eventType: 'invoice.paid' })]);
    const fixture = JSON.parse(readFileSync(out, 'utf8'));
    expect(fixture.format).toBe('hookctl.delivery.v1');
    expect(fixture.body).toBe(stripeCrlf!.body.toString());

    const binaryOut = join(tempDir(), 'binary.json');
    expect((await runCli(['replay', dir, '--extract', captureIds[1]!, '--out', binaryOut])).code).toBe(0);
    expect(JSON.parse(readFileSync(binaryOut, 'utf8')).bodyEncoding).toBe('base64');

    server = await startServer();
    const replay = await runCli(['replay', out, binaryOut, '--to', `${server.url}/in`, '--secret', SECRET]);
    expect(replay.code, replay.stdout + replay.stderr).toBe(0);
    expect(server.requests[0]!.body.equals(stripeCrlf!.body)).toBe(true);
    expect(server.requests[1]!.body.equals(binary!.body)).toBe(true);
    await verifyOfficially('stripe', server.requests[0]!, SECRET, '');

    // Refuses to overwrite unless asked; an unknown id is a clear failure.
    const again = await runCli(['replay', dir, '--extract', captureIds[0]!, '--out', out]);
    expect([again.code, again.stderr.trim()]).toEqual([1, `hookctl: --out: ${out} already exists (pass --force to replace it)`]);
    expect((await runCli(['replay', dir, '--extract', captureIds[0]!, '--out', out, '--force'])).code).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).id).toBe(captureIds[0]);
    const unknown = await runCli(['replay', dir, '--extract', 'evt_nope', '--out', out]);
    expect([unknown.code, unknown.stderr.trim()]).toEqual([1, `hookctl: --extract: no record with capture id or event id "evt_nope" in ${dir}`]);
    const noOut = await runCli(['replay', dir, '--extract', 'evt_nope']);
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toMatch(/--out: the fixture file to write is required/);
  });

  it('a folder of --capture-files fixtures replays in arrival order', async () => {
    const dir = tempDir();
    listener = new CliProcess(['listen', '--port', '0', '--capture', dir, '--capture-files', '--secret', SECRET, '--json']);
    const { url } = await listener.waitForRecord<{ url: string }>((record) => record.type === 'listening');
    const base = url.replace(/\/$/, '');
    const sent = (await originals(base)).slice(0, 5);
    for (const original of sent) expect(await post(`${base}${original.path}`, original)).toBe(200);
    await listener.waitForLine(() => listener!.records().filter((record) => record.type === 'delivery').length >= sent.length);
    await listener.stop();
    expect(readdirSync(dir).filter((name) => name.endsWith('.json'))).toHaveLength(sent.length);

    server = await startServer();
    const replay = await runCli(['replay', dir, '--to', `${server.url}/in`, '--secret', SECRET]);
    expect(replay.code).toBe(0);
    expect(server.requests.map((request) => request.body.toString('base64'))).toEqual(sent.map((original) => original.body.toString('base64')));
  });
});
