/**
 * Scale-out as it is deployed, shared by test/scale/scale-out.test.ts (npm test) and
 * scripts/soak-scale.ts (bigger numbers):
 *
 *   senders ──► nginx (round robin) ──► 3 × hookctl listen --queue ──► Redis stream ──► 2 × hookctl worker ──► app
 *
 * The senders behave like a provider: every event is retried until it gets a 2xx, and some events
 * are sent again after their 2xx (duplicates). Midway one listener and one worker are SIGKILLed (the
 * worker is started again, as a supervisor would). The app records every forward and dedupes on
 * Idempotency-Key. The outbox scenario is the same shape for one listener with --ack-first that is
 * SIGKILLed and started again on the same capture folder.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, fetch } from 'undici';
import { CliProcess } from '../helpers/cli.js';
import { startNginx, type NginxServer } from '../helpers/nginx.js';
import type { RedisServer } from '../helpers/redis-server.js';

export const SECRET = 'scale-out-secret';

export interface App {
  url: string;
  /** Forwards received per event id (X-GitHub-Delivery). */
  received: Map<string, number>;
  /** The Idempotency-Keys each event id arrived with: one each, stable across redeliveries, is what lets the app dedupe. */
  keys: Map<string, Set<string>>;
  requests: number;
  close(): Promise<void>;
}

/** The app behind the workers: answers 200, counts what it got per event, and the Idempotency-Keys it would dedupe on. */
export async function startApp(): Promise<App> {
  const received = new Map<string, number>();
  const keys = new Map<string, Set<string>>();
  const app: App = { url: '', received, keys, requests: 0, close: async () => {} };
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      app.requests++;
      const id = String(req.headers['x-github-delivery']);
      received.set(id, (received.get(id) ?? 0) + 1);
      const seen = keys.get(id) ?? new Set<string>();
      seen.add(String(req.headers['idempotency-key']));
      keys.set(id, seen);
      res.end('ok');
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  app.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  app.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return app;
}

function signed(id: string): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify({ id, type: 'invoice.paid', data: { amount: 1200, customer: 'cus_123', note: 'x'.repeat(700) } });
  return {
    body,
    headers: { 'content-type': 'application/json', 'x-github-delivery': id, 'x-github-event': 'invoice.paid', 'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}` },
  };
}

export interface SendResult {
  /** Event ids answered 2xx as new. */
  acked: Set<string>;
  /** Duplicates answered 2xx (as duplicates). */
  duplicatesAcked: number;
  /** Answers by status ('error' for no answer), retries included. */
  statuses: Map<string, number>;
  ms: number;
}

/**
 * Sends `events` fresh events and `duplicates` repeats of events already acknowledged, from
 * `concurrency` senders, each retrying until a 2xx. `target()` is read per request (a restarted
 * listener has a new URL). `onProgress` sees the count of new events acknowledged so far.
 */
export async function send(target: () => string, options: { events: number; duplicates: number; concurrency: number; onProgress?(acked: number): void | Promise<void> }): Promise<SendResult> {
  const started = performance.now();
  const result: SendResult = { acked: new Set(), duplicatesAcked: 0, statuses: new Map(), ms: 0 };
  const dispatcher = new Agent({ connections: options.concurrency, keepAliveTimeout: 10_000 });
  const count = (key: string) => result.statuses.set(key, (result.statuses.get(key) ?? 0) + 1);
  // Every fifth new event is sent again after its 2xx, until the duplicates are used up.
  const plan: Array<{ id: string; repeat: boolean }> = [];
  for (let i = 0; i < options.events; i++) plan.push({ id: `evt_${randomUUID()}`, repeat: false });
  let next = 0;
  let duplicatesLeft = options.duplicates;
  const repeats: string[] = [];
  const deliverUntilAcked = async (id: string): Promise<boolean> => {
    const { body, headers } = signed(id);
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await fetch(target(), { method: 'POST', body, headers, dispatcher });
        const text = await response.text();
        count(String(response.status));
        if (response.ok) return (JSON.parse(text) as { duplicate: boolean }).duplicate;
      } catch {
        count('error');
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(200, 5 * 2 ** Math.min(attempt, 6))));
    }
  };
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      for (;;) {
        let id: string;
        let repeat = false;
        if (repeats.length > 0 && (next >= plan.length || next % 5 === 0) && duplicatesLeft > 0) {
          duplicatesLeft--;
          id = repeats.shift()!;
          repeat = true;
        } else if (next < plan.length) {
          id = plan[next++]!.id;
        } else if (duplicatesLeft > 0 && repeats.length === 0 && result.acked.size > 0) {
          // Fewer fresh events left than duplicates to send: repeat any acknowledged one.
          duplicatesLeft--;
          id = [...result.acked][duplicatesLeft % result.acked.size]!;
          repeat = true;
        } else break;
        const duplicate = await deliverUntilAcked(id);
        if (repeat) {
          if (duplicate) result.duplicatesAcked++;
          continue;
        }
        result.acked.add(id);
        if (repeats.length < 1000) repeats.push(id);
        await options.onProgress?.(result.acked.size);
      }
    }),
  );
  await dispatcher.close();
  result.ms = performance.now() - started;
  return result;
}

