/** `hookctl samples`: the sample-event catalog, searched; and `send --event` delivering its events to a verifying listener. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEME_CATALOG } from '../../src/schemes/catalog.js';
import { BIN, CliProcess, cliEnv, runCli } from '../helpers/cli.js';
import { startServer } from '../helpers/server.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

interface SampleRecord {
  type: string;
  scheme: string;
  event: string;
  examples: number;
  default: boolean;
  description?: string;
}

function records<T>(stdout: string): T[] {
  return stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as T);
}

describe('hookctl samples', () => {
  it('lists every scheme with a few of its events, the default first, and the ones without samples', async () => {
    const result = await runCli(['samples']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^stripe +payment_intent\.succeeded \(default\), .*… \d+ more: hookctl samples stripe$/m);
    expect(result.stdout).toMatch(/^github +push \(default\), /m);
    expect(result.stdout).toMatch(/^hmac +no samples; sends a minimal test\.event event/m);
    for (const provider of ['paddle', 'linear', 'zoom', 'twitch', 'sendgrid', 'discord']) expect(result.stdout).toMatch(new RegExp(`^${provider} +\\S`, 'm'));
  });

  it('a scheme and words: only that scheme\'s events holding every word at a word start', async () => {
    const result = await runCli(['samples', 'stripe', 'invoice', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const found = records<SampleRecord>(result.stdout);
    expect(found.map((record) => record.event).sort()).toEqual(['invoice.created', 'invoice.finalized', 'invoice.paid', 'invoice.payment_failed', 'invoice.payment_succeeded', 'invoice.upcoming']);
    for (const record of found) expect(record).toMatchObject({ type: 'sample', scheme: 'stripe' });
    const human = await runCli(['samples', 'stripe', 'payment', 'fail']);
    expect(human.stdout.split('\n').filter((line) => /^[a-z_]+\.[a-z_.]+/.test(line))).toEqual([expect.stringMatching(/^invoice\.payment_failed/), expect.stringMatching(/^payment_intent\.payment_failed/)]);
  });

  it('one scheme: each event type on a line, then where the provider puts the type and id, and the source', async () => {
    const linear = await runCli(['samples', 'linear']);
    expect(linear.code, linear.stderr).toBe(0);
    expect(linear.stdout).toMatch(/^Issue\.create \(default\)$/m);
    expect(linear.stdout).toMatch(/^Linear puts the event type in a header and the body and the event id in a header; send sets both \(a fresh id each time\)\. Source: hand-made/m);
    const github = await runCli(['samples', 'github', 'push']);
    expect(github.stdout).toMatch(/Source: npm @octokit\/webhooks-examples .*\(MIT/);
  });

  it('words alone search every provider; "opened" does not find "reopened"', async () => {
    const across = records<SampleRecord>((await runCli(['samples', 'invoice', '--json'])).stdout);
    expect(new Set(across.map((record) => record.scheme))).toEqual(new Set(['stripe', 'standard', 'svix']));
    const pulls = await runCli(['samples', 'pull', 'request', 'opened']);
    expect(pulls.code).toBe(0);
    expect(pulls.stdout).toMatch(/^github +pull_request\.opened +\d+ examples · Activity related to pull requests\.$/m);
    expect(pulls.stdout).not.toContain('reopened');
  });

  it('a search that finds nothing fails in one line, with a did-you-mean for a scheme', async () => {
    const result = await runCli(['samples', 'strpe']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim()).toBe('hookctl: no sample events match "strpe" (did you mean stripe?); hookctl samples lists them all');
  });

  it('--json: one sample record per event type, ≥ 40 providers, GitHub\'s 329 examples and Stripe\'s common types', async () => {
    const result = await runCli(['samples', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const all = records<SampleRecord>(result.stdout);
    for (const record of all) expect(Object.keys(record).slice(0, 3)).toEqual(['type', 'scheme', 'event']);
    expect(new Set(all.map((record) => record.type))).toEqual(new Set(['sample']));
    expect(new Set(all.map((record) => record.scheme)).size).toBeGreaterThanOrEqual(40);
    const github = all.filter((record) => record.scheme === 'github');
    expect(new Set(github.map((record) => record.event.split('.')[0])).size).toBeGreaterThanOrEqual(58);
    expect(github.reduce((sum, record) => sum + record.examples, 0)).toBeGreaterThanOrEqual(329);
    const stripe = all.filter((record) => record.scheme === 'stripe').map((record) => record.event);
    expect(stripe.length).toBeGreaterThanOrEqual(30);
    expect(stripe).toEqual(expect.arrayContaining(['payment_intent.succeeded', 'payment_intent.payment_failed', 'charge.succeeded', 'charge.refunded', 'invoice.paid', 'invoice.payment_failed', 'customer.subscription.created', 'customer.subscription.deleted', 'checkout.session.completed', 'customer.created']));
    // Exactly one default per scheme that has samples.
    const defaults = all.filter((record) => record.default);
    expect(defaults.length).toBe(new Set(all.map((record) => record.scheme)).size);
  });

  it('a reader that is busy while the catalog is written still gets all of it (the exit waits for stdout)', async () => {
    const child = spawn(process.execPath, [BIN, 'samples', '--json'], { env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const closed = once(child, 'close');
    // Hold this process's event loop while the child writes ~50 KB and exits.
    const until = Date.now() + 400;
    while (Date.now() < until);
    await closed;
    const expected = (await runCli(['samples', '--json'])).stdout;
    expect(stdout.length).toBe(expected.length);
  });

  it('--schemes --json: one scheme record per scheme of the catalog, with its family and abilities', async () => {
    const result = await runCli(['samples', '--schemes', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const schemes = records<Record<string, unknown>>(result.stdout);
    expect(schemes.map((record) => record.scheme)).toEqual(SCHEME_CATALOG.map((info) => info.scheme));
    for (const record of schemes) {
      const info = SCHEME_CATALOG.find((entry) => entry.scheme === record.scheme)!;
      expect(record).toMatchObject({ type: 'scheme', scheme: info.scheme, family: info.family, verifies: info.verifies, signs: info.signs });
    }
    expect(schemes.find((record) => record.scheme === 'stripe')!.samples).toBeGreaterThanOrEqual(30);
    const human = await runCli(['samples', '--schemes']);
    expect(human.stdout).toMatch(/^github +GitHub +hub-signature +signs \+ verifies +\d+ sample events$/m);
  });
});

describe('send --event: a sample of each of a few providers, verified by a real listener', () => {
  let listener: CliProcess;
  let url: string;
  beforeAll(async () => {
    listener = new CliProcess(['listen', '--port', '0', '--no-capture', '--json', '--secret', SECRET]);
    url = String((await listener.waitForRecord((record) => record.type === 'listening')).url);
  });
  afterAll(async () => {
    await listener?.stop();
  });

  it.each([
    ['github', 'pull_request.opened', 'pull_request.opened'],
    ['github', 'workflow_run.completed', 'workflow_run.completed'],
    ['stripe', 'charge.refunded', 'charge.refunded'],
    ['stripe', 'customer.subscription.trial_will_end', 'customer.subscription.trial_will_end'],
    ['shopify', 'products/create', 'products/create'],
    ['slack', 'event_callback.app_mention', 'event_callback'],
    ['standard', 'subscription.renewed', 'subscription.renewed'],
    ['svix', 'user.deleted', 'user.deleted'],
  ])('%s %s', async (scheme, event, seenType) => {
    const sent = await runCli(['send', url, '--scheme', scheme, '--event', event, '--secret', SECRET, '--json']);
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stderr).toBe(''); // a sample was found: no "no sample" warning
    const attempt = records<Record<string, unknown>>(sent.stdout).find((record) => record.eventId);
    const delivery = await listener.waitForRecord((record) => record.type === 'delivery' && record.eventId === attempt?.eventId);
    expect(delivery).toMatchObject({ scheme, verified: true, eventType: seenType, status: 200 });
  });

  it('a sample\'s own id is replaced on each send, and a type without a sample still sends a minimal event', async () => {
    const ids = new Set<unknown>();
    for (let i = 0; i < 2; i++) {
      const sent = await runCli(['send', url, '--scheme', 'stripe', '--event', 'invoice.paid', '--secret', SECRET, '--json']);
      ids.add(records<Record<string, unknown>>(sent.stdout).find((record) => record.eventId)?.eventId);
    }
    expect(ids.size).toBe(2);
    const miss = await runCli(['send', url, '--scheme', 'stripe', '--event', 'charge.refundd', '--secret', SECRET]);
    expect(miss.code).toBe(0);
    expect(miss.stderr).toMatch(/no sample for stripe event "charge\.refundd" \(hookctl samples stripe lists its \d+\); sending a minimal event of that type/);
  });
});

describe('send --event with the sample\'s provider headers', () => {
  it('GitHub gets the event name without the action in X-GitHub-Event; the second example with TYPE#2', async () => {
    const server = await startServer();
    try {
      const first = await runCli(['send', server.url, '--scheme', 'github', '--event', 'check_run.completed', '--secret', SECRET]);
      expect(first.code, first.stderr).toBe(0);
      const second = await runCli(['send', server.url, '--scheme', 'github', '--event', 'check_run.completed#2', '--secret', SECRET]);
      expect(second.code, second.stderr).toBe(0);
      const [a, b] = server.requests;
      expect(a!.headers['x-github-event']).toBe('check_run');
      expect(JSON.parse(a!.body.toString()).action).toBe('completed');
      expect(b!.body.equals(a!.body)).toBe(false);
    } finally {
      await server.close();
    }
  });
});
