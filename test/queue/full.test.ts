/**
 * A Redis at maxmemory with the default `noeviction` must not deadlock the queue (issue 21.1): a
 * worker starts against a full Redis, outcomes are recorded (memory is freed first: the delivered
 * entries are acknowledged and deleted with commands Redis accepts when full), the listeners' 503s
 * stop once there is room, and `queue status` says the queue is full.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { afterEach, expect, it } from 'vitest';
import { CliProcess, runCli } from '../helpers/cli.js';
import { describeWithBinary, REDIS_SERVER } from '../helpers/binaries.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { SECRET } from './support.js';

const spawned: CliProcess[] = [];
const servers: RedisServer[] = [];
const apps: TestServer[] = [];
afterEach(async () => {
  await Promise.all(spawned.splice(0).map((cli) => cli.stop('SIGKILL')));
  await Promise.all([...servers.splice(0).map((server) => server.stop()), ...apps.splice(0).map((app) => app.close())]);
});

function spawn(args: string[]): CliProcess {
  const cli = new CliProcess(args);
  spawned.push(cli);
  return cli;
}

async function deliver(url: string, id: string, pad: string): Promise<number | null> {
  const body = JSON.stringify({ id, type: 'invoice.paid', pad });
  const headers = { 'content-type': 'application/json', 'x-github-delivery': id, 'x-github-event': 'invoice.paid', 'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}` };
  try {
    const response = await fetch(url, { method: 'POST', body, headers });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return null;
  }
}

describeWithBinary(REDIS_SERVER, 'a Redis at maxmemory (noeviction)', (binary) => {
  it('a running worker and a new one both get through: outcomes recorded, delivered entries trimmed, 503s stop, status says full', async () => {
    const server = await startRedis(binary, { args: ['--maxmemory', '3mb', '--maxmemory-policy', 'noeviction'] });
    servers.push(server);
    const queue = `${server.url}/0?stream=t-${randomUUID()}`;
    // The app holds every forward until the queue has filled up.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const app = await startServer(async (_request, res) => {
      await gate;
      res.end('ok');
    });
    apps.push(app);

    const listener = spawn(['listen', '--port', '0', '--json', '--secret', SECRET, '--queue', queue]);
    const { url } = await listener.waitForRecord<{ url: string }>((record) => record.type === 'listening');
    const running = spawn(['worker', queue, '--json', '--forward-to', app.url, '--consumer', 'running', '--concurrency', '5']);
    await running.waitForRecord((record) => record.type === 'worker');

    const pad = 'x'.repeat(8 * 1024);
    const acked: string[] = [];
    let refused = 0;
    while (refused === 0 && acked.length < 2_000) {
      const id = `evt_${randomUUID()}`;
      const status = await deliver(url, id, pad);
      if (status === 200) acked.push(id);
      else if (status === 503) refused++;
      else throw new Error(`unexpected answer ${status}`);
    }
    expect(refused).toBe(1);
    expect(acked.length).toBeGreaterThan(20);

    const status = await runCli(['queue', 'status', queue, '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ type: 'status', memory: { full: true } });
    const human = await runCli(['queue', 'status', queue]);
    expect(human.stdout).toMatch(/memory\s+.*full/i);

    // A new worker starts against the full Redis (XGROUP CREATE was refused under OOM before BUSYGROUP).
    const fresh = spawn(['worker', queue, '--json', '--forward-to', app.url, '--consumer', 'fresh', '--concurrency', '5']);
    await fresh.waitForRecord((record) => record.type === 'worker', 10_000);
    open();

    // Every acknowledged delivery reaches the app, once: outcomes were recorded (nothing forwarded again).
    await expect.poll(() => new Set(app.requests.map((request) => request.headers['idempotency-key'])).size, { timeout: 30_000, interval: 200 }).toBe(acked.length);
    const client = await server.client();
    await expect.poll(async () => ((await client.sendCommand(['XPENDING', queue.split('stream=')[1]!, 'hookctl:workers'])) as unknown[])[0], { timeout: 10_000 }).toBe(0);
    // The listener accepts again once there is room, without a hand.
    const after = `evt_${randomUUID()}`;
    await expect.poll(() => deliver(url, after, ''), { timeout: 10_000, interval: 200 }).toBe(200);
    await expect.poll(() => app.requests.some((request) => request.headers['idempotency-key'] === after), { timeout: 10_000 }).toBe(true);
    const keys = app.requests.map((request) => request.headers['idempotency-key']);
    expect(keys.length).toBe(new Set(keys).size);
    // Delivered entries were trimmed despite the 10-minute retention, and memory came back.
    await expect.poll(async () => Number(await client.sendCommand(['XLEN', queue.split('stream=')[1]!])), { timeout: 10_000 }).toBeLessThan(acked.length);
    // The worker trims in batches as it goes: memory falls below the mark shortly after the backlog does.
    const full = async () => (JSON.parse((await runCli(['queue', 'status', queue, '--json'])).stdout) as { memory: { full: boolean } }).memory.full;
    await expect.poll(full, { timeout: 15_000, interval: 300 }).toBe(false);

    for (const worker of [running, fresh]) {
      expect(worker.child.exitCode).toBeNull();
      expect((await worker.stop('SIGINT')).code).toBe(0);
    }
    expect((await listener.stop('SIGINT')).code).toBe(0);
  }, 60_000);
});
