import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startServer, type TestServer } from '../helpers/server.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
let server: TestServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Runs send against a live server and expects one clean line on stderr, nothing sent, nothing on stdout. */
async function rejects(args: string[], code: number, message: RegExp): Promise<void> {
  server ??= await startServer();
  const result = await runCli(['send', ...args.map((arg) => arg.replace('$URL', server!.url))]);
  expect(result.stderr).toMatch(message);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).not.toMatch(/\bat .*\.js:\d+/);
  expect(result.stdout).toBe('');
  expect(result.code).toBe(code);
  expect(server.requests).toHaveLength(0);
}

describe('hookctl send: bad input is one line with the right exit code', () => {
  it('an invalid URL', async () => {
    await rejects(['not a url', '--secret', SECRET], 2, /^hookctl: <url>: "not a url" is not a valid URL/);
    await rejects(['ftp://127.0.0.1/x', '--secret', SECRET], 2, /only http:\/\/ and https:\/\//);
  });

  it('non-JSON --data for a JSON scheme names the flag and the way out', async () => {
    for (const scheme of ['stripe', 'standard', 'github', 'slack', 'shopify']) {
      await rejects(['$URL', '--scheme', scheme, '--data', 'hello=world', '--secret', SECRET], 2, new RegExp(`^hookctl: --data: ${scheme} webhooks carry JSON, but this body is not valid JSON.*--scheme hmac`));
    }
  });

  it('a missing --file or fixture argument is a usage error naming it', async () => {
    await rejects(['$URL', '--file', 'no/such/body.json', '--secret', SECRET], 2, /^hookctl: --file: cannot read no\/such\/body\.json \(no such file\)/);
    await rejects(['$URL', 'no/such/fixture.json', '--secret', SECRET], 2, /^hookctl: no\/such\/fixture\.json: no such file or folder/);
  });

  it('a fixture file that is not JSON is a usage error in one line, exit 2, as verify --fixture says it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookctl-send-broken-'));
    try {
      const broken = join(dir, 'broken.json');
      writeFileSync(broken, '{"a":');
      await rejects(['$URL', broken, '--secret', SECRET], 2, /^hookctl: .*broken\.json: not valid JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('negative or malformed durations and numbers name their flag', async () => {
    await rejects(['$URL', '--secret', SECRET, '--timeout', '-5s'], 2, /^hookctl: --timeout: expected a duration/);
    await rejects(['$URL', '--secret', SECRET, '--timeout', '5 parsecs'], 2, /^hookctl: --timeout: expected a duration/);
    await rejects(['$URL', '--secret', SECRET, '--retry-schedule', '0,-1s'], 2, /^hookctl: --retry-schedule: /);
    await rejects(['$URL', '--secret', SECRET, '--retry-schedule', 'soonish'], 2, /^hookctl: --retry-schedule: .*standard/);
    await rejects(['$URL', '--secret', SECRET, '--time-scale', '-1'], 2, /^hookctl: --time-scale: /);
    await rejects(['$URL', '--secret', SECRET, '--retries', 'many'], 2, /^hookctl: --retries: /);
    await rejects(['$URL', '--secret', SECRET, '--count', '0'], 2, /^hookctl: --count: /);
    await rejects(['$URL', '--secret', SECRET, '--count', '5', '--concurrency', '-2'], 2, /^hookctl: --concurrency: /);
    await rejects(['$URL', '--secret', SECRET, '--count', '5', '--rate', 'fast'], 2, /^hookctl: --rate: /);
  });

  it('conflicting or missing flags', async () => {
    await rejects(['$URL'], 2, /^hookctl: --secret: a secret is required/);
    await rejects(['$URL', '--secret', SECRET, '--data', '{}', '--file', 'x.json'], 2, /^hookctl: --data and --file/);
    await rejects(['$URL', '--secret', SECRET, '--no-retry', '--retries', '3'], 2, /--no-retry and --retries/);
    await rejects(['$URL', '--secret', SECRET, '--rate', '10'], 2, /^hookctl: --rate: .*--count/);
    await rejects(['$URL', '--secret', SECRET, '--count', '3', '--id', 'evt_1'], 2, /^hookctl: --id: /);
    await rejects(['$URL', '--secret', SECRET, '-H', 'no colon here'], 2, /^hookctl: --header: expected "Name: value"/);
  });

  it('a secret the scheme cannot use is a usage error that never echoes it', async () => {
    await rejects(['$URL', '--secret', 'whsec_***not base64***'], 2, /^hookctl: --secret: the secret is not valid base64/);
    const result = await runCli(['send', 'http://127.0.0.1:9/', '--secret', 'whsec_***not base64***']);
    expect(result.stderr).not.toContain('***not base64***');
  });
});

describe('hookctl send --data without --event', () => {
  it('shows the event type the provider header carries (GitHub sends ping)', async () => {
    server = await startServer();
    const human = await runCli(['send', server.url, '--scheme', 'github', '--data', '{"zen":"Keep it logically awesome."}', '--secret', SECRET]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^→ github ping [0-9a-f-]{36} to /m);
    expect(server.requests[0]!.headers['x-github-event']).toBe('ping');
    const json = await runCli(['send', server.url, '--scheme', 'github', '--data', '{"zen":"x"}', '--secret', SECRET, '--json']);
    expect(json.stdout).toContain('"eventType":"ping"');
    expect(server.requests[1]!.headers['x-github-event']).toBe('ping');
  });
});