export interface Deployment {
  listeners: CliProcess[];
  workers: CliProcess[];
  nginx: NginxServer;
  queue: string;
  stream: string;
  stop(): Promise<void>;
}

async function startListener(queue: string): Promise<{ cli: CliProcess; port: number }> {
  const cli = new CliProcess(['listen', '--port', '0', '--json', '--quiet', '--secret', SECRET, '--queue', queue]);
  const { url } = await cli.waitForRecord<{ url: string }>((record) => record.type === 'listening');
  return { cli, port: Number(new URL(url).port) };
}

export async function startWorker(queue: string, app: App, name: string, concurrency: number): Promise<CliProcess> {
  const cli = new CliProcess(['worker', queue, '--forward-to', `${app.url}/hooks`, '--quiet', '--consumer', name, '--concurrency', String(concurrency), '--claim-idle', '2s', '--retain', '0']);
  await cli.waitForLine((line) => /reading/.test(line), { stream: 'stderr' });
  return cli;
}

/** Redis (given), nginx over 3 `listen --queue`, 2 workers forwarding to `app`. */
export async function deploy(redis: RedisServer, nginxBinary: string, app: App, workerConcurrency = 32): Promise<Deployment> {
  const stream = `scale-${randomUUID()}`;
  const queue = `${redis.url}/0?stream=${stream}`;
  const listeners = await Promise.all([1, 2, 3].map(() => startListener(queue)));
  const nginx = await startNginx(nginxBinary, { upstreams: listeners.map((listener) => listener.port) });
  const workers = await Promise.all(['w1', 'w2'].map((name) => startWorker(queue, app, name, workerConcurrency)));
  const deployment: Deployment = {
    listeners: listeners.map((listener) => listener.cli),
    workers,
    nginx,
    queue,
    stream,
    async stop() {
      await Promise.all([...deployment.listeners, ...deployment.workers].map((cli) => cli.stop('SIGKILL')));
      await nginx.stop();
    },
  };
  return deployment;
}

export interface QueueState {
  length: number;
  pending: number;
  lag: number;
  scheduled: number;
  dead: number;
}

/** What is left in the queue: unread (lag), read and not acknowledged (pending), retries, dead letters. */
export async function queueState(redis: RedisServer, stream: string): Promise<QueueState> {
  const client = await redis.client();
  const [length, groups, scheduled, dead] = (await Promise.all([
    client.sendCommand(['XLEN', stream]),
    client.sendCommand(['XINFO', 'GROUPS', stream]),
    client.sendCommand(['ZCARD', `${stream}:retries`]),
    client.sendCommand(['XLEN', `${stream}:dead`]),
  ])) as unknown as [number, unknown[], number, number];
  const group = groups[0] as unknown[] | Record<string, unknown>;
  const field = (name: string) => (Array.isArray(group) ? Number(group[group.indexOf(name) + 1]) : Number(group[name]));
  return { length, pending: field('pending'), lag: field('lag'), scheduled, dead };
}

/** Event ids of every entry ever added to the stream (it must be read before a trim: workers run with --retain 0, so this counts via the ledger instead). */
export async function acceptedIds(redis: RedisServer, stream: string): Promise<Map<string, string>> {
  const client = await redis.client();
  const ids = new Map<string, string>();
  let cursor = '0';
  do {
    const [nextCursor, keys] = (await client.sendCommand(['SCAN', cursor, 'MATCH', `${stream}:seen:*`, 'COUNT', '1000'])) as [string, string[]];
    cursor = nextCursor;
    if (keys.length === 0) continue;
    const values = (await client.sendCommand(['MGET', ...keys])) as Array<string | null>;
    // GitHub does not sign its delivery id: the ledger key binds it to the signature (`<id>|sig:…`).
    keys.forEach((key, index) => {
      const id = key.slice(`${stream}:seen:`.length).split('|')[0]!;
      if (ids.has(id)) throw new Error(`event ${id} was accepted as new twice`);
      ids.set(id, String(values[index]));
    });
  } while (cursor !== '0');
  return ids;
}

