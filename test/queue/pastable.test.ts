/**
 * Commands hookctl prints for the user to run must run when pasted (issue 22.10): never `***` for
 * a Redis password, which fails with WRONGPASS, but the password file, or FILE and the variable
 * that can stand for it.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseQueueAddress, pastableAddress } from '../../src/queue/address.js';
import { CliProcess } from '../helpers/cli.js';
import { describeWithRedis } from '../helpers/redis-server.js';

const spawned: CliProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(spawned.splice(0).map((cli) => cli.stop('SIGKILL')));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('pastableAddress', () => {
  it('never holds ***: the URL, the password file it came from, or FILE with what it is', () => {
    expect(pastableAddress(parseQueueAddress('redis://127.0.0.1:6379'))).toEqual({ args: 'redis://127.0.0.1:6379/0' });
    const inUrl = pastableAddress(parseQueueAddress('redis://app:s3cret@127.0.0.1:6379/2'));
    expect(inUrl.args).toBe('redis://app@127.0.0.1:6379/2 --redis-password-file FILE');
    expect(inUrl.hint).toMatch(/HOOKCTL_REDIS_PASSWORD_FILE/);
    const fromFile = pastableAddress(parseQueueAddress('redis://app@127.0.0.1:6379', { password: 's3cret', passwordFile: "/run/my secrets/redis" }));
    expect(fromFile).toEqual({ args: "redis://app@127.0.0.1:6379/0 --redis-password-file '/run/my secrets/redis'" });
    // Query parameters are quoted: a pasted `&` would start a background job.
    expect(pastableAddress(parseQueueAddress('redis://127.0.0.1:6379?stream=a&group=b')).args).toBe("'redis://127.0.0.1:6379/0?stream=a&group=b'");
    for (const printed of [inUrl.args, fromFile.args]) expect(printed).not.toMatch(/\*\*\*|s3cret/);
  });
});

describeWithRedis(
  'the worker command listen --queue prints',
  (redis) => {
    async function printedWorkerCommand(args: string[]): Promise<string> {
      const listener = new CliProcess(['listen', '--port', '0', '--secret', 's', ...args]);
      spawned.push(listener);
      const line = await listener.waitForLine((text) => text.includes('forward with:'), { stream: 'stderr' });
      return line;
    }

    it('runs when pasted: with the password file named, or FILE given through HOOKCTL_REDIS_PASSWORD_FILE', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'hookctl-pastable-'));
      dirs.push(dir);
      const file = join(dir, 'redis-pass');
      writeFileSync(file, 'hunter2\n');
      chmodSync(file, 0o600);
      const port = new URL(redis().url).port;

      const fromFile = await printedWorkerCommand(['--queue', `redis://127.0.0.1:${port}`, '--redis-password-file', file]);
      expect(fromFile).toContain(`forward with: hookctl worker redis://127.0.0.1:${port}/0 --redis-password-file '${file}' --forward-to URL`);
      const inUrl = await printedWorkerCommand(['--queue', `redis://:hunter2@127.0.0.1:${port}`]);
      expect(inUrl).toContain(`forward with: hookctl worker redis://127.0.0.1:${port}/0 --redis-password-file FILE --forward-to URL (FILE holds the Redis password`);
      for (const line of [fromFile, inUrl]) expect(line).not.toMatch(/\*\*\*|hunter2/);

      // Pasted, with URL and FILE filled in: each joins the queue.
      const pasted = [
        new CliProcess(['worker', `redis://127.0.0.1:${port}/0`, '--redis-password-file', file, '--forward-to', 'http://127.0.0.1:9/', '--json']),
        new CliProcess(['worker', `redis://127.0.0.1:${port}/0`, '--forward-to', 'http://127.0.0.1:9/', '--json'], { env: { HOOKCTL_REDIS_PASSWORD_FILE: file } }),
      ];
      spawned.push(...pasted);
      await Promise.all(pasted.map((worker) => worker.waitForRecord((record) => record.type === 'worker')));
    });
  },
  { password: 'hunter2' },
);
