/**
 * A private redis-server for one suite: 127.0.0.1, a free port, its own temp dir, no persistence
 * unless asked. `describeWithRedis` applies the install-or-skip rule (helpers/binaries.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { afterAll, beforeAll } from 'vitest';
import { describeWithBinary, REDIS_SERVER } from './binaries.js';
import { freePort } from './free-port.js';

function testClient(url: string) {
  // The client reconnects by itself when a test kills and restarts the server.
  return createClient({ url, socket: { reconnectStrategy: 50 } });
}

export type TestRedisClient = ReturnType<typeof testClient>;

export interface RedisServerOptions {
  /** Append-only file, fsynced every write: the data survives kill() and restart(). */
  persistence?: boolean;
  /** requirepass: clients must authenticate. */
  password?: string;
  /** More `--name value` arguments, e.g. ['--maxmemory', '2mb']. */
  args?: string[];
}

export interface RedisServer {
  /** redis://127.0.0.1:PORT (with the password when one is set). */
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  readonly pid: number | undefined;
  /** A connected client for the test's own checks; closed by stop(). */
  client(): Promise<TestRedisClient>;
  /** Ends the server at once (SIGKILL by default), as a crash would. Clients see the connection drop. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and dir (after kill()). */
  restart(): Promise<void>;
  /** What the server logged. */
  log(): string;
  /** Stops the server, closes the test clients, removes the dir. Idempotent. */
  stop(): Promise<void>;
}

const READY = /Ready to accept connections/;
const BIND_FAILED = /Address already in use|Could not create server TCP listening socket/;

function serverArgs(port: number, dir: string, options: RedisServerOptions): string[] {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--logfile', '', '--daemonize', 'no', '--save', '', '--appendonly', options.persistence ? 'yes' : 'no'];
  if (options.persistence) args.push('--appendfsync', 'always');
  if (options.password) args.push('--requirepass', options.password);
  return [...args, ...(options.args ?? [])];
}

/** Spawns redis-server and resolves once it is ready; rejects with its log when it stops first. */
async function launch(binary: string, args: string[], logSink: (text: string) => void): Promise<{ child: ChildProcess; bindFailed: boolean }> {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const ready = new Promise<boolean>((resolve) => {
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output += text;
      logSink(text);
      if (READY.test(output)) resolve(true);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', () => resolve(false));
  });
  if (await ready) return { child, bindFailed: false };
  if (BIND_FAILED.test(output)) return { child, bindFailed: true };
  throw new Error(`redis-server did not start:\n${output}`);
}

export async function startRedis(binary: string, options: RedisServerOptions = {}): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'hookctl-redis-'));
  let log = '';
  const appendLog = (text: string) => (log += text);
  let port = 0;
  let child: ChildProcess | undefined;
  for (let tries = 0; !child; tries++) {
    port = await freePort();
    const started = await launch(binary, serverArgs(port, dir, options), appendLog);
    if (!started.bindFailed) child = started.child;
    else if (tries >= 5) throw new Error(`redis-server could not bind a free port:\n${log}`);
  }
  // A vitest worker that dies must not leave the server behind.
  const killOnExit = () => child?.kill('SIGKILL');
  process.once('exit', killOnExit);
  const clients: TestRedisClient[] = [];
  let stopped: Promise<void> | undefined;
  const auth = options.password ? `:${encodeURIComponent(options.password)}@` : '';

  async function kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = once(running, 'exit');
    running.kill(signal);
    await exited;
  }

  return {
    url: `redis://${auth}127.0.0.1:${port}`,
    port,
    dir,
    get pid() {
      return child?.pid;
    },
    async client() {
      const client = testClient(`redis://${auth}127.0.0.1:${port}`);
      client.on('error', () => {});
      await client.connect();
      clients.push(client);
      return client;
    },
    kill,
    async restart() {
      await kill();
      child = (await launch(binary, serverArgs(port, dir, options), appendLog)).child;
      if (!child.pid || child.exitCode !== null) throw new Error(`redis-server did not restart on port ${port}:\n${log}`);
    },
    log: () => log,
    stop() {
      stopped ??= (async () => {
        for (const client of clients.splice(0)) client.destroy();
        await kill('SIGTERM');
        process.removeListener('exit', killOnExit);
        rmSync(dir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}

/**
 * A suite with its own redis-server, started before its tests and stopped after them. Where
 * redis-server is not installed the suite is skipped with one line saying how to install it (a
 * failure under CI=true).
 */
export function describeWithRedis(title: string, suite: (redis: () => RedisServer) => void, options: RedisServerOptions = {}): void {
  describeWithBinary(REDIS_SERVER, title, (binary) => {
    let server: RedisServer | undefined;
    beforeAll(async () => {
      server = await startRedis(binary, options);
    });
    afterAll(async () => {
      await server?.stop();
    });
    suite(() => {
      if (!server) throw new Error('the suite redis-server is not running');
      return server;
    });
  });
}