export async function waitFor(condition: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function tempDir(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'hookctl-scale-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** One `listen --ack-first` on a capture folder, forwarding to the app; resolves with its URL. */
export async function startOutboxListener(dir: string, app: App, extra: string[] = []): Promise<{ cli: CliProcess; url: string }> {
  const cli = new CliProcess(['listen', '--port', '0', '--json', '--quiet', '--secret', SECRET, '--capture', dir, '--forward-to', `${app.url}/hooks`, '--ack-first', '--forward-retry-schedule', '0,200ms,500ms,1s,2s,5s', ...extra]);
  const { url } = await cli.waitForRecord<{ url: string }>((record) => record.type === 'listening');
  return { cli, url };
}

export interface RedisRun {
  result: SendResult;
  app: App;
  /** Every event id accepted as new: its ledger key's value (`done:<entry id>`). */
  accepted: Map<string, string>;
  state: QueueState;
  killedAt: number;
  /** From the last 2xx until the app had every accepted event. */
  drainMs: number;
}

/** The whole Redis scenario: deploy, send, kill a listener and a worker at 40%, drain; the caller checks and stops nothing. */
export async function runRedisScenario(redis: RedisServer, nginxBinary: string, options: { events: number; duplicates: number; concurrency: number }): Promise<RedisRun> {
  const app = await startApp();
  const deployment = await deploy(redis, nginxBinary, app);
  try {
    let killedAt = 0;
    const result = await send(() => `${deployment.nginx.url}/`, {
      ...options,
      onProgress: async (acked) => {
        if (killedAt || acked < options.events * 0.4) return;
        killedAt = acked;
        deployment.listeners[1]!.child.kill('SIGKILL');
        deployment.workers[0]!.child.kill('SIGKILL');
        // A supervisor starts the worker again (a new process, a new consumer name).
        deployment.workers[0] = await startWorker(deployment.queue, app, 'w1-restarted', 32);
      },
    });
    const sent = performance.now();
    const accepted = await acceptedIds(redis, deployment.stream);
    await waitFor(() => [...accepted.keys()].every((id) => app.received.has(id)), 120_000, 'the app to receive every accepted event');
    const drainMs = performance.now() - sent;
    await waitFor(async () => {
      const state = await queueState(redis, deployment.stream);
      return state.pending === 0 && state.lag === 0 && state.scheduled === 0;
    }, 30_000, 'nothing pending');
    return { result, app, accepted, state: await queueState(redis, deployment.stream), killedAt, drainMs };
  } finally {
    await deployment.stop();
    await app.close();
  }
}

export interface OutboxRun {
  result: SendResult;
  app: App;
  killedAt: number;
  drainMs: number;
  /** The restarted listener, stopped with Ctrl-C: its exit code and last record. */
  exit: number | null;
  summary: Record<string, unknown> | undefined;
  dir: string;
}

/** The outbox scenario: one `listen --ack-first --durable`, SIGKILLed at 40% and started again on its folder; drained and stopped. */
export async function runOutboxScenario(options: { events: number; duplicates: number; concurrency: number }, dir: string): Promise<OutboxRun> {
  const app = await startApp();
  let listener = await startOutboxListener(dir, app, ['--durable']);
  let url = listener.url;
  try {
    let killedAt = 0;
    const result = await send(() => url, {
      ...options,
      onProgress: async (acked) => {
        if (killedAt || acked < options.events * 0.4) return;
        killedAt = acked;
        listener.cli.child.kill('SIGKILL');
        await listener.cli.exited;
        listener = await startOutboxListener(dir, app, ['--durable']);
        url = listener.url;
      },
    });
    const sent = performance.now();
    await waitFor(() => [...result.acked].every((id) => app.received.has(id)), 120_000, 'the app to receive every acknowledged event');
    const drainMs = performance.now() - sent;
    const stopped = await listener.cli.stop('SIGINT');
    return { result, app, killedAt, drainMs, exit: stopped.code, summary: listener.cli.records().at(-1), dir };
  } finally {
    await listener.cli.stop('SIGKILL');
    await app.close();
  }
}
