/**
 * `listen --queue` and `worker` read the Redis's eviction policy and persistence when they connect
 * (issue 21.2): an evicting policy is refused in one line, exit 2, unless --allow-eviction; a Redis
 * that keeps nothing on disk gets a warning saying what a restart loses and how to turn AOF on;
 * a managed Redis with CONFIG disabled is read through INFO.
 */
import { afterEach, expect, it } from 'vitest';
import { CliProcess, runCli } from '../helpers/cli.js';
import { describeWithBinary, REDIS_SERVER } from '../helpers/binaries.js';
import { startRedis, type RedisServer, type RedisServerOptions } from '../helpers/redis-server.js';

const servers: RedisServer[] = [];
const spawned: CliProcess[] = [];
afterEach(async () => {
  await Promise.all(spawned.splice(0).map((cli) => cli.stop('SIGKILL')));
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

describeWithBinary(REDIS_SERVER, 'the Redis a queue runs on: eviction and persistence', (binary) => {
  async function redis(options: RedisServerOptions): Promise<string> {
    const server = await startRedis(binary, options);
    servers.push(server);
    return `${server.url}/0`;
  }

  /** A worker until it has joined the group (or exited); its stderr. */
  async function workerStart(url: string, extra: string[] = []): Promise<{ joined: boolean; stderr: string[] }> {
    const cli = new CliProcess(['worker', url, '--json', '--forward-to', 'http://127.0.0.1:9/', ...extra]);
    spawned.push(cli);
    const joined = await cli.waitForRecord((record) => record.type === 'worker').then(() => true, () => false);
    return { joined, stderr: cli.stderrLines };
  }

  it('an evicting policy is refused (exit 2, one line) by worker and listen --queue, also with CONFIG disabled; --allow-eviction runs with a warning', async () => {
    const [lru, managed] = await Promise.all([
      redis({ args: ['--maxmemory-policy', 'allkeys-lru'] }),
      redis({ args: ['--maxmemory-policy', 'volatile-lru', '--rename-command', 'CONFIG', ''] }),
    ]);
    const [worker, listener, managedWorker] = await Promise.all([
      runCli(['worker', lru, '--forward-to', 'http://127.0.0.1:9/']),
      runCli(['listen', '--port', '0', '--secret', 's', '--queue', lru]),
      runCli(['worker', managed, '--forward-to', 'http://127.0.0.1:9/']),
    ]);
    for (const [result, policy, url] of [[worker, 'allkeys-lru', lru], [listener, 'allkeys-lru', lru], [managedWorker, 'volatile-lru', managed]] as const) {
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toBe(
        `hookctl: Redis at ${url} evicts keys when full (maxmemory-policy ${policy}): acknowledged deliveries and dedupe keys could vanish without an error. Set maxmemory-policy noeviction (CONFIG SET maxmemory-policy noeviction, or your provider's setting), or accept the risk with --allow-eviction`,
      );
    }
    const accepted = await workerStart(lru, ['--allow-eviction']);
    expect(accepted.joined).toBe(true);
    expect(accepted.stderr.join('\n')).toMatch(/evicts keys when full \(maxmemory-policy allkeys-lru\), accepted with --allow-eviction/);
  });

  it('no persistence: a warning that says what a restart loses and how to turn AOF on; AOF on: no warning; CONFIG disabled: said as unknown', async () => {
    const [none, aof, snapshots, managed] = await Promise.all([
      redis({}),
      redis({ persistence: true }),
      redis({ args: ['--save', '3600 1'] }),
      redis({ args: ['--rename-command', 'CONFIG', ''] }),
    ]);
    const [noneWorker, aofWorker, snapshotWorker, managedWorker] = await Promise.all([workerStart(none), workerStart(aof), workerStart(snapshots), workerStart(managed)]);
    for (const started of [noneWorker, aofWorker, snapshotWorker, managedWorker]) expect(started.joined).toBe(true);
    expect(noneWorker.stderr.filter((line) => line.startsWith('warning:'))).toEqual([
      `warning: Redis at ${none} keeps nothing on disk (appendonly no, no RDB snapshots): a Redis restart loses every delivery acknowledged and not yet forwarded, and the dedupe keys; turn AOF on: CONFIG SET appendonly yes, and appendonly yes in redis.conf (or your provider's persistence setting)`,
    ]);
    expect(aofWorker.stderr.filter((line) => line.startsWith('warning:'))).toEqual([]);
    expect(snapshotWorker.stderr.join('\n')).toMatch(/has snapshots only \(appendonly no\): a Redis crash loses the deliveries acknowledged since the last snapshot; turn AOF on/);
    expect(managedWorker.stderr.join('\n')).toMatch(/has appendonly no \(its snapshot schedule could not be read\)/);

    const listener = new CliProcess(['listen', '--port', '0', '--json', '--secret', 's', '--queue', none]);
    spawned.push(listener);
    await listener.waitForRecord((record) => record.type === 'listening');
    await expect.poll(() => listener.stderrLines.some((line) => line.includes('keeps nothing on disk'))).toBe(true);
  });

  it('checked again after a reconnect: a Redis switched to an evicting policy meanwhile is said (a failover can land on one)', async () => {
    const server = await startRedis(binary, { persistence: true });
    servers.push(server);
    const url = `${server.url}/0`;
    const cli = new CliProcess(['worker', url, '--json', '--forward-to', 'http://127.0.0.1:9/']);
    spawned.push(cli);
    await cli.waitForRecord((record) => record.type === 'worker');
    expect(cli.stderrLines.filter((line) => line.startsWith('warning:'))).toEqual([]);
    const admin = await server.client();
    await admin.sendCommand(['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru']);
    await admin.sendCommand(['CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes']);
    await cli.waitForRecord((record) => record.type === 'connection' && record.state === 'ready', 10_000);
    await cli.waitForLine((line) => line.includes('evicts keys when full (maxmemory-policy allkeys-lru)'), { stream: 'stderr', timeoutMs: 10_000 });
  });
});
