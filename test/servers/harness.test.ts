/**
 * The real-server harness itself: a private redis-server and nginx per suite, and the rule for a
 * missing binary (skip with one line locally, fail under CI=true), proven by running a fixture
 * suite in a child vitest with the binary pointed at a path that does not exist.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { cliEnv } from '../helpers/cli.js';
import { describeWithNginx, startNginx, type NginxServer } from '../helpers/nginx.js';
import { describeWithRedis, startRedis } from '../helpers/redis-server.js';
import { describeWithBinary, REDIS_SERVER } from '../helpers/binaries.js';
import { startServer, type TestServer } from '../helpers/server.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const VITEST = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url));

async function runFixtureSuite(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [VITEST, 'run', '--config', 'test/servers/fixtures/vitest.config.ts'], { cwd: ROOT, env: cliEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, output };
}

describe.concurrent('a suite whose server binary is missing', () => {
  const missing = { HOOKCTL_TEST_REDIS_SERVER: '/nonexistent/redis-server', CI: '' };

  it('is skipped by npm test with one line saying how to install it', async () => {
    const { code, output } = await runFixtureSuite(missing);
    expect(code, output).toBe(0);
    const lines = output.split('\n').filter((line) => line.includes('apt-get install redis-server'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^skipped "a suite that needs redis-server": redis-server is not installed/);
    expect(output).toMatch(/1 skipped/);
  });

  it('fails under CI=true, so CI never passes without running it', async () => {
    const { code, output } = await runFixtureSuite({ ...missing, CI: 'true' });
    expect(code, output).toBe(1);
    expect(output).toMatch(/needs redis-server/);
    expect(output).toMatch(/CI=true: a suite that needs it must run, not skip/);
  });
});

describeWithRedis('the private redis-server', (redis) => {
  it('listens on 127.0.0.1 on its own port, keeps nothing on disk, and survives a client reconnect after a restart', async () => {
    const server = redis();
    expect(server.url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    const client = await server.client();
    await client.set('k', 'v');
    expect(await client.configGet('appendonly')).toEqual({ appendonly: 'no' });
    expect(await client.configGet('save')).toEqual({ save: '' });
    await server.restart();
    // Without persistence a restart starts empty.
    await expect.poll(async () => client.get('k').catch(() => 'not yet'), { timeout: 10_000 }).toBeNull();
  });
});

describeWithRedis('a redis-server with persistence', (redis) => {
  it('keeps acknowledged writes through a SIGKILL and restart', async () => {
    const server = redis();
    const client = await server.client();
    await client.set('kept', 'yes');
    await server.kill('SIGKILL');
    await server.restart();
    await expect.poll(async () => client.get('kept').catch(() => 'not yet'), { timeout: 10_000 }).toBe('yes');
  });
}, { persistence: true });

describeWithBinary(REDIS_SERVER, 'stopping the private redis-server', (binary) => {
  it('ends the process and removes its dir (stop is idempotent)', async () => {
    const server = await startRedis(binary);
    const pid = server.pid!;
    await Promise.all([server.stop(), server.stop()]);
    expect(existsSync(server.dir)).toBe(false);
    expect(() => process.kill(pid, 0)).toThrow();
  });
});

describeWithNginx('the private nginx', (binary) => {
  const apps: TestServer[] = [];
  const balancers: NginxServer[] = [];
  afterEach(async () => {
    await Promise.all([...balancers.splice(0).map((nginx) => nginx.stop()), ...apps.splice(0).map((app) => app.close())]);
  });

  it('round-robins requests over the upstreams and stops cleanly', async () => {
    const a = await startServer((_req, res) => void res.end('a'));
    const b = await startServer((_req, res) => void res.end('b'));
    apps.push(a, b);
    const nginx = await startNginx(binary, { upstreams: [a.port, b.port] });
    balancers.push(nginx);
    const answers: string[] = [];
    for (let i = 0; i < 6; i++) {
      const response = await fetch(`${nginx.url}/hook`, { method: 'POST', body: `n${i}` });
      answers.push(await response.text());
    }
    expect(answers.filter((answer) => answer === 'a')).toHaveLength(3);
    expect(answers.filter((answer) => answer === 'b')).toHaveLength(3);
    expect(a.requests[0]!.url).toBe('/hook');
    expect(a.requests.map((request) => request.body.toString()).concat(b.requests.map((request) => request.body.toString())).sort()).toEqual(['n0', 'n1', 'n2', 'n3', 'n4', 'n5']);
    await nginx.stop();
    expect(existsSync(nginx.dir)).toBe(false);
    await expect(fetch(nginx.url)).rejects.toThrow();
  });
});
