import { execFileSync, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verify as octokitVerify } from '@octokit/webhooks-methods';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/cli.js';
import { startServer, type TestServer } from '../helpers/server.js';

// Distinctive secrets, so "never printed" is checked by a plain substring search.
const GH_SECRET = 'gh-S3CRET-never-printed-7f3a';
const STRIPE_SECRET = 'whsec_STRIPEsecretNeverPrinted42';
const STD_SECRET = `whsec_${Buffer.from('standard-secret-never-printed-32b').toString('base64')}`;
const SECRETS = [GH_SECRET, STRIPE_SECRET, STD_SECRET];
const NOW = 1_795_600_800;
const EVENT = { id: 'evt_1', type: 'invoice.paid', data: { object: { amount: 4200, note: 'déjà vu' } } };

const dir = mkdtempSync(join(tmpdir(), 'hookctl-sign-verify-'));
let fileCount = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** Runs the CLI and checks the house rules every run must keep. */
async function cli(args: string[], options: Parameters<typeof runCli>[1] = {}): Promise<CliResult> {
  const result = await runCli(args, options);
  for (const secret of SECRETS) {
    expect(result.stdout, 'secret on stdout').not.toContain(secret);
    expect(result.stderr, 'secret on stderr').not.toContain(secret);
  }
  expect(result.stderr, 'no stack traces').not.toMatch(/\n\s+at .+:\d+:\d+/);
  return result;
}

function headerArgs(headers: Record<string, string>): string[] {
  return Object.entries(headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
}

async function signJson(args: string[], input?: string | Buffer) {
  const result = await cli(['sign', '--json', ...args], input === undefined ? {} : { input });
  expect(result.code, result.stderr).toBe(0);
  const lines = result.stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]!) as { type: string; scheme: string; headers: Record<string, string>; url?: string };
}

