/**
 * Provider URL challenges through the real CLI: `listen` answers each the way its provider
 * expects (a signed one only once verified), `send --event <challenge>` sends them, and the SNS
 * SubscriptionConfirmation is shown with its SubscribeURL, never fetched.
 */
import { execFileSync } from 'node:child_process';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getScheme } from '../../src/schemes/registry.js';
import { signRequest } from '../../src/schemes/sign-request.js';
import { CliProcess, runCli } from '../helpers/cli.js';

const SECRET = 'handshake-secret-token';
let listener: CliProcess;
let url: string;

beforeAll(async () => {
  listener = new CliProcess(['listen', '--port', '0', '--json', '--no-capture', '--secret', SECRET]);
  url = (await listener.waitForRecord<{ url: string }>((record) => record.type === 'listening')).url;
});
afterAll(async () => {
  await listener.stop();
});

async function post(scheme: string, body: string, secret = SECRET, query = '') {
  const signed = signRequest(getScheme(scheme), { body: Buffer.from(body), secret, timestamp: Math.floor(Date.now() / 1000), id: `evt_${Math.random().toString(36).slice(2)}` });
  const response = await fetch(`${url}${query}`, { method: 'POST', headers: signed.headers, body });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

describe('listen answers provider URL challenges', () => {
  it('zoom endpoint.url_validation: {plainToken, encryptedToken = HMAC-SHA256(secret, plainToken)}; a wrong signature is 401, not answered', async () => {
    const body = JSON.stringify({ payload: { plainToken: 'qgg8vlvZRS6UYooatFL8Aw' }, event_ts: 1654503849680, event: 'endpoint.url_validation' });
    const answered = await post('zoom', body);
    expect(answered.status).toBe(200);
    expect(JSON.parse(answered.text)).toEqual({ plainToken: 'qgg8vlvZRS6UYooatFL8Aw', encryptedToken: createHmac('sha256', SECRET).update('qgg8vlvZRS6UYooatFL8Aw').digest('hex') });
    const forged = await post('zoom', body, 'not-the-secret');
    expect(forged.status).toBe(401);
    expect(forged.text).not.toContain('encryptedToken');
  });

  it('slack url_verification and twitch webhook_callback_verification echo the challenge as text/plain', async () => {
    const slack = await post('slack', JSON.stringify({ token: 't', challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P', type: 'url_verification' }));
    expect(slack).toMatchObject({ status: 200, text: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' });
    expect(slack.type).toMatch(/^text\/plain/);
    const body = JSON.stringify({ challenge: 'pogchamp-kappa-360noscope-vohiyo', subscription: { type: 'channel.follow' } });
    const signed = signRequest(getScheme('twitch'), { body: Buffer.from(body), secret: SECRET, timestamp: Math.floor(Date.now() / 1000), id: 'e3b0c442-98fc', type: 'webhook_callback_verification' });
    const twitch = await fetch(url, { method: 'POST', headers: signed.headers, body });
    expect(twitch.status).toBe(200);
    expect(await twitch.text()).toBe('pogchamp-kappa-360noscope-vohiyo');
  });

  it('GET challenges: Meta hub.challenge (verify token checked against the secrets), Dropbox, Okta; Microsoft Graph validationToken', async () => {
    const meta = await fetch(`${url}?hub.mode=subscribe&hub.verify_token=${SECRET}&hub.challenge=1158201444`);
    expect([meta.status, await meta.text()]).toEqual([200, '1158201444']);
    const wrongToken = await fetch(`${url}?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1158201444`);
    expect(wrongToken.status).toBe(403);
    expect(await wrongToken.text()).not.toContain('1158201444');
    const dropbox = await fetch(`${url}?challenge=wZP6Bd9Uc7xQ`);
    expect([dropbox.status, await dropbox.text(), dropbox.headers.get('x-content-type-options')]).toEqual([200, 'wZP6Bd9Uc7xQ', 'nosniff']);
    const okta = await fetch(url, { headers: { 'X-Okta-Verification-Challenge': 'OCnQEl6Jc2ijxHdc3C8d' } });
    expect(await okta.json()).toEqual({ verification: 'OCnQEl6Jc2ijxHdc3C8d' });
    const graph = await fetch(`${url}?validationToken=Validation%3A%20Testing%20client%20application%20reachability`, { method: 'POST', headers: { 'content-type': 'text/plain' } });
    expect([graph.status, await graph.text()]).toEqual([200, 'Validation: Testing client application reachability']);
    const asana = await fetch(url, { method: 'POST', headers: { 'X-Hook-Secret': 'b537207f20cbfa02357cf448134da559e8bd039bb6462a86f1' } });
    expect([asana.status, asana.headers.get('x-hook-secret')]).toEqual([200, 'b537207f20cbfa02357cf448134da559e8bd039bb6462a86f1']);
    // Any other GET is still refused at the door.
    expect((await fetch(url)).status).toBe(405);
  });

  it('an unsigned challenge answered by a listener pinned to its scheme is not shown as a failed signature', async () => {
    const pinned = new CliProcess(['listen', '--port', '0', '--json', '--no-capture', '--scheme', 'meta', '--secret', SECRET]);
    try {
      const at = (await pinned.waitForRecord<{ url: string }>((record) => record.type === 'listening')).url;
      const meta = await fetch(`${at}?hub.mode=subscribe&hub.verify_token=${SECRET}&hub.challenge=1158201444`);
      expect([meta.status, await meta.text()]).toEqual([200, '1158201444']);
      const record = await pinned.waitForRecord((candidate) => candidate.type === 'delivery');
      expect(record).toMatchObject({ status: 200, verified: null, reason: null });
      expect(String(record.note)).toContain('hub.challenge');
    } finally {
      await pinned.stop();
    }
  });

  it('discord: a signed PING is answered with a PONG {"type":1}, as the developer portal requires to save the URL; a forged one is 401', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookctl-discord-'));
    const pair = generateKeyPairSync('ed25519');
    const publicKey = join(dir, 'discord.pem');
    writeFileSync(publicKey, pair.publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o600 });
    const privateKey = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const forger = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const discord = new CliProcess(['listen', '--port', '0', '--json', '--no-capture', '--public-key', publicKey]);
    try {
      const at = (await discord.waitForRecord<{ url: string }>((record) => record.type === 'listening')).url;
      const ping = JSON.stringify({ id: '1161467463453413376', application_id: '1161466937374359552', type: 1, version: 1, token: 'aW50ZXJhY3Rpb24' });
      const postSigned = (key: string, body: string) => {
        const signed = signRequest(getScheme('discord'), { body: Buffer.from(body), secret: key, timestamp: Math.floor(Date.now() / 1000), id: '1' });
        return fetch(at, { method: 'POST', headers: signed.headers, body });
      };
      const pong = await postSigned(privateKey, ping);
      expect(pong.status).toBe(200);
      expect(pong.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await pong.json()).toEqual({ type: 1 });
      expect((await postSigned(forger, ping)).status).toBe(401);
      // An ordinary interaction (type 2) is a delivery, not a handshake.
      const command = await postSigned(privateKey, JSON.stringify({ id: '2', type: 2, data: { name: 'hello' } }));
      expect(await command.json()).toMatchObject({ ok: true });
    } finally {
      await discord.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('send --scheme zoom --event endpoint.url_validation and --scheme twitch --event webhook_callback_verification are answered and shown', async () => {
    for (const [scheme, event, note] of [
      ['zoom', 'endpoint.url_validation', /answered Zoom endpoint.url_validation/],
      ['twitch', 'webhook_callback_verification', /answered Twitch webhook_callback_verification/],
    ] as const) {
      const sent = await runCli(['send', url, '--scheme', scheme, '--event', event, '--secret', SECRET, '--no-retry', '--json']);
      expect(sent.code, sent.stderr).toBe(0);
      // This send's own delivery (an earlier test posted a challenge of the same type directly).
      const { eventId } = JSON.parse(sent.stdout.trim().split('\n').at(-1)!) as { eventId: string };
      const record = await listener.waitForRecord((line) => line.type === 'delivery' && line.eventId === eventId);
      expect(record).toMatchObject({ scheme, eventType: event, verified: true, status: 200, note: expect.stringMatching(note) });
    }
  });
});

describe('--no-handshakes', () => {
  it('passes a challenge on like any delivery (verified, stored, 2xx) instead of answering it', async () => {
    const plain = new CliProcess(['listen', '--port', '0', '--json', '--no-capture', '--secret', SECRET, '--no-handshakes']);
    try {
      const { url: plainUrl } = await plain.waitForRecord<{ url: string }>((record) => record.type === 'listening');
      const body = JSON.stringify({ payload: { plainToken: 'qgg8vlvZRS6UYooatFL8Aw' }, event_ts: 1654503849680, event: 'endpoint.url_validation' });
      const signed = signRequest(getScheme('zoom'), { body: Buffer.from(body), secret: SECRET, timestamp: Math.floor(Date.now() / 1000), id: 'z1' });
      const response = await fetch(plainUrl, { method: 'POST', headers: signed.headers, body });
      expect(response.status).toBe(200);
      expect(await response.text()).not.toContain('encryptedToken');
      expect((await fetch(`${plainUrl}?challenge=abc`)).status).toBe(405);
      const record = await plain.waitForRecord((line) => line.type === 'delivery');
      expect(record).toMatchObject({ scheme: 'zoom', verified: true });
      expect(record.note).toBeUndefined();
    } finally {
      await plain.stop();
    }
  });
});

describe('sns SubscriptionConfirmation', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookctl-sns-hs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('is verified against the certificate named and shown with its SubscribeURL, which is not fetched', async () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '2', '-subj', '/CN=sns.us-east-1.amazonaws.com'], { stdio: 'ignore' });
    const sns = new CliProcess(['listen', '--port', '0', '--json', '--no-capture', '--scheme', 'sns', '--public-key', join(dir, 'c.pem')]);
    try {
      const { url: snsUrl } = await sns.waitForRecord<{ url: string }>((record) => record.type === 'listening');
      const sent = await runCli(['send', snsUrl, '--scheme', 'sns', '--event', 'SubscriptionConfirmation', '--private-key', join(dir, 'k.pem'), '--no-retry', '--json']);
      expect(sent.code, sent.stderr).toBe(0);
      const record = await sns.waitForRecord((line) => line.type === 'delivery');
      expect(record).toMatchObject({ scheme: 'sns', verified: true, eventType: 'SubscriptionConfirmation', note: expect.stringMatching(/open https:\/\/sns\.us-east-1\.amazonaws\.com\/\?Action=ConfirmSubscription.*does not fetch/) });
    } finally {
      await sns.stop();
    }
  });
});
