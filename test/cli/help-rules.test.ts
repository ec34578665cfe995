/**
 * The help of every command that signs or verifies states the one --scheme rule and steers secrets
 * away from the command line: no example passes one with --secret "$VAR" (it would show in ps).
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const flat = (text: string) => text.replace(/\s+/g, ' ');

describe.concurrent('help: the --scheme rule and where secrets go', () => {
  it.each(['send', 'replay', 'sign', 'verify'])('%s --help states the --scheme rule and the secrets note', async (command) => {
    const help = await runCli([command, '--help']);
    expect(help.code).toBe(0);
    const text = flat(help.stdout);
    expect(text).toContain("--scheme auto is the default wherever there is something to read the scheme from: listen and verify detect it from each request's headers; send and replay use the scheme a fixture was captured with, and standard (Standard Webhooks) for a new event. sign has nothing to read it from, so it needs --scheme.");
    expect(text).toContain('Secrets: --secret-file PATH or HOOKCTL_SECRET keep a secret out of ps and shell history');
  });

  it.each(['send', 'replay', 'sign', 'verify'])('%s --help: no example passes a secret in --secret, but a published test vector', async (command) => {
    const help = await runCli([command, '--help']);
    const examples = help.stdout.split('Examples:')[1]!.split('\n').filter((line) => line.trim().startsWith('$ '));
    expect(examples.length).toBeGreaterThan(2);
    const onCommandLine = examples.filter((line) => /--secret[ =](?!-file)/.test(line) && !/published test vector/.test(line));
    expect(onCommandLine).toEqual([]);
    expect(examples.some((line) => /--secret-file|HOOKCTL_SECRET/.test(line))).toBe(true);
  });
});
