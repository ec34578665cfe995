/**
 * `relay serve --redis` on a Redis that would lose what the relay acknowledged (no AOF) says so at
 * start, on stderr: the relay answers 2xx once a delivery is in Redis, so a Redis restart without
 * persistence loses deliveries the providers will never send again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { CliProcess } from '../helpers/cli.js';
import { describeWithRedis } from '../helpers/redis-server.js';

const running: CliProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((cli) => cli.stop('SIGKILL')));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describeWithRedis('relay serve --redis on a Redis without persistence', (redis) => {
  it('warns that a Redis restart loses the deliveries it holds, and still serves', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookctl-relay-warn-'));
    dirs.push(dir);
    const cli = new CliProcess(['relay', 'serve', '--port', '0', '--redis', redis().url, '--admin-token-file', join(dir, 'admin-token'), '--json']);
    running.push(cli);
    await cli.waitForRecord((record) => record.type === 'relay');
    await cli.waitForLine((line) => /appendonly off: a Redis restart loses the deliveries it holds/.test(line), { stream: 'stderr' });
    expect(cli.stdoutLines.every((line) => line.startsWith('{'))).toBe(true);
  });
});
