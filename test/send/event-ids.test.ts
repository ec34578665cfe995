/**
 * send reports the event id the app actually receives: a Stripe --data body without an id was
 * reported as "delivered evt_…" (an id that went nowhere), and --id rewrote the id inside a --data
 * body that the help calls byte for byte.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { records, startVerifyingReceiver, type VerifyingReceiver } from './receiver.js';

const STRIPE_SECRET = 'whsec_hookctl_test';
let target: VerifyingReceiver | undefined;
let server: TestServer | undefined;

afterEach(async () => {
  await target?.close();
  await server?.close();
  target = undefined;
  server = undefined;
});

describe('hookctl send: the event id is the one the app sees', () => {
  it('a stripe --data body without an id: no invented id in the report, and a warning that the app sees none', async () => {
    target = await startVerifyingReceiver('stripe', STRIPE_SECRET);
    const data = '{"type":"x"}';
    const human = await runCli(['send', target.url, '--scheme', 'stripe', '--data', data, '--secret', STRIPE_SECRET]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).not.toMatch(/evt_/);
    expect(human.stdout).toMatch(/→ stripe x \(no event id\)/);
    expect(human.stdout).toMatch(/✓ delivered x \(no event id\) \(1 attempt\)/);
    expect(human.stderr).toMatch(/warning: --data: no event id in what is sent \(stripe carries it inside the body, and this body has none\)/);

    const json = await runCli(['send', target.url, '--scheme', 'stripe', '--data', data, '--secret', STRIPE_SECRET, '--json']);
    expect(json.code).toBe(0);
    expect(records(json.stdout).map((record) => record.eventId)).toEqual([null, null]);
    const judged = await target.waitFor(2);
    expect(judged.map((entry) => [entry.verified, entry.eventId, entry.request.body.toString()])).toEqual([
      [true, undefined, data],
      [true, undefined, data],
    ]);
  });

  it('a stripe --data body with an id reports that id; --id cannot change it, and says why', async () => {
    target = await startVerifyingReceiver('stripe', STRIPE_SECRET);
    const data = '{"id":"evt_fromthebody01","type":"x"}';
    const sent = await runCli(['send', target.url, '--scheme', 'stripe', '--data', data, '--secret', STRIPE_SECRET]);
    expect(sent.code).toBe(0);
    expect(sent.stdout).toMatch(/✓ delivered evt_fromthebody01/);
    expect(sent.stderr).toBe('');

    const refused = await runCli(['send', target.url, '--scheme', 'stripe', '--data', data, '--id', 'evt_other000001', '--secret', STRIPE_SECRET]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe('hookctl: --id: stripe carries the event id inside the body, and --data is sent byte for byte (its id is "evt_fromthebody01"); put the id in the body, or drop --id\n');
    // The same id as the body's is no change, so it is fine.
    const same = await runCli(['send', target.url, '--scheme', 'stripe', '--data', data, '--id', 'evt_fromthebody01', '--secret', STRIPE_SECRET]);
    expect(same.code).toBe(0);
    const judged = await target.waitFor(2);
    expect(judged.map((entry) => entry.request.body.toString())).toEqual([data, data]);
    expect(judged.map((entry) => entry.eventId)).toEqual(['evt_fromthebody01', 'evt_fromthebody01']);
  });

  it('--id with a --data body for a header-id scheme goes in the header; the body is left byte for byte', async () => {
    target = await startVerifyingReceiver('github', 'gh-secret');
    // The body happens to hold the same text as an id; it must not be touched.
    const data = '{"action":"opened","note":"delivery-aaaaaaaa"}';
    const result = await runCli(['send', target.url, '--scheme', 'github', '--data', data, '--id', 'delivery-bbbbbbbb', '--secret', 'gh-secret']);
    expect(result.code).toBe(0);
    const [judged] = await target.waitFor(1);
    expect(judged!.eventId).toBe('delivery-bbbbbbbb');
    expect(judged!.request.body.toString()).toBe(data);
    expect(result.stdout).toMatch(/✓ delivered delivery-bbbbbbbb/);
  });

  it('a stripe fixture with --id is refused as well: a fixture is sent byte for byte', async () => {
    server = await startServer();
    const result = await runCli(['send', server.url, 'fixtures/stripe/payment_intent.succeeded.json', '--id', 'evt_mine00000001', '--secret', STRIPE_SECRET]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^hookctl: --id: stripe carries the event id inside the body, and .*payment_intent\.succeeded\.json is sent byte for byte \(its id is "evt_/);
    expect(server.requests).toHaveLength(0);
  });
});

describe('hookctl send --scheme', () => {
  it('auto is the default and is accepted: a fixture brings its scheme, a new event is standard', async () => {
    server = await startServer();
    const fixture = await runCli(['send', server.url, 'fixtures/github/push.json', '--scheme', 'auto', '--secret', 's', '--json']);
    expect(fixture.code, fixture.stderr).toBe(0);
    expect(server.requests[0]!.headers['x-hub-signature-256']).toMatch(/^sha256=/);
    const fresh = await runCli(['send', server.url, '--scheme', 'auto', '--secret', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', '--json']);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(server.requests[1]!.headers['webhook-signature']).toMatch(/^v1,/);
    const help = await runCli(['send', '--help']);
    expect(help.stdout.replace(/\s+/g, ' ')).toMatch(/--scheme auto is the default .* send and replay use the scheme a fixture was captured with, and standard \(Standard Webhooks\) for a new event/);
  });

  it('--concurrency without --count is refused, not silently ignored', async () => {
    server = await startServer();
    const result = await runCli(['send', server.url, '--concurrency', '5', '--secret', 's', '--scheme', 'github']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('hookctl: --concurrency: applies to load mode; add --count N (one event is sent once, then retried)\n');
    expect(server.requests).toHaveLength(0);
  });
});
