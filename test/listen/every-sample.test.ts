/**
 * Issue 19's "done means", through the real CLI: `hookctl samples --schemes --json` lists 40 or
 * more providers, and for each one `hookctl send --scheme X` with no --event sends the provider's
 * default sample, signed (with --private-key where the provider signs with a key), and a real
 * `hookctl listen` (with --public-key) verifies it and shows the sample's event type and the id
 * send gave it. Providers `--scheme auto` recognises share one listener (which must name them
 * right); the others, whose headers are a sibling's, get a listener of their own. The handshake
 * samples are answered by listen. Every other sample of each provider goes through the same signer
 * and verifier in process: test/records/sample-catalog.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexedProvider } from '../../src/records/sample-catalog.js';
import { DETECT_ORDER } from '../../src/schemes/registry.js';
import { CliProcess, runCli, type CliResult } from '../helpers/cli.js';
import { HANDSHAKE_SAMPLES, providerKeys, SHARED_SECRET, shownTypes } from '../helpers/sample-proof.js';

const dir = mkdtempSync(join(tmpdir(), 'hookctl-every-sample-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text, { mode: 0o600 });
  return path;
};

const secretFile = file('secret', SHARED_SECRET);
const KEY_FILES: Record<string, { send: string[]; listen: string[] }> = {};
for (const [scheme, key] of Object.entries(providerKeys())) {
  if (scheme === 'sns') continue;
  KEY_FILES[scheme] = { send: ['--private-key', file(`${scheme}.key`, key.sign)], listen: ['--public-key', file(`${scheme}.pub`, key.verify)] };
}
{
  // SNS verifies against the signing certificate the user names (the one at SigningCertURL), never fetched.
  const key = join(dir, 'sns.key');
  const cert = join(dir, 'sns.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=sns.us-east-1.amazonaws.com'], { stdio: 'ignore' });
  KEY_FILES.sns = { send: ['--private-key', key], listen: ['--public-key', cert] };
}
const sendKeys = (scheme: string) => KEY_FILES[scheme]?.send ?? ['--secret-file', secretFile];
const ALL_KEYS = ['--secret-file', secretFile, ...Object.values(KEY_FILES).flatMap((keys) => keys.listen)];

interface SchemeLine {
  scheme: string;
  signs: boolean;
  verifies: boolean;
  samples: number;
}
interface Sent {
  sent: CliResult;
  result: Record<string, unknown> | undefined;
  listener: CliProcess;
}

const ndjson = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

async function startListener(scheme: string): Promise<{ process: CliProcess; url: string }> {
  const process = new CliProcess(['listen', '--port', '0', '--json', '--no-capture', '--scheme', scheme, ...(scheme === 'auto' ? ALL_KEYS : (KEY_FILES[scheme]?.listen ?? ['--secret-file', secretFile]))]);
  listeners.push(process);
  const { url } = await process.waitForRecord<{ url: string }>((record) => record.type === 'listening');
  return { process, url };
}

/** Runs `work` over the items, `width` at a time. */
async function pool<T, R>(items: readonly T[], width: number, work: (item: T) => Promise<R>): Promise<Map<T, R | Error>> {
  const results = new Map<T, R | Error>();
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      results.set(item, await work(item).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))));
    }
  };
  await Promise.all(Array.from({ length: width }, lane));
  return results;
}

const listeners: CliProcess[] = [];
let listed: SchemeLine[] = [];
let sends = new Map<string, Sent | Error>();
let handshakes = new Map<string, Sent | Error>();
let slackForm: Sent | undefined;
// Every scheme with samples: the catalog's providers and the schemes sharing theirs (svix, jira, whatsapp).
let provable: string[] = [];

