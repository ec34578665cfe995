import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { startServer } from '../helpers/server.js';
import { records, startVerifyingReceiver, type VerifyingReceiver } from './receiver.js';

const STANDARD_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const receivers: VerifyingReceiver[] = [];

afterEach(async () => {
  await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
});

async function receiver(...args: Parameters<typeof startVerifyingReceiver>): Promise<VerifyingReceiver> {
  const started = await startVerifyingReceiver(...args);
  receivers.push(started);
  return started;
}

describe('hookctl send: one event, verified by the provider libraries', () => {
  it('stripe: a sample event that constructEvent accepts, with a fresh event id in the body', async () => {
    const target = await receiver('stripe', 'whsec_hookctl_test');
    const result = await runCli(['send', `${target.url}/webhooks`, '--scheme', 'stripe', '--event', 'payment_intent.succeeded', '--secret', 'whsec_hookctl_test', '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const [judged] = await target.waitFor(1);
    expect(judged!.verified).toBe(true);
    expect(judged!.request.url).toBe('/webhooks');
    const body = JSON.parse(judged!.request.body.toString()) as { id: string; type: string };
    expect(body.type).toBe('payment_intent.succeeded');
    expect(body.id).toMatch(/^evt_/);
    expect(body.id).not.toBe('evt_3SpQ2mLkdIwHu7ix0Kc4Ab9Z'); // the sample's own id is replaced
    expect(judged!.request.headers['user-agent']).toMatch(/^Stripe\//);
    expect(records(result.stdout)).toEqual([
      { type: 'attempt', eventId: body.id, attempt: 1, status: 200, error: null, ms: expect.any(Number), willRetry: false },
      { type: 'result', eventId: body.id, eventType: 'payment_intent.succeeded', delivered: true, attempts: 1, status: 200 },
    ]);
  });

  it('github: octokit verifies; X-GitHub-Event, X-GitHub-Delivery and a JSON content type are sent', async () => {
    const target = await receiver('github', "It's a Secret to Everybody");
    const result = await runCli(['send', target.url, '--scheme', 'github', '--event', 'pull_request.opened', '--secret', "It's a Secret to Everybody", '--json']);
    expect(result.code).toBe(0);
    const [judged] = await target.waitFor(1);
    expect(judged!.verified).toBe(true);
    const headers = judged!.request.headers;
    expect(headers['x-github-event']).toBe('pull_request');
    expect(headers['x-github-delivery']).toMatch(/^[0-9a-f-]{36}$/);
    expect(headers['content-type']).toBe('application/json');
    expect(headers['user-agent']).toMatch(/^GitHub-Hookshot\//);
    expect(JSON.parse(judged!.request.body.toString()).action).toBe('opened');
    const result2 = records(result.stdout).find((record) => record.type === 'result');
    expect(result2).toMatchObject({ eventId: headers['x-github-delivery'], delivered: true });
  });

  it('sends --data byte for byte, --id as the event id, and --header adds or overrides (any case)', async () => {
    const target = await receiver('standard', STANDARD_SECRET);
    const data = '{ "type": "user.created",\n  "data": {"name":"Zoë"} }';
    const result = await runCli(['send', target.url, '--data', data, '--id', 'msg_fixed123', '--secret', STANDARD_SECRET, '-H', 'user-agent: my-sender/1.0', '-H', 'X-Extra: yes']);
    expect(result.code).toBe(0);
    const [judged] = await target.waitFor(1);
    expect(judged!.verified).toBe(true);
    expect(judged!.request.body.toString('utf8')).toBe(data);
    expect(judged!.eventId).toBe('msg_fixed123');
    expect(judged!.request.headers['user-agent']).toBe('my-sender/1.0');
    expect(judged!.request.headers['x-extra']).toBe('yes');
    expect(result.stdout).toContain('delivered msg_fixed123');
  });

  it('sends --file - from stdin', async () => {
    const target = await receiver('standard', STANDARD_SECRET);
    const result = await runCli(['send', target.url, '--file', '-', '--secret', STANDARD_SECRET], { input: '{"type":"from.stdin"}' });
    expect(result.code).toBe(0);
    const [judged] = await target.waitFor(1);
    expect(judged!.verified).toBe(true);
    expect(judged!.request.body.toString()).toBe('{"type":"from.stdin"}');
  });

  it('a fixture file argument brings its scheme along when --scheme is not given', async () => {
    const target = await receiver('github', 'gh-secret');
    const result = await runCli(['send', target.url, 'fixtures/github/push.json', '--secret', 'gh-secret', '--json']);
    expect(result.code).toBe(0);
    const [judged] = await target.waitFor(1);
    expect(judged!.verified).toBe(true);
    expect(judged!.request.headers['x-github-event']).toBe('push');
    expect(judged!.request.headers['x-github-delivery']).toBe('6f2c4a80-f1f6-11f0-8e4d-2b1e7a9c3d55');
  });

  it('twilio: posts a form body signed over the URL, which twilio.validateRequest accepts', async () => {
    const target = await receiver('twilio', 'twilio-auth-token');
    const result = await runCli(['send', `${target.url}/sms?x=1`, '--scheme', 'twilio', '--secret', 'twilio-auth-token']);
    expect(result.code).toBe(0);
    const [judged] = await target.waitFor(1);
    expect(judged!.verified).toBe(true);
    expect(judged!.request.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
  });

  it('twilio --url signs the public URL while posting to the local one', async () => {
    const target = await receiver('twilio', 'twilio-auth-token');
    const result = await runCli(['send', `${target.url}/sms`, '--scheme', 'twilio', '--url', 'https://hooks.example.com/sms', '--secret', 'twilio-auth-token']);
    const [judged] = await target.waitFor(1);
    // This receiver checks against the local URL, so the signature made for the public one fails
    // there (a 401, final: exit 1)...
    expect(judged!.verified).toBe(false);
    expect(result.code).toBe(1);
    // ...and passes against the public URL, which is what a receiver behind a tunnel sees.
    const twilio = (await import('twilio')).default;
    const params = Object.fromEntries(new URLSearchParams(judged!.request.body.toString()));
    expect(twilio.validateRequest('twilio-auth-token', String(judged!.request.headers['x-twilio-signature']), 'https://hooks.example.com/sms', params)).toBe(true);
  });

  it('sends every delivery of a journal in order, each re-signed, and exits 0 when all arrive', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hookctl-send-'));
    try {
      const push = JSON.parse(await readFile('fixtures/github/push.json', 'utf8'));
      const ping = JSON.parse(await readFile('fixtures/github/ping.json', 'utf8'));
      await writeFile(join(dir, 'captured.ndjson'), `${JSON.stringify(push)}\n${JSON.stringify(ping)}\n`);
      const target = await receiver('github', 'journal-secret');
      const result = await runCli(['send', target.url, join(dir, 'captured.ndjson'), '--secret', 'journal-secret', '--json']);
      expect(result.code).toBe(0);
      const judged = await target.waitFor(2);
      expect(judged.map((j) => j.verified)).toEqual([true, true]);
      expect(judged.map((j) => j.request.headers['x-github-event'])).toEqual(['push', 'ping']);
      expect(judged[0]!.request.body.toString()).toBe(push.body);
      const results = records(result.stdout).filter((r) => r.type === 'result');
      expect(results.map((r) => r.eventId)).toEqual([push.eventId, ping.eventId]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('twilio with a JSON body posts to the bodySHA256 URL it signed', async () => {
    const target = await receiver('twilio', 'twilio-auth-token');
    const result = await runCli(['send', `${target.url}/status`, '--scheme', 'twilio', '--data', '{"status":"delivered"}', '--secret', 'twilio-auth-token']);
    expect(result.code).toBe(0);
    const [judged] = await target.waitFor(1);
    expect(judged!.request.url).toMatch(/^\/status\?bodySHA256=[0-9a-f]{64}$/);
    expect(judged!.verified).toBe(true);
  });
});

describe('hookctl send: retries', () => {
  it('retries 5xx on the schedule; every attempt verifies and keeps the event id', async () => {
    const target = await receiver('standard', STANDARD_SECRET, (n) => ({ status: n < 3 ? 503 : 200 }));
    const result = await runCli(['send', target.url, '--secret', STANDARD_SECRET, '--retry-schedule', '0,150ms,300ms', '--json']);
    expect(result.code).toBe(0);
    const judged = await target.waitFor(3);
    expect(judged.map((j) => j.verified)).toEqual([true, true, true]);
    expect(new Set(judged.map((j) => j.eventId)).size).toBe(1);
    expect(judged[1]!.at - judged[0]!.at).toBeGreaterThanOrEqual(140);
    expect(judged[2]!.at - judged[1]!.at).toBeGreaterThanOrEqual(290);
    const out = records(result.stdout);
    expect(out.map((r) => r.type)).toEqual(['attempt', 'attempt', 'attempt', 'result']);
    expect(out.slice(0, 3).map((r) => r.status)).toEqual([503, 503, 200]);
    expect(out.slice(0, 3).map((r) => r.attempt)).toEqual([1, 2, 3]);
    expect(out[0]).toMatchObject({ willRetry: true, nextDelayMs: 150 });
    expect(out[3]).toMatchObject({ type: 'result', eventId: judged[0]!.eventId, delivered: true, attempts: 3 });
  });

  it('--time-scale shrinks a long schedule; giving up exits 1', async () => {
    const target = await receiver('stripe', 'whsec_x', () => ({ status: 500 }));
    // 0, 5s, 30s, 5m scaled by 0.0005: 2.5ms, 15ms, 150ms. The default schedule is jittered by ±20%;
    // --retry-jitter 0 makes it exact, so the last wait is known.
    const started = performance.now();
    const result = await runCli(['send', target.url, '--scheme', 'stripe', '--secret', 'whsec_x', '--time-scale', '0.0005', '--retry-jitter', '0', '--json']);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(result.code).toBe(1);
    const judged = await target.waitFor(4);
    expect(judged).toHaveLength(4);
    expect(judged.every((j) => j.verified)).toBe(true);
    expect(judged[3]!.at - judged[2]!.at).toBeGreaterThanOrEqual(140);
    expect(records(result.stdout).at(-1)).toMatchObject({ type: 'result', delivered: false, attempts: 4, status: 500 });
  });

  it('a 4xx answer stops at once', async () => {
    const target = await receiver('standard', STANDARD_SECRET, () => ({ status: 422, body: '{"error":"unprocessable"}' }));
    const result = await runCli(['send', target.url, '--secret', STANDARD_SECRET, '--retry-schedule', '0,10ms,10ms']);
    expect(result.code).toBe(1);
    expect(target.judged).toHaveLength(1);
    expect(result.stdout).toContain('422');
    expect(result.stdout).toContain('unprocessable');
    expect(result.stdout).toMatch(/not delivered: msg_\w+ was refused with 422/);
  });

  it('a 401 from a receiver that cannot verify is final too (wrong secret)', async () => {
    const target = await receiver('standard', STANDARD_SECRET);
    const result = await runCli(['send', target.url, '--secret', 'whsec_d3Jvbmdfc2VjcmV0X2Zvcl90ZXN0', '--retry-schedule', '0,10ms', '--json']);
    expect(result.code).toBe(1);
    expect(target.judged).toHaveLength(1);
    expect(target.judged[0]!.verified).toBe(false);
  });

  it('429 with Retry-After waits as told; the retry carries a fresh timestamp and signature', async () => {
    const target = await receiver('standard', STANDARD_SECRET, (n) => (n === 1 ? { status: 429, headers: { 'Retry-After': '1' } } : { status: 200 }));
    const result = await runCli(['send', target.url, '--secret', STANDARD_SECRET, '--retry-schedule', '0,10ms', '--json']);
    expect(result.code).toBe(0);
    const [first, second] = await target.waitFor(2);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
    expect(first!.verified && second!.verified).toBe(true);
    expect(second!.eventId).toBe(first!.eventId);
    expect(second!.timestamp).toBeGreaterThan(first!.timestamp!);
    expect(second!.request.headers['webhook-signature']).not.toBe(first!.request.headers['webhook-signature']);
    expect(records(result.stdout)[0]).toMatchObject({ status: 429, retryAfterMs: 1000, nextDelayMs: 1000 });
  });

  it('a receiver that does not answer in --timeout is retried', async () => {
    const target = await receiver('standard', STANDARD_SECRET, (n) => (n === 1 ? { status: 200, hang: true } : { status: 200 }));
    const result = await runCli(['send', target.url, '--secret', STANDARD_SECRET, '--timeout', '300ms', '--retry-schedule', '0,0', '--json']);
    expect(result.code).toBe(0);
    const out = records(result.stdout);
    expect(out[0]).toMatchObject({ type: 'attempt', attempt: 1, status: null, error: 'timed out after 300ms', willRetry: true });
    expect(out[1]).toMatchObject({ type: 'attempt', attempt: 2, status: 200 });
    const judged = await target.waitFor(2);
    expect(judged[1]!.eventId).toBe(judged[0]!.eventId);
  });

  it('refused connections are retried, then it gives up with exit 1 and one clear line', async () => {
    const closed = await startServer();
    const url = closed.url;
    await closed.close();
    const result = await runCli(['send', url, '--secret', STANDARD_SECRET, '--retry-schedule', '0,20ms,20ms', '--json']);
    expect(result.code).toBe(1);
    const out = records(result.stdout);
    expect(out.filter((r) => r.type === 'attempt')).toHaveLength(3);
    for (const attempt of out.filter((r) => r.type === 'attempt')) expect(attempt).toMatchObject({ status: null, error: expect.stringContaining('ECONNREFUSED') });
    expect(out.at(-1)).toMatchObject({ type: 'result', delivered: false, attempts: 3, status: null });
    expect(result.stderr).toBe('');

    const human = await runCli(['send', url, '--secret', STANDARD_SECRET, '--no-retry']);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/gave up on msg_\w+ after 1 attempt \(last: connection refused/);
  });
});
