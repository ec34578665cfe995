import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { readAllFixtures } from '../../src/records/reader.js';
import { decodeBody } from '../../src/records/record.js';
import { loadSample, sampleTypes } from '../../src/records/samples.js';
import { runCli } from '../helpers/cli.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { SECRET, records, verifyOfficially } from './support.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PROVIDERS = ['github', 'stripe', 'shopify', 'slack', 'standard', 'twilio'];
const SAMPLE_DIRS = PROVIDERS.map((name) => `fixtures/${name}`);

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function samples() {
  const { entries, problems } = await readAllFixtures(SAMPLE_DIRS, { cwd: ROOT });
  expect(problems).toEqual([]);
  return entries;
}

describe('shipped sample fixtures', () => {
  it('cover the events the issue lists, one folder per scheme; the catalog holds them and more', async () => {
    expect(readdirSync(`${ROOT}fixtures`).filter((name) => name !== 'captured').sort()).toEqual([...PROVIDERS].sort());
    expect(await sampleTypes('github')).toEqual(expect.arrayContaining(['ping', 'pull_request.opened', 'push']));
    expect(await sampleTypes('stripe')).toEqual(expect.arrayContaining(['checkout.session.completed', 'invoice.payment_failed', 'payment_intent.succeeded']));
    expect(await sampleTypes('shopify')).toEqual(expect.arrayContaining(['orders/create']));
    expect(await sampleTypes('slack')).toEqual(expect.arrayContaining(['event_callback.message', 'url_verification']));
    expect(await sampleTypes('standard')).toEqual(expect.arrayContaining(['invoice.paid', 'user.created']));
    expect(await sampleTypes('twilio')).toEqual(expect.arrayContaining(['message.received']));
    expect(await sampleTypes('hmac')).toEqual([]);
  });

  it('loadSample: default event per scheme, loose type matching, svix flavour, nothing for unknown', async () => {
    expect((await loadSample('stripe'))?.eventType).toBe('payment_intent.succeeded');
    expect((await loadSample('github'))?.eventType).toBe('push');
    expect((await loadSample('github', 'pull_request'))?.eventType).toBe('pull_request.opened');
    expect((await loadSample('slack', 'event_callback'))?.eventType).toBe('event_callback.message');
    expect((await loadSample('shopify', 'orders/create'))?.headers['content-type']).toBe('application/json');
    expect((await loadSample('stripe', 'invoice.payment_failed'))?.eventId).toMatch(/^evt_/);
    // The fixture's bytes are the catalog's first example of its type.
    const fixture = JSON.parse(readFileSync(`${ROOT}fixtures/stripe/payment_intent.succeeded.json`, 'utf8')) as { body: string };
    expect((await loadSample('stripe', 'payment_intent.succeeded'))?.body).toBe(fixture.body);
    const svix = await loadSample('svix');
    expect(svix?.scheme).toBe('svix');
    expect(svix?.eventType).toBe('invoice.paid');
    expect(await loadSample('stripe', 'no.such.event')).toBeUndefined();
    expect(await loadSample('hmac')).toBeUndefined();
    expect(await loadSample('../../etc')).toBeUndefined();
    expect(await loadSample('__proto__')).toBeUndefined();
    // Each call is a copy: callers may change it.
    const a = await loadSample('stripe');
    a!.headers.x = 'changed';
    expect((await loadSample('stripe'))!.headers.x).toBeUndefined();
  });

  it('every sample verifies with its official library after replay, body byte for byte', async () => {
    server = await startServer();
    const result = await runCli(['replay', ...SAMPLE_DIRS, '--to', `${server.url}/hooks`, '--secret', SECRET, '--json'], { cwd: ROOT });
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.code).toBe(0);
    const fixtures = await samples();
    expect(server.requests).toHaveLength(fixtures.length);
    const out = records(result.stdout);
    expect(out.at(-1)).toEqual({ type: 'summary', total: fixtures.length, ok: fixtures.length, failed: 0 });
    for (const fixture of fixtures) {
      const body = decodeBody(fixture.record);
      const request = server.requests.find((candidate) => candidate.body.equals(body));
      expect(request, fixture.source).toBeDefined();
      await expect(verifyOfficially(fixture.record.scheme!, request!, SECRET, `${server.url}${request!.url}`), fixture.source).resolves.toBeUndefined();
      // The judge is not a rubber stamp: another secret is refused.
      await expect(verifyOfficially(fixture.record.scheme!, request!, 'whsec_dGhpcyBpcyBub3QgdGhlIHNlY3JldA==', `${server.url}${request!.url}`), fixture.source).rejects.toThrow();
      // Captured provider headers came along, the captured id is kept.
      expect(request!.headers['content-type']).toBe(fixture.record.headers['content-type']);
      if (fixture.record.scheme === 'github') expect(request!.headers['x-github-delivery']).toBe(fixture.record.eventId);
      expect(out).toContainEqual(expect.objectContaining({ type: 'replay', file: fixture.source, eventType: fixture.record.eventType, status: 200, ok: true }));
    }
  });

  it('--new-ids: fresh ids where each provider keeps them (headers, or the id inside a Stripe/Slack body), still verifying', async () => {
    server = await startServer();
    const result = await runCli(['replay', ...SAMPLE_DIRS, '--to', `${server.url}/hooks`, '--secret', SECRET, '--new-ids', '--json'], { cwd: ROOT });
    expect(result.code).toBe(0);
    const fixtures = await samples();
    const out = records(result.stdout).filter((record) => record.type === 'replay');
    for (const fixture of fixtures) {
      const line = out.find((record) => record.file === fixture.source)!;
      if (fixture.record.eventId) expect(line.eventId, fixture.source).not.toBe(fixture.record.eventId);
      const request = line.eventId
        ? server.requests.find((candidate) => candidate.body.includes(String(line.eventId)) || Object.values(candidate.headers).includes(String(line.eventId)))
        : server.requests.find((candidate) => candidate.body.equals(decodeBody(fixture.record)));
      expect(request, fixture.source).toBeDefined();
      await verifyOfficially(fixture.record.scheme!, request!, SECRET, `${server.url}${request!.url}`);
    }
    const stripeRequest = server.requests.find((request) => request.headers['stripe-signature'] && request.body.includes('"payment_intent.succeeded"'))!;
    const original = decodeBody(fixtures.find((fixture) => fixture.record.eventType === 'payment_intent.succeeded')!.record).toString();
    const sent = stripeRequest.body.toString();
    expect(sent).not.toBe(original);
    // Only the event id changed: the rest of the body is the stored bytes.
    expect(sent.replace(/"evt_[A-Za-z0-9]+"/, '"ID"')).toBe(original.replace(/"evt_[A-Za-z0-9]+"/, '"ID"'));
  });

  it('--scheme svix re-signs the Standard Webhooks samples for the svix library', async () => {
    server = await startServer();
    const result = await runCli(['replay', 'fixtures/standard', '--scheme', 'svix', '--to', `${server.url}/hooks`, '--secret', SECRET], { cwd: ROOT });
    expect(result.code).toBe(0);
    expect(server.requests).toHaveLength(2);
    for (const request of server.requests) {
      await verifyOfficially('svix', request, SECRET, '');
    }
  });
});
