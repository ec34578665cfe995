/** Flags > HOOKCTL_* env > config file, for the secret too; and a config section that names no command is an error. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hookctl-config-precedence-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const BODY = '{"zen":"Design for failure."}';

/** GitHub signature headers for BODY made with `secret`, as -H arguments for verify. */
async function signedWith(secret: string): Promise<string[]> {
  const signed = await runCli(['sign', '--scheme', 'github', '--secret', secret, '--data', BODY, '--json'], { cwd: dir });
  const { headers } = JSON.parse(signed.stdout) as { headers: Record<string, string> };
  return Object.entries(headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
}

describe('the secret from a flag or HOOKCTL_SECRET replaces the config file\'s secretFile', () => {
  beforeEach(async () => {
    await writeFile(join(dir, 'config-secret.txt'), 'from-the-config\n');
    await writeFile(join(dir, 'hookctl.config.json'), JSON.stringify({ '*': { secretFile: 'config-secret.txt' } }));
  });

  it('the config secret alone verifies (the control)', async () => {
    const result = await runCli(['verify', '--scheme', 'github', ...(await signedWith('from-the-config')), '--data', BODY], { cwd: dir });
    expect(result.code, result.stdout + result.stderr).toBe(0);
  });

  it('--secret given: a signature made with the config\'s secret no longer verifies', async () => {
    const result = await runCli(['verify', '--scheme', 'github', ...(await signedWith('from-the-config')), '--data', BODY, '--secret', 'from-the-flag'], { cwd: dir });
    expect(result.code).toBe(1);
    const flag = await runCli(['verify', '--scheme', 'github', ...(await signedWith('from-the-flag')), '--data', BODY, '--secret', 'from-the-flag'], { cwd: dir });
    expect(flag.code, flag.stdout + flag.stderr).toBe(0);
  });

  it('--secret-file given: only that file, not the config\'s as well', async () => {
    await writeFile(join(dir, 'flag-secret.txt'), 'from-the-flag-file\n');
    const result = await runCli(['verify', '--scheme', 'github', ...(await signedWith('from-the-config')), '--data', BODY, '--secret-file', 'flag-secret.txt'], { cwd: dir });
    expect(result.code).toBe(1);
    const flag = await runCli(['verify', '--scheme', 'github', ...(await signedWith('from-the-flag-file')), '--data', BODY, '--secret-file', 'flag-secret.txt'], { cwd: dir });
    expect(flag.code, flag.stdout + flag.stderr).toBe(0);
  });

  it('HOOKCTL_SECRET set: it is the one secret, not the config file\'s', async () => {
    const result = await runCli(['verify', '--scheme', 'github', ...(await signedWith('from-the-config')), '--data', BODY], { cwd: dir, env: { HOOKCTL_SECRET: 'from-the-env' } });
    expect(result.code).toBe(1);
    const env = await runCli(['verify', '--scheme', 'github', ...(await signedWith('from-the-env')), '--data', BODY], { cwd: dir, env: { HOOKCTL_SECRET: 'from-the-env' } });
    expect(env.code, env.stdout + env.stderr).toBe(0);
  });
});

describe('config sections', () => {
  it('a misspelled command section is a usage error with did-you-mean, as a misspelled key is', async () => {
    await writeFile(join(dir, 'hookctl.config.json'), JSON.stringify({ lisen: { port: 4000 } }));
    const result = await runCli(['sign', '--secret', 's', '--data', '{}'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^hookctl: config .*hookctl\.config\.json: unknown section "lisen" \(did you mean listen\?\); sections are command names \(listen, send, .*\) or "\*"$/m);
  });

  it('"*", command names and a "$schema" key are accepted', async () => {
    await writeFile(join(dir, 'hookctl.config.json'), JSON.stringify({ $schema: './schema.json', '*': { scheme: 'github' }, listen: { port: 4000 }, sign: { scheme: 'stripe' } }));
    const result = await runCli(['sign', '--secret', 's', '--data', '{}', '--json'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).scheme).toBe('stripe');
  });
});