describe('hookctl sign', () => {
  it('prints the headers, one per line, matching the published GitHub vector', async () => {
    const result = await cli(['sign', '--scheme', 'github', '--secret', "It's a Secret to Everybody", '--data', 'Hello, World!', '--legacy-sha1']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('X-Hub-Signature-256: sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17\n');
    expect(result.stdout).toContain('X-Hub-Signature: sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59\n');
    for (const line of result.stdout.trim().split('\n')) expect(line).toMatch(/^[A-Za-z0-9-]+: \S/);
  });

  it('--json prints one signature record the official library accepts', async () => {
    const body = JSON.stringify(EVENT);
    const record = await signJson(['--scheme', 'stripe', '--secret', STRIPE_SECRET, '--data', body, '--timestamp', String(NOW)]);
    expect(record).toMatchObject({ type: 'signature', scheme: 'stripe' });
    const stripe = new Stripe('sk_test_x');
    expect(stripe.webhooks.constructEvent(body, record.headers['Stripe-Signature']!, STRIPE_SECRET, 300, undefined, NOW * 1000)).toEqual(EVENT);
  });

  it('--file - signs stdin byte for byte, binary included', async () => {
    const body = Buffer.from([0x00, 0xff, 0x7b, 0x0d, 0x0a, 0xc3, 0x28, 0x80]);
    const record = await signJson(['--scheme', 'github', '--secret', GH_SECRET, '--file', '-'], body);
    expect(record.headers['X-Hub-Signature-256']).toBe(`sha256=${createHmac('sha256', GH_SECRET).update(body).digest('hex')}`);
    const fromFile = await signJson(['--scheme', 'github', '--secret', GH_SECRET, '--file', file('binary.bin', body)]);
    expect(fromFile.headers['X-Hub-Signature-256']).toBe(record.headers['X-Hub-Signature-256']);
  });

  it('Standard Webhooks: --id and --timestamp are signed; the library verifies', async () => {
    const body = JSON.stringify(EVENT);
    const record = await signJson(['--scheme', 'standard', '--secret', STD_SECRET, '--data', body, '--id', 'msg_cli', '--timestamp', String(NOW)]);
    const headers = Object.fromEntries(Object.entries(record.headers).map(([k, v]) => [k.toLowerCase(), v]));
    expect(headers['webhook-id']).toBe('msg_cli');
    const real = Date.now;
    Date.now = () => NOW * 1000;
    try {
      expect(new StandardWebhook(STD_SECRET).verify(body, headers)).toEqual(EVENT);
    } finally {
      Date.now = real;
    }
  });

  it('Twilio: the printed headers carry the Content-Type, so the app parses the form that was signed', async () => {
    const server = await startServer();
    try {
      const url = `${server.url}/sms`;
      const body = 'Body=hi+there&From=%2B12125550123&MessageSid=SM0001';
      const printed = await cli(['sign', '--scheme', 'twilio', '--secret', GH_SECRET, '--data', body, '--url', url]);
      expect(printed.code).toBe(0);
      expect(printed.stdout).toContain('Content-Type: application/x-www-form-urlencoded; charset=UTF-8\n');
      const headers = Object.fromEntries(printed.stdout.trim().split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]));
      await fetch(url, { method: 'POST', headers, body });
      const [received] = await server.waitForRequests(1);
      // The app's body parser runs on its Content-Type; Twilio's validator then checks the parsed form.
      expect(received!.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
      const twilio = (await import('twilio')).default;
      const params = Object.fromEntries(new URLSearchParams(received!.body.toString()));
      expect(twilio.validateRequest(GH_SECRET, String(received!.headers['x-twilio-signature']), url, params)).toBe(true);
      const record = await signJson(['--scheme', 'twilio', '--secret', GH_SECRET, '--data', body, '--url', url]);
      expect(record.headers['Content-Type']).toBe('application/x-www-form-urlencoded; charset=UTF-8');
    } finally {
      await server.close();
    }
  });

  it('usage errors exit 2 with one line naming the flag, and never echo the secret', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['sign', '--scheme', 'paypal', '--secret', GH_SECRET, '--data', 'x'], /--scheme.*paypal/],
      [['sign', '--scheme', 'github', '--secret', GH_SECRET], /--data or --file/],
      [['sign', '--scheme', 'github', '--data', 'x'], /--secret/],
      [['sign', '--scheme', 'github', '--secret', '', '--data', 'x'], /--secret: the secret is empty/],
      [['sign', '--scheme', 'standard', '--secret', `whsec_*${GH_SECRET}`, '--data', 'x'], /--secret: .*not valid base64/],
      [['sign', '--scheme', 'standard', '--secret', 'whpk_AAAA', '--data', 'x'], /--secret: .*whsk_/],
      [['sign', '--scheme', 'github', '--secret', GH_SECRET, '--data', 'x', '--timestamp', 'yesterday'], /--timestamp/],
      [['sign', '--scheme', 'twilio', '--secret', GH_SECRET, '--data', 'a=1'], /--url/],
      [['sign', '--scheme', 'github', '--secret', GH_SECRET, '--data', 'x', '--curl', 'ftp://example.com'], /--curl/],
      [['sign', '--scheme', 'github', '--secret', GH_SECRET, '--data', 'x', '--file', 'a.json'], /--data and --file/],
    ];
    const results = await Promise.all(cases.map(([args]) => cli(args)));
    for (const [i, [args, message]] of cases.entries()) {
      const result = results[i]!;
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim().split('\n'), result.stderr).toHaveLength(1);
      expect(result.stderr).toMatch(message);
    }
    const missing = await cli(['sign', '--scheme', 'github', '--secret', GH_SECRET, '--file', join(dir, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--file: cannot read .*no such file/);
  });
});

