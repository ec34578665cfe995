import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { runCli } from '../helpers/cli.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

describe('the CLI shell', () => {
  it('prints its version', async () => {
    const result = await runCli(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(pkg.version);
  });

  it('lists every command with examples in --help', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    for (const command of ['listen', 'send', 'replay', 'bench', 'sign', 'verify']) expect(result.stdout).toContain(command);
    expect(result.stdout).toContain('Examples:');
  });

  it.each(['listen', 'send', 'replay', 'sign', 'verify'])('%s --help has examples', async (command) => {
    const result = await runCli([command, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Examples:');
  });

  it('exits 2 with one line naming an unknown flag', async () => {
    const result = await runCli(['verify', '--bogus-flag']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('--bogus-flag');
    expect(result.stderr).not.toMatch(/at .*\.js:\d+/);
  });

  it('exits 2 naming the flag for a bad value', async () => {
    const result = await runCli(['verify', '--secret', 'x', '--data', 'a', '-H', 'X-Hub-Signature-256: sha256=00', '--tolerance', 'soon']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--tolerance');
  });
});

describe('output details', () => {
  it('keeps a did-you-mean suggestion on the one error line', async () => {
    const result = await runCli(['lisen']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual(["hookctl: unknown command 'lisen' (did you mean listen?)"]);
  });

  it('never shows the password of a URL it sends to', async () => {
    const result = await runCli(['send', 'http://user:hunter2@127.0.0.1:9/', '--scheme', 'github', '--secret', 's', '--no-retry']);
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).not.toContain('hunter2');
    expect(result.stdout).toContain('http://user:***@127.0.0.1:9/');
  });
});