beforeAll(async () => {
  const catalog = await runCli(['samples', '--schemes', '--json']);
  expect(catalog.code, catalog.stderr).toBe(0);
  listed = ndjson(catalog.stdout) as unknown as SchemeLine[];
  // The generic hmac scheme is no provider and has no samples of its own.
  provable = listed.filter((line) => line.signs && line.verifies && line.samples > 0).map((line) => line.scheme);
  const own = provable.filter((scheme) => !DETECT_ORDER.includes(scheme as (typeof DETECT_ORDER)[number]));
  const started = new Map<string, { process: CliProcess; url: string }>();
  await Promise.all(['auto', ...own].map(async (scheme) => started.set(scheme, await startListener(scheme))));
  const target = (scheme: string) => started.get(scheme) ?? started.get('auto')!;
  const send = async (scheme: string, extra: string[] = []): Promise<Sent> => {
    const { process, url } = target(scheme);
    const sent = await runCli(['send', url, '--scheme', scheme, ...sendKeys(scheme), ...extra, '--no-retry', '--json']);
    return { sent, result: ndjson(sent.stdout).find((record) => record.type === 'result'), listener: process };
  };
  sends = await pool(provable, 4, (scheme) => send(scheme));
  handshakes = await pool(Object.keys(HANDSHAKE_SAMPLES), 3, (scheme) => send(scheme, ['--event', HANDSHAKE_SAMPLES[scheme]!]));
  slackForm = await send('slack', ['--event', 'block_actions']);
}, 120_000);
afterAll(async () => {
  await Promise.all(listeners.map((listener) => listener.stop()));
  rmSync(dir, { recursive: true, force: true });
});

/** The listener's record of the one delivery of this scheme (and type) it was sent. */
function deliveryOf(sent: Sent, scheme: string, matches: (record: Record<string, unknown>) => boolean = () => true) {
  return sent.listener.waitForRecord((record) => record.type === 'delivery' && record.scheme === scheme && matches(record), 5_000);
}

describe('every provider: send delivers its default sample, listen verifies it', () => {
  it('samples --schemes --json lists 40 or more providers that sign, verify and have samples', () => {
    expect(provable.length).toBeGreaterThanOrEqual(40);
    expect(provable).toEqual(expect.arrayContaining(['stripe', 'github', 'discord', 'sendgrid', 'sns', 'mailgun', 'linear', 'plaid', 'pubsub', 'netlify', 'gitlab', 'svix']));
  });

  it('each of them, with no --event: its default sample, verified, with its type and the id send gave it', async () => {
    const failures: string[] = [];
    for (const scheme of provable) {
      const outcome = sends.get(scheme);
      try {
        if (!outcome || outcome instanceof Error) throw outcome ?? new Error('not sent');
        const { sent, result } = outcome;
        expect(sent.code, sent.stderr).toBe(0);
        const provider = indexedProvider(scheme)!;
        // send picked the provider's default sample...
        expect(result, sent.stdout).toMatchObject({ delivered: true, status: 200, eventType: provider.defaultEvent });
        const delivery = await deliveryOf(outcome, scheme);
        // ...and the listener (auto or named) took it for this provider, verified, with its type and id.
        expect(delivery, JSON.stringify(delivery)).toMatchObject({ scheme, verified: true, reason: null, status: 200, duplicate: false });
        expect(shownTypes(scheme, provider.defaultEvent), JSON.stringify(delivery)).toContain(delivery.eventType ?? undefined);
        expect(delivery.eventId, JSON.stringify(delivery)).toBe(result!.eventId);
      } catch (error) {
        failures.push(`${scheme}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('a sample whose content type is not its provider\'s usual one goes out with its own (Slack\'s interactivity is a form)', async () => {
    expect(slackForm!.sent.code, slackForm!.sent.stderr).toBe(0);
    const delivery = await deliveryOf(slackForm!, 'slack', (record) => record.eventType === 'block_actions');
    expect(delivery).toMatchObject({ verified: true, status: 200 });
  });

  it.each(Object.entries(HANDSHAKE_SAMPLES))('%s %s: the sample is answered by listen as the provider\'s URL challenge', async (scheme, event) => {
    const outcome = handshakes.get(scheme);
    if (!outcome || outcome instanceof Error) throw outcome ?? new Error('not sent');
    expect(outcome.sent.code, outcome.sent.stderr).toBe(0);
    const delivery = await deliveryOf(outcome, scheme, (record) => record.eventType === event);
    expect(delivery).toMatchObject({ verified: true, status: 200, note: expect.stringMatching(/^answered /) });
  });
});
