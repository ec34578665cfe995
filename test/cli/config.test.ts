import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hookctl-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const signArgs = ['sign', '--secret', 'topsecret', '--data', '{"a":1}', '--json'];
async function signedScheme(env: NodeJS.ProcessEnv = {}, extra: string[] = []): Promise<string> {
  const result = await runCli([...signArgs, ...extra], { cwd: dir, env });
  expect(result.stderr).toBe('');
  return (JSON.parse(result.stdout) as { scheme: string }).scheme;
}

describe('option precedence: flags > HOOKCTL_* env > config file > defaults', () => {
  beforeEach(async () => {
    await writeFile(join(dir, 'hookctl.config.json'), JSON.stringify({ sign: { scheme: 'github' } }));
  });

  it('takes the config file over the default', async () => {
    expect(await signedScheme()).toBe('github');
  });

  it('takes the environment over the config file', async () => {
    expect(await signedScheme({ HOOKCTL_SCHEME: 'stripe' })).toBe('stripe');
  });

  it('takes the flag over both', async () => {
    expect(await signedScheme({ HOOKCTL_SCHEME: 'stripe' }, ['--scheme', 'slack'])).toBe('slack');
  });

  it('reads another file with --config', async () => {
    await writeFile(join(dir, 'other.json'), JSON.stringify({ '*': { scheme: 'shopify' } }));
    expect(await signedScheme({}, ['--config', 'other.json'])).toBe('shopify');
  });
});

describe('config file errors', () => {
  it('refuses a secret in a config file', async () => {
    await writeFile(join(dir, 'hookctl.config.json'), JSON.stringify({ sign: { secret: 'leaked' } }));
    const result = await runCli(signArgs, { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('secretFile');
    expect(result.stderr).not.toContain('leaked');
  });

  it('names an unknown key', async () => {
    await writeFile(join(dir, 'hookctl.config.json'), JSON.stringify({ sign: { shceme: 'github' } }));
    const result = await runCli(signArgs, { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('"shceme"');
  });

  it('reports invalid JSON in one line', async () => {
    await writeFile(join(dir, 'hookctl.config.json'), '{ "sign": ');
    const result = await runCli(signArgs, { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('hookctl init', () => {
  it('writes a config, a private secret file and the fixtures folder, then refuses to overwrite', async () => {
    const first = await runCli(['init', '--scheme', 'stripe', '--port', '4000', '--yes'], { cwd: dir });
    expect(first.code).toBe(0);
    const config = JSON.parse(await readFile(join(dir, 'hookctl.config.json'), 'utf8'));
    expect(config).toMatchObject({ '*': { scheme: 'stripe', secretFile: '.hookctl-secret' }, listen: { port: 4000 } });
    const secret = await readFile(join(dir, '.hookctl-secret'), 'utf8');
    expect(secret).toMatch(/^whsec_\S+\n$/);
    expect((await stat(join(dir, '.hookctl-secret'))).mode & 0o777).toBe(0o600);
    expect((await readFile(join(dir, '.gitignore'), 'utf8')).split('\n')).toContain('.hookctl-secret');
    expect(first.stdout + first.stderr).not.toContain(secret.trim());

    // The written config drives the next command: sign picks up scheme and secret from it.
    const signed = await runCli(['sign', '--data', '{}', '--json'], { cwd: dir });
    expect(JSON.parse(signed.stdout)).toMatchObject({ scheme: 'stripe' });

    const second = await runCli(['init', '--yes'], { cwd: dir });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain('--force');

    // Its own config (with a secretFile) is read while init runs again: --force rewrites it.
    const forced = await runCli(['init', '--scheme', 'github', '--force', '--yes'], { cwd: dir });
    expect(forced.stderr).not.toContain('unexpected error');
    expect(forced.code).toBe(0);
    expect(JSON.parse(await readFile(join(dir, 'hookctl.config.json'), 'utf8'))).toMatchObject({ '*': { scheme: 'github' } });
    expect(await readFile(join(dir, '.hookctl-secret'), 'utf8')).toBe(secret);
  });

  it('writes nothing on --dry-run', async () => {
    const result = await runCli(['init', '--scheme', 'github', '--dry-run'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('would write hookctl.config.json');
    await expect(stat(join(dir, 'hookctl.config.json'))).rejects.toThrow();
  });
});

describe('hookctl completion', () => {
  it('completes commands, flags and scheme names in bash', async () => {
    const script = (await runCli(['completion', 'bash'])).stdout;
    await writeFile(join(dir, 'c.bash'), script);
    const complete = async (words: string[]) => {
      const probe = `source ${join(dir, 'c.bash')}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _hookctl; echo "\${COMPREPLY[*]}"`;
      const { spawnSync } = await import('node:child_process');
      return spawnSync('bash', ['-c', probe], { encoding: 'utf8' }).stdout.trim();
    };
    expect(await complete(['hookctl', 'li'])).toBe('listen');
    const forward = (await complete(['hookctl', 'listen', '--forw'])).split(' ');
    expect(forward).toEqual(expect.arrayContaining(['--forward-to', '--forward-secret']));
    expect(forward.every((flag) => flag.startsWith('--forw'))).toBe(true);
    expect(await complete(['hookctl', 'send', 'http://x', '--scheme', 'st'])).toBe('stripe standard');
    expect(await complete(['hookctl', 'bench', 'p'])).toBe('polling-vs-push');
  });

  it('prints zsh and fish scripts naming every command', async () => {
    for (const shell of ['zsh', 'fish']) {
      const result = await runCli(['completion', shell]);
      expect(result.code).toBe(0);
      for (const command of ['listen', 'send', 'replay', 'bench', 'sign', 'verify', 'init']) expect(result.stdout).toContain(command);
    }
  });

  it('rejects an unknown shell with exit 2', async () => {
    const result = await runCli(['completion', 'powershell']);
    expect(result.code).toBe(2);
  });
});