describe('hookctl verify', () => {
  const body = JSON.stringify(EVENT, null, 2);

  async function signedHeaders(scheme: string, secret: string, signBody: string | Buffer, extra: string[] = []) {
    return (await signJson(['--scheme', scheme, '--secret', secret, '--file', '-', '--timestamp', String(NOW), ...extra], signBody)).headers;
  }

  it('exits 0 with a ✓ line, or a verified record under --json', async () => {
    const headers = await signedHeaders('github', GH_SECRET, body);
    const human = await cli(['verify', '--secret', GH_SECRET, ...headerArgs(headers), '--file', '-'], { input: body });
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^✓ verified github/);
    const json = await cli(['verify', '--json', '--secret', GH_SECRET, ...headerArgs(headers), '--data', body]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ type: 'verification', verified: true, scheme: 'github', reason: null });
    expect(json.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('rotation: several --secret flags, the matching one is named', async () => {
    const headers = await signedHeaders('stripe', STRIPE_SECRET, body);
    const result = await cli(['verify', '--json', '--now', String(NOW), '--secret', 'whsec_old', '--secret', STRIPE_SECRET, ...headerArgs(headers), '--data', body]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ verified: true, secretIndex: 1 });
  });

  it('exits 1 with the reason: wrong secret, stale timestamp, garbage header, duplicate header', async () => {
    const headers = await signedHeaders('stripe', STRIPE_SECRET, body);
    const wrong = await cli(['verify', '--now', String(NOW), '--secret', 'whsec_wrong', ...headerArgs(headers), '--data', body]);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toMatch(/✗ signature_mismatch \[stripe\]/);
    expect(wrong.stdout).toMatch(/probably not the one the sender used/);

    const stale = await cli(['verify', '--json', '--now', String(NOW + 600), '--secret', STRIPE_SECRET, ...headerArgs(headers), '--data', body]);
    expect(stale.code).toBe(1);
    expect(JSON.parse(stale.stdout)).toMatchObject({ verified: false, reason: 'timestamp_outside_tolerance', skewSeconds: -600 });
    const tolerant = await cli(['verify', '--json', '--now', String(NOW + 600), '--tolerance', '15m', '--secret', STRIPE_SECRET, ...headerArgs(headers), '--data', body]);
    expect(tolerant.code).toBe(0);

    const garbage = await cli(['verify', '--json', '--secret', GH_SECRET, '-H', 'X-Hub-Signature-256: sha256=%%%', '--data', body]);
    expect(garbage.code).toBe(1);
    expect(JSON.parse(garbage.stdout)).toMatchObject({ reason: 'malformed_signature_header', scheme: 'github' });

    const other = await signedHeaders('stripe', STRIPE_SECRET, body, ['--timestamp', String(NOW - 5)]);
    const duplicate = await cli(['verify', '--json', '--now', String(NOW), '--secret', STRIPE_SECRET, ...headerArgs(headers), ...headerArgs(other), '--data', body]);
    expect(duplicate.code).toBe(1);
    expect(JSON.parse(duplicate.stdout)).toMatchObject({ reason: 'malformed_signature_header', message: expect.stringMatching(/sent more than once/) });

    const std = await signedHeaders('standard', STD_SECRET, body);
    const badSecret = await cli(['verify', '--json', '--now', String(NOW), '--secret', `whsec_*${GH_SECRET}`, ...headerArgs(std), '--data', body]);
    expect(badSecret.code).toBe(1);
    expect(JSON.parse(badSecret.stdout)).toMatchObject({ scheme: 'standard', reason: 'bad_secret_format', message: expect.stringMatching(/not valid base64/) });

    const unknown = await cli(['verify', '--json', '--secret', GH_SECRET, '-H', 'X-Custom: 1', '--data', body]);
    expect(unknown.code).toBe(1);
    expect(JSON.parse(unknown.stdout)).toMatchObject({ scheme: 'auto', reason: 'missing_signature' });
  });

  it("--scheme pinned to one provider: another provider's signature header is named, in both forms", async () => {
    const headers = await signedHeaders('github', GH_SECRET, body);
    const json = await cli(['verify', '--json', '--scheme', 'slack', '--secret', GH_SECRET, ...headerArgs(headers), '--data', body]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ scheme: 'slack', reason: 'missing_signature', message: expect.stringMatching(/GitHub signature header \(X-Hub-Signature-256\).*--scheme github/) });
    const human = await cli(['verify', '--scheme', 'stripe', '--secret', STRIPE_SECRET, ...headerArgs(headers), '--data', body]);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/GitHub signature header \(X-Hub-Signature-256\).*--scheme github, or --scheme auto/);
  });

  it('usage errors exit 2: no secret, bad -H, unknown scheme, no headers', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['verify', '-H', 'X-Hub-Signature-256: sha256=00', '--data', 'x'], /--secret/],
      [['verify', '--secret', GH_SECRET, '-H', 'no colon here', '--data', 'x'], /--header/],
      [['verify', '--scheme', 'paypal', '--secret', GH_SECRET, '-H', 'a: b', '--data', 'x'], /--scheme/],
      [['verify', '--secret', GH_SECRET, '--data', 'x'], /--header/],
      [['verify', '--secret', GH_SECRET, '-H', 'a: b'], /--data or --file/],
    ];
    const results = await Promise.all(cases.map(([args]) => cli(args)));
    for (const [i, [args, message]] of cases.entries()) {
      const result = results[i]!;
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(message);
    }
  });

  describe.concurrent('diagnosis, in human and --json output', () => {
    async function diagnosis(scheme: string, signingSecret: string, signedBody: string, receivedBody: string, verifyingSecret = signingSecret, secretFile = false) {
      const headers = await signedHeaders(scheme, signingSecret, signedBody);
      // These tests run concurrently: every file name is unique.
      const n = ++fileCount;
      const secretArgs = secretFile ? ['--secret-file', file(`secret-${n}.txt`, verifyingSecret)] : ['--secret', verifyingSecret];
      const args = ['verify', '--scheme', scheme, '--now', String(NOW), ...secretArgs, ...headerArgs(headers), '--file', file(`received-${n}.json`, receivedBody)];
      const [human, json] = await Promise.all([cli(args), cli([...args, '--json'])]);
      expect(human.code).toBe(1);
      expect(json.code).toBe(1);
      const record = JSON.parse(json.stdout) as { reason: string; diagnosis: string | null };
      expect(record.reason).toBe('signature_mismatch');
      expect(human.stdout).toContain(`likely cause: ${record.diagnosis}`);
      return record.diagnosis;
    }

    it('re-serialized JSON', async () => {
      expect(await diagnosis('github', GH_SECRET, body, JSON.stringify(EVENT))).toMatch(/re-serialized pretty-printed with 2 spaces.*raw request bytes/);
    });

    it('a trailing newline', async () => {
      expect(await diagnosis('stripe', STRIPE_SECRET, body, `${body}\n`)).toMatch(/without its trailing newline/);
    });

    it('CRLF line endings', async () => {
      expect(await diagnosis('standard', STD_SECRET, body, body.replace(/\n/g, '\r\n'))).toMatch(/LF line endings/);
    });

    it('the wrong secret encoding (Standard Webhooks signer, Stripe verifier)', async () => {
      // Signed Standard-style with the same whsec_, then checked as a Stripe header would be.
      const standardKey = Buffer.from(STD_SECRET.slice(6), 'base64');
      const v1 = createHmac('sha256', standardKey).update(`${NOW}.${body}`).digest('hex');
      const args = ['verify', '--scheme', 'stripe', '--now', String(NOW), '--secret', STD_SECRET, '-H', `Stripe-Signature: t=${NOW},v1=${v1}`, '--data', body, '--json'];
      const result = await cli(args);
      expect(result.code).toBe(1);
      expect(JSON.parse(result.stdout).diagnosis).toMatch(/base64-decoded after its whsec_ prefix/);
    });

    it('whitespace in the secret (a secret file with a trailing space)', async () => {
      expect(await diagnosis('github', GH_SECRET, body, body, `${GH_SECRET} \n`, true)).toMatch(/without its surrounding whitespace/);
    });
  });
});

