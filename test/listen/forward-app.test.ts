/**
 * What the app behind `--forward-to` gets: the path it was posted to when the target names none,
 * an Idempotency-Key, and a Twilio signature it can verify (Twilio signs the URL, so the listener
 * re-signs for the app's URL), judged by Twilio's own library.
 */
import { sign as octokitSign } from '@octokit/webhooks-methods';
import { afterEach, describe, expect, it } from 'vitest';
import { listenOptionsFrom } from '../../src/commands/listen/options.js';
import { runCli } from '../helpers/cli.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { twilioWebhooks } from '../schemes/support.js';
import { cleanup, listen, onCleanup, post } from './support.js';

afterEach(cleanup);

async function app(): Promise<TestServer> {
  const server = await startServer((_req, res) => void res.end('ok'));
  onCleanup(() => server.close());
  return server;
}

const SECRET = 'forward-secret';

describe('what the app gets', () => {
  it('a target without a path keeps each delivery\'s path; a target with one is used as it is', async () => {
    const target = await app();
    const keeping = await listen({ secrets: [SECRET], forward: { url: `${target.url}/`, keepPath: true } });
    const body = '{"zen":"hi"}';
    const headers = { 'x-hub-signature-256': await octokitSign(SECRET, body), 'x-github-event': 'ping', 'content-type': 'application/json' };
    expect((await post(`${keeping.url}api/github/webhooks?src=gh`, body, { ...headers, 'x-github-delivery': 'p-1' })).status).toBe(200);
    expect((await post(`${keeping.url}stripe`, body, { ...headers, 'x-github-delivery': 'p-2' })).status).toBe(200);
    const fixed = await listen({ secrets: [SECRET], forward: { url: `${target.url}/hooks` } });
    expect((await post(`${fixed.url}api/github/webhooks`, body, { ...headers, 'x-github-delivery': 'p-3' })).status).toBe(200);
    const requests = await target.waitForRequests(3);
    expect(requests.map((request) => request.url)).toEqual(['/api/github/webhooks?src=gh', '/stripe', '/hooks']);
    // Idempotency-Key is the event id, as the contract says, so the app can dedupe what an
    // at-least-once forward repeats. GitHub does not sign its delivery id, so the listener's own key
    // binds the id to the signature (a replayed body under a future id must not make the app drop
    // that event): it comes beside it, as Hookctl-Dedupe-Key.
    const signature = headers['x-hub-signature-256'].slice('sha256='.length, 'sha256='.length + 32);
    expect(requests.map((request) => request.headers['idempotency-key'])).toEqual(['p-1', 'p-2', 'p-3']);
    expect(requests.map((request) => request.headers['hookctl-dedupe-key'])).toEqual(['p-1', 'p-2', 'p-3'].map((id) => `${id}|sig:${signature}`));
  });

  it('Twilio: the listener verifies, then re-signs for the app\'s URL, and Twilio\'s validateRequest accepts it', async () => {
    const token = 'twilio-auth-token';
    const target = await app();
    const appUrl = `${target.url}/sms`;
    for (const ackFirst of [false, true]) {
      const listener = await listen({ scheme: 'twilio', secrets: [token], forward: { url: appUrl, ackFirst } });
      const params = { MessageSid: `SM${ackFirst ? 1 : 0}`, From: '+15005550006', Body: 'hello there' };
      const form = new URLSearchParams(params).toString();
      const signature = twilioWebhooks.getExpectedTwilioSignature(token, listener.url, params);
      const response = await post(listener.url, form, { 'x-twilio-signature': signature, 'content-type': 'application/x-www-form-urlencoded' });
      expect(response.status).toBe(200);
    }
    const requests = await target.waitForRequests(2);
    for (const request of requests) {
      const params = Object.fromEntries(new URLSearchParams(request.body.toString('utf8')));
      expect(twilioWebhooks.validateRequest(token, String(request.headers['x-twilio-signature']), appUrl, params)).toBe(true);
    }
  });

  it('--forward-to keeps the path only when the URL names none', () => {
    const keepPath = (forwardTo: string) => listenOptionsFrom({ port: '0', forwardTo, capture: false }, {}).forward?.keepPath;
    expect(keepPath('http://app.test')).toBe(true);
    expect(keepPath('http://app.test?team=a')).toBe(false);
    expect(keepPath('http://app.test/')).toBe(false);
    expect(keepPath('http://app.test/webhooks')).toBe(false);
  });

  it('Twilio with neither --secret nor --forward-secret is refused at start, with the fix', async () => {
    const result = await runCli(['listen', '--port', '0', '--scheme', 'twilio', '--forward-to', 'http://127.0.0.1:9/sms']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/Twilio signs the URL.*--secret.*--forward-secret/);
  });
});
