/**
 * `npm run bench:queue`: the queue's figures, each against a baseline measured in the same run.
 *
 * Receiving (autocannon, 50 connections, 1 KiB GitHub-signed JSON, a fresh delivery id per
 * request, each server alone in its process, a private redis-server):
 *
 *   xadd          node:http + HMAC check + one XADD through node-redis, 200 once Redis answered (the floor)
 *   bullmq        the same with one BullMQ job per delivery (Queue.add over ioredis) instead of the XADD
 *   listen-queue  hookctl's listener with --queue: verify, dedupe in Redis and XADD (one script), 200
 *   journal       the listener with journal capture, no forwarding (the outbox's baseline)
 *   outbox        the listener with journal capture, --forward-to an app (another process answering
 *                 at once) and --ack-first: the durable outbox (not --durable)
 *   verify        the listener verifying, no capture, no forwarding
 *   ack-memory    --no-capture --forward-to the app --ack-first: forwarding from memory. With
 *                 verify, it splits the outbox's cost into forwarding (ack-memory - verify) and the
 *                 outbox's own bookkeeping (outbox - journal - forwarding).
 *                 The outbox is also paired with ack-memory: its CPU per delivery should stay
 *                 within 1.15x of forwarding from memory (issue 21).
 *
 * Forwarding: `hookctl worker` processes (1, 2, 4) against an app answering in 20 ms; the stream is
 * filled once every worker is reading, and the rate is taken between the 10% and 90% deliveries.
 * Target: ≥ 0.8 × workers × concurrency / 20 ms until the CPU is the limit.
 *
 * The machine may be shared: each comparison runs as back-to-back pairs (order alternating by
 * round), the ratio is the median over the pairs, and the load average is reported. Throughput moves with other people's load; CPU
 * per delivery (the server's own, from its process; Redis's from /proc) moves much less.
 * Redis memory per delivery is measured by `npm run bench:queue-memory`.
 *
 * Environment: BENCH_SECONDS per server and round (default 2), BENCH_ROUNDS (default 7), BENCH_CONNECTIONS
 * (default 50), BENCH_ONLY=a,b (receiving modes; pairs of them are compared), BENCH_WORKERS=0 to skip the worker part,
 * BENCH_WORKER_ROUNDS (default 3), BENCH_CONCURRENCY=10,50 (worker concurrencies).
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from 'redis';
import { findBinary, installHint, REDIS_SERVER } from '../test/helpers/binaries.js';
import { startRedis } from '../test/helpers/redis-server.js';
import { body1k, load, loadAverage, markChild, median, procCpuUs, serveListener, serveMeasured, stopChild } from './bench-kit.js';

const SECRET = 'bench-queue-secret';
const MODES = ['xadd', 'bullmq', 'listen-queue', 'journal', 'outbox', 'verify', 'ack-memory'] as const;
type Mode = (typeof MODES)[number];
const DESCRIPTIONS: Record<Mode, string> = {
  xadd: 'node:http + HMAC + one XADD (node-redis): the floor',
  bullmq: 'node:http + HMAC + one BullMQ job (ioredis)',
  'listen-queue': 'hookctl listen --queue (verify, dedupe + XADD in one script)',
  journal: 'hookctl listen, journal capture, no forwarding',
  outbox: 'hookctl listen --forward-to APP --ack-first, journal (the outbox)',
  verify: 'hookctl listen, no capture, no forwarding',
  'ack-memory': 'hookctl listen --no-capture --forward-to APP --ack-first (in memory)',
};
const USES_REDIS: ReadonlySet<Mode> = new Set(['xadd', 'bullmq', 'listen-queue']);
/** What is compared with what (first ÷ second). */
const PAIRS: Array<[Mode, Mode]> = [
  ['listen-queue', 'xadd'],
  ['listen-queue', 'bullmq'],
  ['outbox', 'journal'],
  ['ack-memory', 'verify'],
  ['outbox', 'ack-memory'],
];

interface ServeConfig {
  mode: Mode | 'app' | 'forwarder';
  /** forwarder: requests in flight at once, and how many to send. */
  concurrency?: number;
  count?: number;
  redisUrl?: string;
  stream?: string;
  dir?: string;
  appUrl?: string;
  delayMs?: number;
}

// ---------------------------------------------------------------- servers (child processes)

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