const hasCurl = (() => {
  try {
    execFileSync('curl', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasCurl)('hookctl sign --curl', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function runPrinted(command: string): Promise<void> {
    const child = spawn('bash', ['-c', command], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const [code] = (await once(child, 'close')) as [number];
    expect(code, stderr).toBe(0);
  }

  it('prints a command that delivers the exact bytes; Stripe verifies what arrived', async () => {
    server = await startServer();
    const body = `${JSON.stringify({ ...EVENT, quote: "it's \"quoted\" $HOME `x`" })}\n`;
    const result = await cli(['sign', '--scheme', 'stripe', '--secret', STRIPE_SECRET, '--data', body, '--curl', `${server.url}/hooks/stripe`]);
    expect(result.code, result.stderr).toBe(0);
    await runPrinted(result.stdout);
    const [received] = await server.waitForRequests(1);
    expect(received!.url).toBe('/hooks/stripe');
    expect(received!.body.toString('utf8')).toBe(body);
    const stripe = new Stripe('sk_test_x');
    expect(stripe.webhooks.constructEvent(received!.body, received!.headers['stripe-signature'] as string, STRIPE_SECRET)).toMatchObject({ id: 'evt_1' });
  });

  it('binary stdin bodies and --file bodies arrive byte for byte; octokit verifies', async () => {
    server = await startServer();
    const binary = Buffer.from([0x00, 0xff, 0x27, 0x0a, 0x80, 0x7b]);
    const fromStdin = await cli(['sign', '--scheme', 'github', '--secret', GH_SECRET, '--file', '-', '--curl', server.url], { input: binary });
    expect(fromStdin.code, fromStdin.stderr).toBe(0);
    await runPrinted(fromStdin.stdout);
    const text = JSON.stringify(EVENT);
    const fromFile = await cli(['sign', '--scheme', 'github', '--secret', GH_SECRET, '--file', file("event with 'quote'.json", text), '--curl', server.url]);
    await runPrinted(fromFile.stdout);
    const [first, second] = await server.waitForRequests(2);
    expect(first!.body).toEqual(binary);
    expect(first!.headers['x-hub-signature-256']).toBe(`sha256=${createHmac('sha256', GH_SECRET).update(binary).digest('hex')}`);
    expect(second!.body.toString('utf8')).toBe(text);
    expect(await octokitVerify(GH_SECRET, text, second!.headers['x-hub-signature-256'] as string)).toBe(true);
  });
});
