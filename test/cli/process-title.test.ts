/**
 * `ps` shows every process's command line to every local user. --secret, --forward-secret and URL
 * passwords were there verbatim while a listener ran; now the process title is rewritten at once.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { maskSecretArguments } from '../../src/cli/process-title.js';
import { CliProcess } from '../helpers/cli.js';

const running: CliProcess[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((cli) => cli.stop('SIGKILL')));
});

describe('process title', () => {
  it.skipIf(process.platform !== 'linux')('a running listener shows no secret in /proc/<pid>/cmdline or ps', async () => {
    const cli = new CliProcess([
      'listen', '--port', '0', '--json', '--no-capture',
      '--secret', 'S3CRET-verify-4a1f', '--secret=S3CRET-rotated-77b2',
      '--forward-to', 'http://app:PASSW0RD-9c3e@127.0.0.1:9/hooks', '--forward-secret', 'F0RWARD-5d0e',
    ]);
    running.push(cli);
    await cli.waitForRecord((r) => r.type === 'listening');
    const cmdline = readFileSync(`/proc/${cli.child.pid}/cmdline`, 'utf8').replace(/\0+/g, ' ').trim();
    const ps = execFileSync('ps', ['-o', 'args=', '-p', String(cli.child.pid)], { encoding: 'utf8' }).trim();
    for (const shown of [cmdline, ps]) {
      expect(shown).not.toMatch(/S3CRET|PASSW0RD|F0RWARD/);
      expect(shown).toBe('hookctl listen --port 0 --json --no-capture --secret *** --secret=*** --forward-to http://app:***@127.0.0.1:9/hooks --forward-secret ***');
    }
  });

  it('masks secret flags in both spellings and URL passwords; leaves a command line without secrets alone', () => {
    expect(maskSecretArguments(['replay', '--to=https://u:p%40ss@h.example/x', 'fixtures/'])).toEqual(['replay', '--to=https://u:***@h.example/x', 'fixtures/']);
    expect(maskSecretArguments(['send', 'https://user:pa:ss@h.example/x', '--secret', '--json'])).toEqual(['send', 'https://user:***@h.example/x', '--secret', '***']);
    expect(maskSecretArguments(['send', 'https://user@h.example/x', '--secret-file', '.secret', '--data', 'a:b@c'])).toBeUndefined();
  });
});
