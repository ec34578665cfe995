/**
 * A "Redis" that accepts the connection and never answers (issue 21.7): every command that talks
 * to a queue gives up with one clear line naming the URL, its password masked, instead of hanging.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('a Redis that accepts the connection and never answers', () => {
  let server: Server;
  let port = 0;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    server = createServer((socket) => {
      sockets.add(socket);
      socket.on('data', () => {});
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('listen --queue, worker and queue status/dead/requeue each end with one line naming the URL (password masked)', async () => {
    const url = `redis://app:hunter2@127.0.0.1:${port}/0`;
    const shown = `redis://app:***@127.0.0.1:${port}/0`;
    const timeout = ['--redis-timeout', '1s'];
    const results = await Promise.all([
      runCli(['listen', '--port', '0', '--secret', 's', '--queue', url, ...timeout], { timeoutMs: 25_000 }),
      runCli(['worker', url, '--forward-to', 'http://127.0.0.1:1/', ...timeout], { timeoutMs: 25_000 }),
      runCli(['queue', 'status', url, ...timeout], { timeoutMs: 25_000 }),
      runCli(['queue', 'dead', url, ...timeout], { timeoutMs: 25_000 }),
      runCli(['queue', 'requeue', url, '--all', ...timeout], { timeoutMs: 25_000 }),
      // Without --redis-timeout the default, 5s, ends it too.
      runCli(['queue', 'status', `redis://127.0.0.1:${port}`], { timeoutMs: 25_000 }),
    ]);
    const byDefault = results.pop()!;
    expect(byDefault.code).toBe(2);
    expect(byDefault.stderr).toBe(`hookctl: cannot reach Redis at redis://127.0.0.1:${port}/0: it accepted the connection but did not answer within 5s (is it a Redis server, and is the port right?)\n`);
    // A hang would be killed by runCli (signal SIGKILL): each must end by itself.
    for (const result of results) {
      expect(result.signal).toBeNull();
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain(shown);
      expect(result.stderr).toMatch(/did not answer within 1s/);
      expect(result.stderr).not.toContain('hunter2');
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
  }, 60_000);
});
