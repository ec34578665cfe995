/**
 * An error names what the user can change: the variable or config file a bad value came from, a
 * close match for a misspelled choice, and a file problem in words rather than an error code.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hookctl-where-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function oneLine(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<string> {
  const result = await runCli(args, { cwd: dir, ...options });
  expect(result.code, result.stderr).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  return result.stderr.trim();
}

describe('a bad value says where it came from', () => {
  it('HOOKCTL_PORT is named, not only --port', async () => {
    expect(await oneLine(['listen', '--no-capture'], { env: { HOOKCTL_PORT: 'eighty' } })).toBe('hookctl: --port (from HOOKCTL_PORT): expected a whole number, got "eighty"');
  });

  it('a HOOKCTL_* variable of any command, and the config file', async () => {
    expect(await oneLine(['send', 'http://127.0.0.1:9/', '--secret', 's', '--scheme', 'github'], { env: { HOOKCTL_TIMEOUT: 'soon' } })).toMatch(/^hookctl: --timeout \(from HOOKCTL_TIMEOUT\): expected a duration/);
    await writeFile(join(dir, 'hookctl.config.json'), JSON.stringify({ send: { timeout: 'soon' } }));
    expect(await oneLine(['send', 'http://127.0.0.1:9/', '--secret', 's', '--scheme', 'github'])).toMatch(/^hookctl: --timeout \(from hookctl\.config\.json\): expected a duration/);
    // Typed on the command line, the flag alone is named.
    expect(await oneLine(['send', 'http://127.0.0.1:9/', '--secret', 's', '--scheme', 'github', '--timeout', 'soon'])).toMatch(/^hookctl: --timeout: expected a duration/);
  });
});

describe('a misspelled choice gets a "did you mean"', () => {
  it('on the command line, from the environment, and for an argument', async () => {
    expect(await oneLine(['send', 'http://127.0.0.1:9/', '--scheme', 'stirpe', '--secret', 's'])).toMatch(
      /^hookctl: option '--scheme <name>' argument 'stirpe' is invalid\. Allowed choices are auto, github, stripe, standard, svix, slack, shopify, twilio, hmac, bitbucket, .*, pubsub \(did you mean stripe\?\)\.$/,
    );
    expect(await oneLine(['verify', '--secret', 's', '-H', 'X: y', '--data', '{}'], { env: { HOOKCTL_SCHEME: 'GitHub' } })).toMatch(/from HOOKCTL_SCHEME is invalid\. .* \(did you mean github\?\)\.$/);
    expect(await oneLine(['completion', 'bsh'])).toMatch(/Allowed choices are bash, zsh, fish \(did you mean bash or zsh\?\)\.$/);
    // Nothing close: no guess.
    expect(await oneLine(['send', 'http://127.0.0.1:9/', '--scheme', 'paypal', '--secret', 's'])).not.toMatch(/did you mean/);
  });
});

describe('file problems in words', () => {
  it('--config and --report say what is wrong, not ENOENT', async () => {
    expect(await oneLine(['--config', 'missing.json', 'samples'])).toBe('hookctl: --config: cannot read missing.json (no such file)');
    expect(await oneLine(['bench', 'polling-vs-push', '--report', join(dir, 'no', 'such', 'r.html')])).toBe(`hookctl: --report: cannot write to ${join(dir, 'no', 'such')} (no such folder)`);
  });
});