/** What a careful minimal receiver does first: the GitHub signature over the raw body, constant-time. */
function verified(req: IncomingMessage, body: Buffer): boolean {
  const given = Buffer.from(String(req.headers['x-hub-signature-256'] ?? ''));
  const expected = Buffer.from(`sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function answer(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': status === 200 ? 11 : 12 });
  res.end(status === 200 ? '{"ok":true}' : '{"ok":false}');
}

async function serve(config: ServeConfig): Promise<void> {
  const report = (message: Record<string, unknown>) => process.send!(message);
  if (config.mode === 'app') {
    let served = 0;
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        served++;
        if (config.delayMs) setTimeout(() => res.end('ok'), config.delayMs);
        else res.end('ok');
      });
    });
    server.keepAliveTimeout = 60_000;
    server.listen(0, '127.0.0.1', () => report({ port: (server.address() as AddressInfo).port }));
    process.on('message', (message) => message === 'count' && report({ count: served }));
    return;
  }
  if (config.mode === 'forwarder') {
    // The bare floor of forwarding: undici POSTing 1 KiB at the same concurrency, nothing else.
    const { Agent, request } = await import('undici');
    const dispatcher = new Agent({ connections: config.concurrency! });
    const body = body1k();
    let next = 0;
    await Promise.all(
      Array.from({ length: config.concurrency! }, async () => {
        while (next++ < config.count!) await (await request(config.appUrl!, { method: 'POST', body, dispatcher, headers: { 'content-type': 'application/json' } })).body.text();
      }),
    );
    process.exit(0);
  }
  if (config.mode === 'xadd' || config.mode === 'bullmq') {
    let served = 0;
    let add: (req: IncomingMessage, body: Buffer) => Promise<unknown>;
    if (config.mode === 'xadd') {
      const client = createClient({ url: config.redisUrl });
      await client.connect();
      add = (req, body) => client.sendCommand(['XADD', config.stream!, '*', 'headers', JSON.stringify(req.headers), 'body', body.toString('utf8')]);
    } else {
      const { Queue } = await import('bullmq');
      const url = new URL(config.redisUrl!);
      const queue = new Queue(config.stream!, { connection: { host: url.hostname, port: Number(url.port) } });
      await queue.waitUntilReady();
      add = (req, body) => queue.add('delivery', { headers: req.headers, body: body.toString('utf8') });
    }
    const server = createServer(async (req, res) => {
      const body = await readBody(req);
      served++;
      if (!verified(req, body)) return answer(res, 401);
      try {
        await add(req, body);
        answer(res, 200);
      } catch {
        answer(res, 503);
      }
    });
    serveMeasured(server, () => served);
    return;
  }
  await serveListener({
    port: 0,
    secrets: [SECRET],
    ...(config.mode === 'listen-queue' ? { queue: { url: `${config.redisUrl}/0?stream=${config.stream}` } } : {}),
    ...(config.mode === 'journal' || config.mode === 'outbox' ? { captureDir: config.dir! } : {}),
    ...(config.mode === 'outbox' || config.mode === 'ack-memory' ? { forward: { url: config.appUrl!, ackFirst: true } } : {}),
  });
}

async function startChild(config: ServeConfig): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', JSON.stringify(config)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, BENCH_PROFILE_NAME: config.mode } });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve(message.port));
    child.once('exit', (code) => reject(new Error(`${config.mode} exited with ${code}`)));
  });
  return { child, port };
}

// ---------------------------------------------------------------- receiving (parent)

interface Row {
  mode: Mode;
  rps: number;
  p50: number;
  p99: number;
  failures: number;
  /** The server's own CPU per delivery, µs. */
  cpu?: number;
  /** The kernel's part of `cpu` (system time: sockets, files, wake-ups), µs. */
  sys?: number;
  /** redis-server's CPU per delivery, µs. */
  redisCpu?: number;
  /** The app's CPU per delivery (forwarding modes), µs: it shares the two cores. */
  appCpu?: number;
  /** Forwards the app received during the load per delivery received (1 = forwarding kept up). */
  forwarded?: number;
  /** The load generator's CPU per delivery (autocannon, in this process), µs. */
  loadCpu?: number;
  /**
   * Forwarding modes: deliveries per second counting the time their forwards took after the load
   * stopped (received ÷ (load time + drain time)); `cpu` and `appCpu` include that drain.
   */
  sustained?: number;
}

const FORWARDING: ReadonlySet<Mode> = new Set(['outbox', 'ack-memory']);

/** How many requests the app child has answered so far. */
async function appCount(app: ChildProcess): Promise<number> {
  const counted = new Promise<number>((resolve) => {
    const listener = (message: { count?: number }) => {
      if (message.count === undefined) return;
      app.off('message', listener);
      resolve(message.count);
    };
    app.on('message', listener);
  });
  app.send('count');
  return counted;
}

async function measure(mode: Mode, seconds: number, connections: number, redis: { url: string; pid: number; flush(): Promise<void> }, app: { url: string; child: ChildProcess }, rate?: number): Promise<Row> {
  const appUrl = app.url;
  const dir = mkdtempSync(join(tmpdir(), `hookctl-bench-queue-${mode}-`));
  try {
    await redis.flush();
    const { child, port } = await startChild({ mode, redisUrl: redis.url, stream: `bench-${randomUUID()}`, dir, appUrl });
    const body = body1k();
    const headers = { 'content-type': 'application/json', 'user-agent': 'GitHub-Hookshot/bench', 'x-github-event': 'issues', 'x-github-delivery': '[<id>]', 'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}` };
    await load(port, 1, connections, body, headers, false, rate);
    await markChild(child);
    const forwarding = FORWARDING.has(mode);
    const appBefore = forwarding ? { cpu: procCpuUs(app.child.pid!), count: await appCount(app.child) } : undefined;
    const redisBefore = USES_REDIS.has(mode) ? procCpuUs(redis.pid) : undefined;
    const loadBefore = process.cpuUsage();
    const result = await load(port, seconds, connections, body, headers, false, rate);
    const loadUsage = process.cpuUsage(loadBefore);
    const redisAfter = redisBefore === undefined ? undefined : procCpuUs(redis.pid);
    const forwardedDuringLoad = appBefore ? await appCount(app.child) : undefined;
    const summary = (await stopChild(child)) as { cpuUs?: number; systemUs?: number; requests?: number; drainMs?: number } | undefined;
    const appAfter = appBefore ? { cpu: procCpuUs(app.child.pid!), count: forwardedDuringLoad! } : undefined;
    const row: Row = { mode, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, failures: result.non2xx + result.errors + result.timeouts };
    const total = result.requests.total;
    if (summary?.cpuUs && summary.requests) {
      row.cpu = summary.cpuUs / summary.requests;
      if (summary.systemUs !== undefined) row.sys = summary.systemUs / summary.requests;
    }
    if (redisBefore !== undefined && redisAfter !== undefined && total > 0) row.redisCpu = (redisAfter - redisBefore) / total;
    if (appBefore?.cpu !== undefined && appAfter?.cpu !== undefined && total > 0) {
      row.appCpu = (appAfter.cpu - appBefore.cpu) / total;
      row.forwarded = (appAfter.count - appBefore.count) / total;
    }
    if (total > 0) row.loadCpu = (loadUsage.user + loadUsage.system) / total;
    if (summary?.drainMs !== undefined) row.sustained = total / (seconds + summary.drainMs / 1000);
    return row;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- forwarding (parent)

interface WorkerRow {
  workers: number;
  concurrency: number;
  rate: number;
  /** A bare undici loop at the same total concurrency against the same app: what the machine allows. */
  bare: number;
  target: number;
  /** Worker CPU per forward (all worker processes), µs. */
  cpu: number;
}

/** Forwards/s between the 10% and 90% arrivals. */
function steadyRate(arrivals: number[], count: number): number {
  const from = Math.floor(count * 0.1);
  const to = Math.floor(count * 0.9);
  return (to - from) / ((arrivals[to]! - arrivals[from]!) / 1000);
}

async function workerRun(redisUrl: string, workers: number, concurrency: number): Promise<WorkerRow> {
  const target = (0.8 * workers * concurrency) / 0.02;
  const count = Math.min(12_000, Math.max(1_500, Math.round((target / 0.8) * 3)));
  let arrivals: number[] = [];
  const app = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      setTimeout(() => {
        arrivals.push(performance.now());
        res.end('ok');
      }, 20);
    });
  });
  app.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  const appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}/`;
  const stream = `bench-w-${randomUUID()}`;
  const queueUrl = `${redisUrl}/0?stream=${stream}`;
  const bin = fileURLToPath(new URL('../bin/hookctl.js', import.meta.url));
  const children = Array.from({ length: workers }, (_, index) => spawn(process.execPath, [bin, 'worker', queueUrl, '--forward-to', appUrl, '--quiet', '--concurrency', String(concurrency), '--retain', '0', '--consumer', `bench-${index}`], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } }));
  try {
    await Promise.all(children.map((child) => new Promise<void>((resolve, reject) => {
      let text = '';
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (text += chunk).includes('reading') && resolve());
      child.once('exit', () => reject(new Error(`worker exited: ${text}`)));
    })));
    const cpuBefore = children.map((child) => procCpuUs(child.pid!) ?? 0);
    // Fill the stream with delivery entries (a bare XADD each), faster than the workers drain it.
    const { openRedisQueue } = await import('../src/queue/open.js');
    const { parseQueueAddress } = await import('../src/queue/address.js');
    const { deliveryFields } = await import('../src/queue/entry.js');
    const { deliveryRecord } = await import('../test/queue/support.js');
    const queue = await openRedisQueue(parseQueueAddress(queueUrl));
    const data = JSON.parse(body1k()) as unknown;
    for (let start = 0; start < count; start += 1000) {
      await Promise.all(Array.from({ length: Math.min(1000, count - start) }, () => queue.connection.command(['XADD', queue.keys.stream, '*', ...deliveryFields(deliveryRecord({ data }))])));
    }
    const deadline = Date.now() + 120_000;
    while (arrivals.length < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const cpu = children.reduce((sum, child, index) => sum + ((procCpuUs(child.pid!) ?? 0) - cpuBefore[index]!), 0);
    await queue.close();
    if (arrivals.length < count) throw new Error(`only ${arrivals.length} of ${count} forwards arrived`);
    const rate = steadyRate(arrivals, count);
    arrivals = [];
    // The same forwards from a bare undici loop, for what this machine allows right now.
    const forwarder = fork(fileURLToPath(import.meta.url), ['--serve', JSON.stringify({ mode: 'forwarder', appUrl, concurrency: workers * concurrency, count } satisfies ServeConfig)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await once(forwarder, 'exit');
    return { workers, concurrency, rate, bare: steadyRate(arrivals, count), target, cpu: cpu / count };
  } finally {
    for (const child of children) child.kill('SIGKILL');
    app.closeAllConnections();
    app.close();
  }
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 2);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
  const rate = process.env.BENCH_RATE ? Number(process.env.BENCH_RATE) : undefined;
  const only = process.env.BENCH_ONLY?.split(',') as Mode[] | undefined;
  const modes = MODES.filter((mode) => !only || only.includes(mode));
  const binary = findBinary(REDIS_SERVER);
  if (!binary) {
    process.stderr.write(`${installHint(REDIS_SERVER)}\n`);
    process.exit(1);
  }
  const server = await startRedis(binary, { args: ['--maxmemory', '2gb'] });
  const admin = createClient({ url: server.url });
  await admin.connect();
  const redis = { url: server.url, pid: server.pid!, flush: async () => void (await admin.sendCommand(['FLUSHALL'])) };
  const app = await startChild({ mode: 'app' });
  const appUrl = `http://127.0.0.1:${app.port}/`;
  const startLoad = loadAverage();
  process.stderr.write(`bench:queue — node ${process.version}, ${cpus().length} CPUs, redis-server ${binary}; load average ${startLoad}\n`);
  const lines: string[] = [];
  try {
    if (modes.length > 0) {
      // Comparisons are paired: the two servers of a pair run back to back (order alternating by
      // round), so someone else's burst of load hits both or is seen as an outlier round.
      const pairs = PAIRS.filter(([a, b]) => modes.includes(a) && modes.includes(b));
      process.stderr.write(`receiving: autocannon, ${connections} connections, ${rounds} rounds x ${pairs.length} pairs x ${seconds}s per server (+1s warm-up), 1 KiB GitHub-signed JSON, unique delivery ids\n`);
      const results = new Map<Mode, Row[]>(modes.map((mode) => [mode, []]));
      const paired = new Map<string, Array<{ rps: number; cpu: number | undefined }>>();
      for (let round = 0; round < rounds; round++) {
        for (const [a, b] of pairs) {
          const order: Mode[] = round % 2 === 0 ? [a, b] : [b, a];
          const rows = new Map<Mode, Row>();
          for (const mode of order) {
            const row = await measure(mode, seconds, connections, redis, { url: appUrl, child: app.child }, rate);
            rows.set(mode, row);
            results.get(mode)!.push(row);
            process.stderr.write(`  round ${round + 1}  ${mode.padEnd(13)} ${Math.round(row.rps)} req/s  p50 ${row.p50} ms  p99 ${row.p99} ms${row.cpu ? `  ${row.cpu.toFixed(1)} µs CPU/delivery (${row.sys?.toFixed(1)} kernel)` : ''}${row.appCpu !== undefined ? ` + app ${row.appCpu.toFixed(1)} µs, ${row.forwarded!.toFixed(2)} forwarded` : ''}${row.loadCpu ? `; load gen ${row.loadCpu.toFixed(1)} µs` : ''}${row.sustained ? `; ${Math.round(row.sustained)}/s with the drain` : ''}${row.redisCpu ? ` + Redis ${row.redisCpu.toFixed(1)} µs` : ''}${row.failures ? `  ${row.failures} failures` : ''}\n`);
          }
          const [ra, rb] = [rows.get(a)!, rows.get(b)!];
          const key = `${a}/${b}`;
          paired.set(key, [...(paired.get(key) ?? []), { rps: ra.rps / rb.rps, cpu: ra.cpu && rb.cpu ? rb.cpu / ra.cpu : undefined }]);
        }
      }
      const ratio = (a: Mode, b: Mode, pick: 'rps' | 'cpu'): number | undefined => {
        const values = (paired.get(`${a}/${b}`) ?? []).map((pair) => pair[pick]).filter((value): value is number => value !== undefined);
        return values.length ? median(values, (v) => v) : undefined;
      };
      const medianOf = (mode: Mode, pick: (row: Row) => number | undefined): number | undefined => {
        const values = results.get(mode)!.map(pick).filter((value): value is number => value !== undefined);
        return values.length ? median(values, (v) => v) : undefined;
      };
      const spread = (mode: Mode): string => {
        const values = results.get(mode)!.map((row) => row.rps);
        return values.length ? `${Math.round(Math.min(...values)).toLocaleString('en-US')}–${Math.round(Math.max(...values)).toLocaleString('en-US')}` : '–';
      };
      const fmt = (value: number | undefined, digits = 1) => (value === undefined ? '–' : value.toFixed(digits));
      lines.push(`receiving (medians over ${rounds} rounds; ratios are medians of back-to-back pairs; load average ${startLoad} at start, ${loadAverage()} at the end):`, '');
      lines.push('| server | deliveries/s (median) | range over rounds | p50 ms | p99 ms | server CPU µs/delivery | Redis CPU µs/delivery | failures |', '|---|---:|---:|---:|---:|---:|---:|---:|');
      for (const mode of modes) {
        const row = median(results.get(mode)!, (r) => r.rps);
        const failures = results.get(mode)!.reduce((sum, r) => sum + r.failures, 0);
        lines.push(`| ${DESCRIPTIONS[mode]} | ${Math.round(row.rps).toLocaleString('en-US')} | ${spread(mode)} | ${row.p50} | ${row.p99} | ${fmt(medianOf(mode, (r) => r.cpu))} | ${fmt(medianOf(mode, (r) => r.redisCpu))} | ${failures} |`);
      }
      lines.push('');
      const targets: Array<[string, number | undefined, number]> = [
        ['listen --queue >= 0.8x the XADD floor (throughput)', ratio('listen-queue', 'xadd', 'rps'), 0.8],
        ['listen --queue >= 0.8x the XADD floor (CPU per delivery: floor ÷ listen)', ratio('listen-queue', 'xadd', 'cpu'), 0.8],
        ['listen --queue ahead of BullMQ (throughput)', ratio('listen-queue', 'bullmq', 'rps'), 1],
        ['listen --queue ahead of BullMQ (CPU per delivery: BullMQ ÷ listen)', ratio('listen-queue', 'bullmq', 'cpu'), 1],
        ['outbox >= 0.9x journal without forwarding (throughput)', ratio('outbox', 'journal', 'rps'), 0.9],
        ['outbox >= 0.9x journal without forwarding (CPU per delivery: journal ÷ outbox)', ratio('outbox', 'journal', 'cpu'), 0.9],
        ['forwarding from memory vs verify only (throughput), for scale', ratio('ack-memory', 'verify', 'rps'), 0],
      ];
      for (const [name, value, min] of targets) if (value !== undefined) lines.push(`${min === 0 ? 'info' : value >= min ? 'PASS' : 'MISS'}  ${name}: ${value.toFixed(2)}×`);
      // Issue 21: the durable outbox (journal + outbox, --ack-first) against forwarding from memory, same app.
      const memoryOverOutbox = ratio('outbox', 'ack-memory', 'cpu');
      if (memoryOverOutbox !== undefined) lines.push(`${1 / memoryOverOutbox <= 1.15 ? 'PASS' : 'MISS'}  outbox --ack-first with a capture folder <= 1.15x in-memory --ack-first (CPU per delivery: outbox ÷ in-memory): ${(1 / memoryOverOutbox).toFixed(2)}×`);
      const outboxThroughput = ratio('outbox', 'ack-memory', 'rps');
      if (outboxThroughput !== undefined) lines.push(`info  outbox vs in-memory --ack-first (throughput): ${outboxThroughput.toFixed(2)}×`);
      const cpuOf = (mode: Mode) => (results.has(mode) ? medianOf(mode, (row) => row.cpu) : undefined);
      const [outbox, journal, verify, memory] = (['outbox', 'journal', 'verify', 'ack-memory'] as const).map(cpuOf);
      if (outbox && journal && verify && memory) {
        const forwarding = memory - verify;
        lines.push(`outbox CPU per delivery (medians): ${outbox.toFixed(0)} µs ≈ journal ${journal.toFixed(0)} + forwarding ${forwarding.toFixed(0)} (ack-memory − verify) + the outbox's own bookkeeping ${(outbox - journal - forwarding).toFixed(0)}`);
      }
      lines.push('');
    }

    if (process.env.BENCH_WORKERS !== '0') {
      const workerRounds = Number(process.env.BENCH_WORKER_ROUNDS ?? 3);
      const concurrencies = (process.env.BENCH_CONCURRENCY ?? '10,50').split(',').map(Number);
      const setups = concurrencies.flatMap((concurrency) => [1, 2, 4].map((workers) => ({ workers, concurrency })));
      process.stderr.write(`forwarding: hookctl worker x 1, 2, 4 at concurrency ${concurrencies.join(', ')}, app answering in 20 ms, ${workerRounds} rounds\n`);
      const runs = new Map<string, WorkerRow[]>();
      for (let round = 0; round < workerRounds; round++) {
        for (const setup of setups.map((_, i) => setups[(i + round) % setups.length]!)) {
          await redis.flush();
          const row = await workerRun(redis.url, setup.workers, setup.concurrency);
          const key = `${setup.workers}x${setup.concurrency}`;
          runs.set(key, [...(runs.get(key) ?? []), row]);
          process.stderr.write(`  round ${round + 1}  ${setup.workers} worker(s) x ${setup.concurrency}: ${Math.round(row.rate)} forwards/s (target ${Math.round(row.target)}, bare undici ${Math.round(row.bare)})  ${row.cpu.toFixed(0)} µs worker CPU/forward\n`);
        }
      }
      lines.push(`forwarding (median of ${workerRounds} rounds; the app answers in 20 ms; ideal = workers x concurrency / 20 ms; "bare" = undici alone at the same total concurrency, measured right after; load average ${loadAverage()} at the end):`, '');
      lines.push('| workers x concurrency | forwards/s | ideal | target (0.8x ideal) | bare undici | of bare | worker CPU µs/forward | worker CPU (cores) | verdict |', '|---|---:|---:|---:|---:|---:|---:|---:|---|');
      for (const setup of setups) {
        const all = runs.get(`${setup.workers}x${setup.concurrency}`)!;
        const row = median(all, (r) => r.rate);
        const bare = median(all.map((r) => r.bare), (v) => v);
        const cpu = median(all.map((r) => r.cpu), (v) => v);
        const ideal = row.target / 0.8;
        const cores = (row.rate * cpu) / 1e6;
        lines.push(`| ${setup.workers} x ${setup.concurrency} | ${Math.round(row.rate).toLocaleString('en-US')} | ${Math.round(ideal).toLocaleString('en-US')} | ${Math.round(row.target).toLocaleString('en-US')} | ${Math.round(bare).toLocaleString('en-US')} | ${(row.rate / bare).toFixed(2)} | ${cpu.toFixed(0)} | ${cores.toFixed(2)} | ${row.rate >= row.target ? 'PASS' : bare < row.target ? 'below target; so is bare undici (the machine is the limit)' : 'MISS'} |`);
      }
      lines.push('');
    }
    lines.push(`load average at the end: ${loadAverage()}. Redis memory per queued delivery: npm run bench:queue-memory.`);
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await stopChild(app.child).catch(() => {});
    app.child.kill('SIGKILL');
    await admin.close().catch(() => {});
    await server.stop();
  }
}

if (process.argv[2] === '--serve') {
  await serve(JSON.parse(process.argv[3]!) as ServeConfig);
} else {
  await main();
}
