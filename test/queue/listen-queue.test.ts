/**
 * `hookctl listen --queue redis://…` against a real redis-server: each new delivery goes into the
 * stream as the journal's record, answered 2xx only once Redis has it; duplicates are decided in
 * Redis across listeners; a worker forwards it. Faults: Redis unreachable at start (exit 2, no
 * password shown), Redis killed mid-run (503 + Retry-After meanwhile, never a 2xx for a delivery
 * that is not in Redis, and it recovers by itself), Redis at maxmemory (503, not a crash).
 */
import { createHmac, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { CliProcess, runCli } from '../helpers/cli.js';
import { freePort } from '../helpers/free-port.js';
import { describeWithRedis, startRedis, type RedisServer } from '../helpers/redis-server.js';
import { describeWithBinary, REDIS_SERVER } from '../helpers/binaries.js';
import { queueTestKit, SECRET } from './support.js';

const spawned: CliProcess[] = [];
const dirs: string[] = [];
const servers: RedisServer[] = [];
afterEach(async () => {
  await Promise.all(spawned.splice(0).map((cli) => cli.stop('SIGKILL')));
  await Promise.all(servers.splice(0).map((server) => server.stop()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hookctl-listen-queue-'));
  dirs.push(dir);
  return dir;
}

/** A `listen --queue` on a free port, in its own working folder; resolves once it listens. */
async function listener(queue: string, args: string[] = [], cwd = tempDir()): Promise<{ cli: CliProcess; url: string; cwd: string }> {
  const cli = new CliProcess(['listen', '--port', '0', '--json', '--secret', SECRET, '--queue', queue, ...args], { cwd });
  spawned.push(cli);
  const { url } = await cli.waitForRecord<{ url: string }>((record) => record.type === 'listening');
  return { cli, url, cwd };
}

function signed(id: string, type = 'invoice.paid', pad = ''): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify({ id, type, pad });
  return {
    body,
    headers: { 'content-type': 'application/json', 'x-github-delivery': id, 'x-github-event': type, 'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}` },
  };
}

async function deliver(url: string, id: string, pad = ''): Promise<{ status: number | null; retryAfter: string | null; json: Record<string, unknown> }> {
  const { body, headers } = signed(id, 'invoice.paid', pad);
  try {
    const response = await fetch(url, { method: 'POST', body, headers });
    const text = await response.text();
    return { status: response.status, retryAfter: response.headers.get('retry-after'), json: JSON.parse(text) as Record<string, unknown> };
  } catch {
    return { status: null, retryAfter: null, json: {} };
  }
}

type Entry = [string, string[]];

/** The event ids of the records in a stream, in order. */
async function streamEventIds(server: RedisServer, stream: string): Promise<string[]> {
  const client = await server.client();
  const entries = (await client.sendCommand(['XRANGE', stream, '-', '+'])) as Entry[];
  return entries.map(([, fields]) => (JSON.parse(fields[fields.indexOf('record') + 1]!) as { eventId: string }).eventId);
}

describeWithRedis('hookctl listen --queue', (redis) => {
  const { app, freshQueue, worker } = queueTestKit(redis);

  it('a new delivery goes into the stream as the journal record, once across two listeners; a worker forwards it; no local capture unless asked', async () => {
    const { url: queue, queue: opened } = await freshQueue();
    const [one, two] = await Promise.all([listener(queue), listener(queue)]);
    const id = `evt_${randomUUID()}`;
    // The same event to both listeners at once: one of them takes it, the other answers duplicate.
    const answers = await Promise.all([deliver(one.url, id), deliver(two.url, id)]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    expect(answers.map((answer) => answer.json.duplicate).sort()).toEqual([false, true]);
    const entries = (await opened.connection.command(['XRANGE', opened.keys.stream, '-', '+'])) as Entry[];
    expect(entries).toHaveLength(1);
    const record = JSON.parse(entries[0]![1][1]!) as Record<string, unknown>;
    const { body, headers } = signed(id);
    expect(record).toMatchObject({ format: 'hookctl.delivery.v1', eventId: id, eventType: 'invoice.paid', scheme: 'github', verified: true, duplicate: false, body, bodyEncoding: 'utf8' });
    expect((record.headers as Record<string, string>)['x-hub-signature-256']).toBe(headers['x-hub-signature-256']);
    // GitHub does not sign its delivery id: the dedupe key binds the id to the signature (issue 13's dedupe poisoning).
    const key = `${id}|sig:${headers['x-hub-signature-256']!.replace(/^sha256=/, '').slice(0, 32)}`;
    expect(await opened.connection.command(['GET', opened.keys.seen(key)])).toBe(`done:${entries[0]![0]}`);
    // The listeners' records say where it went; nothing was written locally.
    const records = await Promise.all([one, two].map(({ cli }) => cli.waitForRecord((r) => r.type === 'delivery' && r.eventId === id)));
    const fresh = records.find((r) => r.duplicate === false)!;
    expect(fresh.capture).toBe(`${opened.address.display}#${entries[0]![0]}`);
    expect(existsSync(join(one.cwd, 'fixtures'))).toBe(false);
    expect(one.cli.stderrLines.join('\n')).toMatch(/local capture off/);

    const target = await app();
    await worker(queue, ['--forward-to', `${target.url}/hooks`]);
    const [request] = await target.waitForRequests(1);
    expect(request!.headers['idempotency-key']).toBe(id);
    expect(request!.headers['hookctl-dedupe-key']).toBe(key);
    expect(request!.body.toString()).toBe(body);

    const stops = await Promise.all([one.cli.stop('SIGINT'), two.cli.stop('SIGINT')]);
    expect(stops.map((stop) => stop.code)).toEqual([0, 0]);
    const summaries = [one, two].map(({ cli }) => cli.records().at(-1)!);
    expect(summaries.map((summary) => summary.duplicates).sort()).toEqual([0, 1]);
  });

  it('--capture DIR keeps a local copy too, flagged duplicate like the queue decided', async () => {
    const { url: queue } = await freshQueue();
    const dir = tempDir();
    const { cli, url } = await listener(queue, ['--capture', dir]);
    const id = `evt_${randomUUID()}`;
    expect((await deliver(url, id)).status).toBe(200);
    expect((await deliver(url, id)).json.duplicate).toBe(true);
    await cli.stop('SIGINT');
    const journal = await runCli(['replay', dir, '--dry-run', '--json']);
    const planned = journal.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>).filter((r) => r.type === 'plan');
    expect(planned.map((r) => r.eventId)).toEqual([id, id]);
  });

  it('Redis unreachable at start: one clear line, exit 2, the URL without its password', async () => {
    const port = await freePort();
    const result = await runCli(['listen', '--port', '0', '--queue', `redis://app:hunter2@127.0.0.1:${port}/1`]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`hookctl: cannot reach Redis at redis://app:***@127.0.0.1:${port}/1: connection refused (ECONNREFUSED)\n`);
    expect(result.stdout).toBe('');
  });
});

describeWithBinary(REDIS_SERVER, 'hookctl listen --queue when Redis fails', (binary) => {
  it('Redis killed mid-run: 503 + Retry-After while it is away (never a 2xx for a delivery not in Redis), and it recovers by itself', async () => {
    const server = await startRedis(binary, { persistence: true });
    servers.push(server);
    const stream = `t-${randomUUID()}`;
    const { cli, url } = await listener(`${server.url}/0?stream=${stream}`);
    const acked: string[] = [];
    const statuses = new Map<string, number>();
    let stop = false;
    let killed = false;
    let restarted = false;
    let ackedAfterRestart = 0;
    // Four senders post fresh events all along; the server dies after the first hundred acks.
    const senders = Array.from({ length: 4 }, async () => {
      while (!stop) {
        const id = `evt_${randomUUID()}`;
        const answer = await deliver(url, id);
        const key = answer.status === 503 ? `503 retry-after ${answer.retryAfter}` : String(answer.status);
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
        if (answer.status === 200) {
          acked.push(id);
          if (restarted && ++ackedAfterRestart >= 50) stop = true;
        }
        if (answer.status === 503 && !restarted) {
          restarted = true;
          await server.restart();
          continue;
        }
        if (!killed && acked.length >= 100) {
          killed = true;
          await server.kill('SIGKILL');
        }
      }
    });
    await Promise.all(senders);
    // 503s with Retry-After while Redis was away, 2xx before and after, nothing else.
    expect(statuses.get('503 retry-after 1')).toBeGreaterThan(0);
    expect([...statuses.keys()].filter((key) => key !== '200' && key !== '503 retry-after 1')).toEqual([]);
    // Every 2xx'd event is in the stream, once.
    const inStream = await streamEventIds(server, stream);
    expect(acked.filter((id) => !inStream.includes(id))).toEqual([]);
    expect(new Set(inStream).size).toBe(inStream.length);
    expect(cli.child.exitCode).toBeNull();
    expect(cli.stderrLines.join('\n')).toMatch(/lost the connection to Redis/);
    expect((await cli.stop('SIGINT')).code).toBe(0);
  });

  it('Redis at maxmemory: 503 queue_full with Retry-After, the listener keeps serving, and accepts again once memory is freed', async () => {
    const server = await startRedis(binary, { args: ['--maxmemory', '3mb', '--maxmemory-policy', 'noeviction'] });
    servers.push(server);
    const stream = `t-${randomUUID()}`;
    const { cli, url } = await listener(`${server.url}/0?stream=${stream}`);
    const pad = 'x'.repeat(8 * 1024);
    let full: Awaited<ReturnType<typeof deliver>> | undefined;
    const acked: string[] = [];
    for (let i = 0; i < 2_000 && !full; i++) {
      const id = `evt_${randomUUID()}`;
      const answer = await deliver(url, id, pad);
      if (answer.status === 200) acked.push(id);
      else full = answer;
    }
    expect(full).toMatchObject({ status: 503, retryAfter: '5', json: { reason: 'queue_full' } });
    expect(acked.length).toBeGreaterThan(10);
    // Still up, still refusing honestly.
    expect((await deliver(url, `evt_${randomUUID()}`, pad)).status).toBe(503);
    const client = await server.client();
    await client.sendCommand(['XTRIM', stream, 'MAXLEN', '0']);
    const after = `evt_${randomUUID()}`;
    await expect.poll(async () => (await deliver(url, after)).status, { timeout: 5_000 }).toBe(200);
    const inStream = await streamEventIds(server, stream);
    expect(inStream).toEqual([after]);
    expect(cli.child.exitCode).toBeNull();
    expect((await cli.stop('SIGINT')).code).toBe(0);
  });
});
