/**
 * Asymmetric providers through the real CLI: `send --private-key` signs, `listen --public-key`
 * verifies with the key in the form the provider shows it (Discord's hex key, an SNS signing
 * certificate), and `sign`/`verify` do the same offline. Nothing is fetched from the network.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CliProcess, runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'hookctl-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text, { mode: 0o600 });
  return path;
};

const ed = generateKeyPairSync('ed25519');
const edPrivate = file('discord.pem', ed.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
// Discord's developer portal shows the public key as 64 hex digits.
const edPublicHex = file('discord.hex', ed.publicKey.export({ type: 'spki', format: 'der' }).subarray(12).toString('hex'));
const otherHex = file('other.hex', generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' }).subarray(12).toString('hex'));
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ecPrivate = file('sendgrid.pem', ec.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
// SendGrid shows its verification key as base64 DER with no PEM armour.
const ecPublic = file('sendgrid.b64', ec.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'));
// SNS: a self-signed test certificate, as `openssl req -x509` makes one.
const snsKey = join(dir, 'sns-key.pem');
const snsCert = join(dir, 'sns-cert.pem');
execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', snsKey, '-out', snsCert, '-days', '2', '-subj', '/CN=sns.us-east-1.amazonaws.com'], { stdio: 'ignore' });

async function deliverOne(scheme: string, signWith: string[], verifyWith: string[], data: string) {
  const listener = new CliProcess(['listen', '--port', '0', '--json', '--no-capture', '--scheme', scheme, ...verifyWith]);
  try {
    const { url } = await listener.waitForRecord<{ url: string }>((record) => record.type === 'listening');
    const sent = await runCli(['send', url, '--scheme', scheme, ...signWith, '--data', data, '--no-retry', '--json']);
    const delivery = await listener.waitForRecord((record) => record.type === 'delivery');
    return { sent, delivery };
  } finally {
    await listener.stop();
  }
}

describe('keys for asymmetric providers, through the CLI', () => {
  it('discord: send --private-key PEM, listen --public-key in Discord\'s hex form verifies; another key is 401', async () => {
    const body = '{"type":1,"id":"1234567890","application_id":"42"}';
    const good = await deliverOne('discord', ['--private-key', edPrivate], ['--public-key', edPublicHex], body);
    expect(good.delivery).toMatchObject({ scheme: 'discord', verified: true, status: 200, eventId: '1234567890' });
    const bad = await deliverOne('discord', ['--private-key', edPrivate], ['--public-key', otherHex], body);
    expect(bad.delivery).toMatchObject({ verified: false, reason: 'signature_mismatch', status: 401 });
  });

  it('sendgrid: ECDSA with SendGrid\'s base64 key; sns: RSA against the certificate named, SigningCertURL never fetched', async () => {
    const sendgrid = await deliverOne('sendgrid', ['--private-key', ecPrivate], ['--public-key', ecPublic], '[{"email":"a@example.com","event":"delivered","sg_event_id":"sg1"}]');
    expect(sendgrid.delivery).toMatchObject({ scheme: 'sendgrid', verified: true, eventId: 'sg1', eventType: 'delivered' });
    const sns = await deliverOne('sns', ['--private-key', snsKey], ['--public-key', snsCert], '{"order":42}');
    expect(sns.delivery).toMatchObject({ scheme: 'sns', verified: true, eventType: 'Notification' });
  });

  it('sign --private-key and verify --public-key offline; a missing key file is a one-line usage error', async () => {
    const signed = await runCli(['sign', '--scheme', 'discord', '--private-key', edPrivate, '--data', '{"type":1}', '--json']);
    expect(signed.code).toBe(0);
    const { headers } = JSON.parse(signed.stdout) as { headers: Record<string, string> };
    const args = Object.entries(headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
    const verified = await runCli(['verify', '--public-key', edPublicHex, ...args, '--data', '{"type":1}', '--json']);
    expect(JSON.parse(verified.stdout)).toMatchObject({ verified: true, scheme: 'discord' });
    const missing = await runCli(['sign', '--scheme', 'discord', '--private-key', join(dir, 'nope.pem'), '--data', '{}']);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toContain('--private-key');
  });

  it('a key that cannot sign is blamed on --private-key, the flag it came from, with no "secrets look like any text" aside', async () => {
    // An EC key for Discord (Ed25519), through send and sign: the message names the flag given.
    for (const command of [['send', 'http://127.0.0.1:9/', '--no-retry'], ['sign', '--data', '{}']]) {
      const wrongKind = await runCli([...command, '--scheme', 'discord', '--private-key', ecPrivate]);
      expect(wrongKind.code).toBe(2);
      expect(wrongKind.stderr).toMatch(/^hookctl: --private-key: /);
      expect(wrongKind.stderr).not.toContain('look like any text');
    }
    // A shared secret for SendGrid: --secret was the flag, and the fix is --private-key.
    const secretForKey = await runCli(['send', 'http://127.0.0.1:9/', '--scheme', 'sendgrid', '--secret', 'abc', '--no-retry']);
    expect(secretForKey.code).toBe(2);
    expect(secretForKey.stderr).toMatch(/^hookctl: --secret: .*--private-key/);
    expect(secretForKey.stderr).not.toContain('look like any text');
  });

  it('listen refuses at start a public key of the wrong kind for the scheme named (it would refuse every delivery)', async () => {
    const edPublicPem = file('discord-public.pem', ed.publicKey.export({ type: 'spki', format: 'pem' }).toString());
    for (const [scheme, key] of [['sendgrid', edPublicPem], ['discord', ecPublic], ['sns', edPublicPem], ['plaid', edPublicPem]] as const) {
      const started = await runCli(['listen', '--port', '0', '--no-capture', '--scheme', scheme, '--public-key', key], { timeoutMs: 5_000 });
      expect(started.code, scheme).toBe(2);
      expect(started.stderr.trim().split('\n')).toHaveLength(1);
      expect(started.stderr).toMatch(/^hookctl: --public-key: /);
    }
  });

  it('the banner of a public-key listener speaks of keys: "verifying with 1 key", and without one it asks for --public-key', async () => {
    const withKey = new CliProcess(['listen', '--port', '0', '--no-capture', '--scheme', 'discord', '--public-key', edPublicHex]);
    try {
      expect(await withKey.waitForLine((line) => line.startsWith('verifying with'), { stream: 'stderr' })).toBe('verifying with 1 key, scheme discord');
    } finally {
      await withKey.stop();
    }
    const without = new CliProcess(['listen', '--port', '0', '--no-capture', '--scheme', 'sendgrid']);
    try {
      expect(await without.waitForLine((line) => line.startsWith('no '), { stream: 'stderr' })).toContain('--public-key FILE');
    } finally {
      await without.stop();
    }
  });
});
