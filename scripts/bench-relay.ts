/**
 * `npm run bench:relay`: the relay's figures, each against a baseline measured in the same run.
 *
 * Ingress (autocannon, 50 connections, 1 KiB GitHub-signed JSON, a fresh delivery id per request;
 * every server alone in its process, CPU per request read from /proc):
 *
 *   bare       node:http answering 200 after reading the body (the baseline of `embedded`)
 *   embedded   `hookctl relay serve --store DIR --quiet`: 2xx once the delivery is on disk
 *   xadd       node:http + HMAC check + one XADD through node-redis (the floor of `redis`)
 *   redis      `hookctl relay serve --redis URL --quiet` (a private redis-server, appendonly off as the floor's)
 *
 * Added latency, provider → local app: a provider process sends at a steady rate (BENCH_RATE,
 * default 500/s) with its send time in a header (performance.timeOrigin + performance.now(), one
 * clock for every process on this machine); the app records arrival − send. Once straight to the
 * app (the floor), then through the relay (embedded store) and `hookctl listen --relay
 * --forward-to APP` for each transport (sse, long-poll, poll). "Added" = relayed − direct, per
 * percentile. When the CLI has no `listen --relay`, a minimal subscriber in this script stands in
 * (it says so).
 *
 * Memory (VmRSS of the relay process, embedded store, then Redis store): per idle channel
 * (BENCH_CHANNELS, default 500, made through the admin API), and per connected idle SSE subscriber
 * (BENCH_SUBSCRIBERS, default 10,000 on one channel, members of one group; each its own consumer
 * with BENCH_SUBSCRIBER_NAMES=distinct), which also
 * shows that many fit on one relay (the script and the relay each hold that many sockets: the
 * open-file limit must allow it, `ulimit -n`).
 *
 * Targets: embedded ≥ 0.5× bare; redis ≥ 0.8× the XADD floor; added p50 ≤ 2 ms over SSE at 500/s;
 * ≤ 10 KB per idle subscriber. The machine may be shared: comparisons run as back-to-back pairs,
 * the ratio is the median over the pairs, and the load average is reported.
 *
 * Needs `npm run build` (the relay runs as shipped, from dist/). Environment: BENCH_SECONDS
 * (default 2), BENCH_ROUNDS (default 3), BENCH_CONNECTIONS (50), BENCH_RATE (500),
 * BENCH_LATENCY_SECONDS (4), BENCH_CHANNELS (500), BENCH_SUBSCRIBERS (10000), BENCH_ONLY=ingress,latency,memory.
 * `--json`: one NDJSON record per figure on stdout (the table goes to stderr either way).
 */
import { spawn, fork, type ChildProcess } from 'node:child_process';
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest, Agent, type IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from 'redis';
import { findBinary, installHint, REDIS_SERVER } from '../test/helpers/binaries.js';
import { startRedis } from '../test/helpers/redis-server.js';
import { body1k, loadAverage, median, procCpuUs, type AutocannonResult } from './bench-kit.js';

const SECRET = 'bench-relay-secret';
const BIN = fileURLToPath(new URL('../bin/hookctl.js', import.meta.url));
const JSON_OUT = process.argv.includes('--json');
/** Idle subscribers as members of one group (the default), or each its own consumer (BENCH_SUBSCRIBER_NAMES=distinct). */
const GROUPED = process.env.BENCH_SUBSCRIBER_NAMES !== 'distinct';
const autocannon = createRequire(import.meta.url)('autocannon') as (options: Record<string, unknown>) => Promise<AutocannonResult>;

const say = (text: string) => process.stderr.write(`${text}\n`);
const records: Array<Record<string, unknown>> = [];
const emit = (record: Record<string, unknown>) => records.push(record);

// ---------------------------------------------------------------- baselines (child processes)

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

function verified(req: IncomingMessage, body: Buffer): boolean {
  const given = Buffer.from(String(req.headers['x-hub-signature-256'] ?? ''));
  const expected = Buffer.from(`sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** In a child: `bare` or `xadd`, its port sent to the parent. */
async function serveBaseline(mode: 'bare' | 'xadd', redisUrl?: string): Promise<void> {
  let add: ((req: IncomingMessage, body: Buffer) => Promise<unknown>) | undefined;
  if (mode === 'xadd') {
    const client = createClient({ url: redisUrl });
    await client.connect();
    const stream = `bench-${randomUUID()}`;
    add = (req, body) => client.sendCommand(['XADD', stream, '*', 'headers', JSON.stringify(req.rawHeaders), 'body', body.toString('utf8')]);
  }
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    if (add) {
      if (!verified(req, body)) return void res.writeHead(401).end();
      try {
        await add(req, body);
      } catch {
        return void res.writeHead(503).end();
      }
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': 11 });
    res.end('{"ok":true}');
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port }));
}

async function startBaseline(mode: 'bare' | 'xadd', redisUrl?: string): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', mode, redisUrl ?? ''], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve(message.port));
    child.once('exit', (code) => reject(new Error(`${mode} exited with ${code}`)));
  });
  return { child, url: `http://127.0.0.1:${port}/` };
}

// ---------------------------------------------------------------- the relay (spawned CLI)

interface Relay {
  child: ChildProcess;
  url: string;
  adminToken: string;
  dir: string;
  stop(): Promise<void>;
}

interface Channel {
  name: string;
  ingressUrl: string;
  subscribeUrl: string;
  token: string;
}

async function startRelay(store: { redis: string } | 'embedded'): Promise<Relay> {
  const dir = mkdtempSync(join(tmpdir(), 'hookctl-bench-relay-'));
  const adminFile = join(dir, 'admin-token');
  const storeArgs = store === 'embedded' ? ['--store', join(dir, 'store')] : ['--redis', store.redis];
  // --quiet, not --json: no line per delivery, as the baselines print nothing either. No backlog cap: the
  // load stores far more than the default 10,000 that nobody reads, and a 503 is not a stored delivery.
  const child = spawn(process.execPath, [BIN, 'relay', 'serve', '--port', '0', '--admin-token-file', adminFile, ...storeArgs, '--quiet', '--backlog', '100000000'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk;
      const found = /hookctl relay on (http:\/\/\S+)/.exec(text);
      if (found) resolve(found[1]!);
    });
    child.once('exit', (code) => reject(new Error(`relay serve exited with ${code}: ${stderr}`)));
  });
  child.stdout!.resume();
  return {
    child,
    url,
    adminToken: readFileSync(adminFile, 'utf8').trim(),
    dir,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function createChannel(relay: Relay, name: string, agent?: Agent): Promise<Channel> {
  const answer = await call(new URL('api/channels', relay.url).href, { method: 'POST', headers: { authorization: `Bearer ${relay.adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ name }), agent });
  if (answer.status >= 300) throw new Error(`creating channel ${name}: HTTP ${answer.status} ${answer.body}`);
  return JSON.parse(answer.body) as Channel;
}

function call(url: string, options: { method?: string; headers?: Record<string, string>; body?: string; agent?: Agent | undefined }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers, ...(options.agent ? { agent: options.agent } : {}) }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

// ---------------------------------------------------------------- ingress

type IngressMode = 'bare' | 'embedded' | 'xadd' | 'redis';
const INGRESS_DESCRIPTIONS: Record<IngressMode, string> = {
  bare: 'bare node:http, 200 (baseline)',
  embedded: 'hookctl relay serve --store DIR (on disk before the 2xx)',
  xadd: 'node:http + HMAC + one XADD (node-redis): the floor',
  redis: 'hookctl relay serve --redis URL',
};

interface IngressRow {
  mode: IngressMode;
  rps: number;
  p50: number;
  p99: number;
  failures: number;
  cpu?: number;
  redisCpu?: number;
}

function signedHeaders(body: string): Record<string, string> {
  return { 'content-type': 'application/json', 'user-agent': 'GitHub-Hookshot/bench', 'x-github-event': 'issues', 'x-github-delivery': '[<id>]', 'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}` };
}

async function ingress(mode: IngressMode, seconds: number, connections: number, redis: { url: string; pid: number }): Promise<IngressRow> {
  let target: string;
  let pid: number;
  let stop: () => Promise<void>;
  if (mode === 'bare' || mode === 'xadd') {
    const started = await startBaseline(mode, redis.url);
    target = started.url;
    pid = started.child.pid!;
    stop = async () => {
      started.child.kill('SIGKILL');
      await once(started.child, 'exit');
    };
  } else {
    const relay = await startRelay(mode === 'embedded' ? 'embedded' : { redis: redis.url });
    const channel = await createChannel(relay, `bench-${randomUUID().slice(0, 8)}`);
    target = `${channel.ingressUrl}/github`;
    pid = relay.child.pid!;
    stop = () => relay.stop();
  }
  try {
    const body = body1k();
    const run = (duration: number) => autocannon({ url: target, method: 'POST', connections, pipelining: 1, duration, idReplacement: true, headers: signedHeaders(body), body });
    await run(1);
    const cpuBefore = procCpuUs(pid);
    const redisBefore = procCpuUs(redis.pid);
    const result = await run(seconds);
    const cpuAfter = procCpuUs(pid);
    const redisAfter = procCpuUs(redis.pid);
    const row: IngressRow = { mode, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, failures: result.non2xx + result.errors + result.timeouts };
    const total = result.requests.total;
    if (cpuBefore !== undefined && cpuAfter !== undefined && total > 0) row.cpu = (cpuAfter - cpuBefore) / total;
    if ((mode === 'xadd' || mode === 'redis') && redisBefore !== undefined && redisAfter !== undefined && total > 0) row.redisCpu = (redisAfter - redisBefore) / total;
    return row;
  } finally {
    await stop();
  }
}

async function ingressPart(redis: { url: string; pid: number; flush(): Promise<void> }): Promise<string[]> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 2);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
  const pairs: Array<[IngressMode, IngressMode, number]> = [
    ['embedded', 'bare', 0.5],
    ['redis', 'xadd', 0.8],
  ];
  say(`ingress: autocannon, ${connections} connections, ${rounds} rounds x ${pairs.length} pairs x ${seconds}s per server (+1s warm-up), 1 KiB GitHub-signed JSON`);
  const rows = new Map<IngressMode, IngressRow[]>();
  const ratios = new Map<string, { rps: number[]; cpu: number[] }>();
  for (let round = 0; round < rounds; round++) {
    for (const [a, b] of pairs) {
      const order = round % 2 === 0 ? [a, b] : [b, a];
      const got = new Map<IngressMode, IngressRow>();
      for (const mode of order) {
        await redis.flush();
        const row = await ingress(mode, seconds, connections, redis);
        got.set(mode, row);
        rows.set(mode, [...(rows.get(mode) ?? []), row]);
        say(`  round ${round + 1}  ${mode.padEnd(9)} ${Math.round(row.rps)} req/s  p50 ${row.p50} ms  p99 ${row.p99} ms${row.cpu ? `  ${row.cpu.toFixed(1)} µs CPU/request` : ''}${row.redisCpu ? ` + Redis ${row.redisCpu.toFixed(1)} µs` : ''}${row.failures ? `  ${row.failures} failures` : ''}`);
      }
      const key = `${a}/${b}`;
      const [ra, rb] = [got.get(a)!, got.get(b)!];
      const entry = ratios.get(key) ?? { rps: [], cpu: [] };
      entry.rps.push(ra.rps / rb.rps);
      if (ra.cpu && rb.cpu) entry.cpu.push(rb.cpu / ra.cpu);
      ratios.set(key, entry);
    }
  }
  const mid = (values: number[]) => (values.length ? median(values, (v) => v) : undefined);
  const fmt = (value: number | undefined, digits = 1) => (value === undefined ? '–' : value.toFixed(digits));
  const lines = [`ingress (medians over ${rounds} rounds; ratios are medians of back-to-back pairs):`, '', '| server | requests/s | p50 ms | p99 ms | server CPU µs/request | Redis CPU µs/request | failures |', '|---|---:|---:|---:|---:|---:|---:|'];
  for (const [mode, all] of rows) {
    const row = median(all, (r) => r.rps);
    const failures = all.reduce((sum, r) => sum + r.failures, 0);
    lines.push(`| ${INGRESS_DESCRIPTIONS[mode]} | ${Math.round(row.rps).toLocaleString('en-US')} | ${row.p50} | ${row.p99} | ${fmt(mid(all.map((r) => r.cpu).filter((v): v is number => v !== undefined)))} | ${fmt(mid(all.map((r) => r.redisCpu).filter((v): v is number => v !== undefined)))} | ${failures} |`);
    emit({ type: 'ingress', mode, rps: row.rps, p50: row.p50, p99: row.p99, cpuUs: mid(all.map((r) => r.cpu).filter((v): v is number => v !== undefined)) ?? null, failures });
  }
  lines.push('');
  for (const [a, b, min] of pairs) {
    const ratio = ratios.get(`${a}/${b}`)!;
    const rps = mid(ratio.rps)!;
    const cpu = mid(ratio.cpu);
    lines.push(`${rps >= min ? 'PASS' : 'MISS'}  ${a} >= ${min}x ${b} (throughput): ${rps.toFixed(2)}x${cpu !== undefined ? `; CPU per request ${b} ÷ ${a}: ${cpu.toFixed(2)}x` : ''}`);
    emit({ type: 'ratio', of: a, against: b, throughput: rps, cpu: cpu ?? null, target: min, pass: rps >= min });
  }
  return lines;
}

// ---------------------------------------------------------------- latency

interface LatencyApp {
  url: string;
  times: number[];
  close(): void;
}

/** The local app: records how long each delivery took from the provider's send (header) to here. */
async function startApp(): Promise<LatencyApp> {
  const times: number[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const sent = Number(req.headers['x-bench-sent']);
      if (Number.isFinite(sent)) times.push(performance.timeOrigin + performance.now() - sent);
      res.writeHead(200, { 'content-length': 2 }).end('ok');
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    times,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** The provider: `count` deliveries at `rate`/s, paced on the clock (not setInterval drift), each stamped with its send time. */
async function provide(url: string, rate: number, count: number): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const body = body1k();
  const start = performance.now();
  let failures = 0;
  const inFlight: Array<Promise<void>> = [];
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(
      call(url, { method: 'POST', headers: { ...signedHeaders(body), 'x-github-delivery': randomUUID(), 'x-bench-sent': String(performance.timeOrigin + performance.now()) }, body, agent }).then(
        (answer) => void (answer.status >= 300 && failures++),
        () => void failures++,
      ),
    );
  }
  await Promise.all(inFlight);
  agent.destroy();
  return failures;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;
}

async function listenHasRelay(): Promise<boolean> {
  const child = spawn(process.execPath, [BIN, 'listen', '--help'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let text = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  await once(child, 'exit');
  return text.includes('--relay');
}

async function waitFor(done: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function latencyPart(redisUrl: string | undefined): Promise<string[]> {
  const rate = Number(process.env.BENCH_RATE ?? 500);
  const seconds = Number(process.env.BENCH_LATENCY_SECONDS ?? 4);
  const count = rate * seconds;
  const warm = Math.min(200, count);
  const app = await startApp();
  const lines: string[] = [];
  try {
    const viaListen = await listenHasRelay();
    say(`latency: ${rate}/s for ${seconds}s per leg (${count} deliveries, the first ${warm} not counted), 1 KiB; subscriber: ${viaListen ? 'hookctl listen --relay --forward-to APP' : 'no `listen --relay` in this build: skipped'}`);
    // The floor: straight to the app.
    await provide(app.url, rate, warm);
    app.times.length = 0;
    await provide(app.url, rate, count);
    const direct = [...app.times];
    app.times.length = 0;
    const floor = { p50: percentile(direct, 50), p99: percentile(direct, 99) };
    lines.push(`added latency provider → local app (${rate}/s, ${count} deliveries per leg, 1 KiB; clock: performance.timeOrigin + performance.now() in every process; direct p50 ${floor.p50.toFixed(2)} ms, p99 ${floor.p99.toFixed(2)} ms):`, '');
    lines.push('| transport | p50 ms | p99 ms | added p50 ms | added p99 ms | arrived | send failures |', '|---|---:|---:|---:|---:|---:|---:|');
    lines.push(`| direct (no relay) | ${floor.p50.toFixed(2)} | ${floor.p99.toFixed(2)} | – | – | ${direct.length}/${count} | 0 |`);
    emit({ type: 'latency', transport: 'direct', p50: floor.p50, p99: floor.p99 });
    if (!viaListen) return [...lines, '', 'relayed legs skipped: this build has no `hookctl listen --relay`.'];
    const legs: Array<{ transport: 'sse' | 'long-poll' | 'poll'; store: 'embedded' | 'redis' }> = [
      { transport: 'sse', store: 'embedded' },
      { transport: 'long-poll', store: 'embedded' },
      { transport: 'poll', store: 'embedded' },
      ...(redisUrl ? [{ transport: 'sse' as const, store: 'redis' as const }] : []),
    ];
    for (const { transport, store } of legs) {
      const relay = await startRelay(store === 'embedded' ? 'embedded' : { redis: redisUrl! });
      const listener = { child: undefined as ChildProcess | undefined };
      try {
        const channel = await createChannel(relay, `lat-${transport}`);
        listener.child = spawn(process.execPath, [BIN, 'listen', '--relay', channel.subscribeUrl, '--relay-transport', transport, '--forward-to', app.url, '--no-capture', '--quiet', '--port', '0'], {
          stdio: ['ignore', 'ignore', 'pipe'],
          env: { ...process.env, NO_COLOR: '1', HOOKCTL_RELAY_TOKEN: channel.token },
        });
        let stderr = '';
        listener.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
        // Warm-up: the first deliveries also prove the listener is connected.
        const ingressUrl = `${channel.ingressUrl}/github`;
        await provide(ingressUrl, rate, warm);
        await waitFor(() => app.times.length >= warm, `the ${transport} warm-up (listener said: ${stderr.slice(-400)})`, 60_000);
        app.times.length = 0;
        const failures = await provide(ingressUrl, rate, count);
        await waitFor(() => app.times.length >= count - failures, `${transport} deliveries`, 60_000).catch(() => {});
        const relayed = [...app.times];
        app.times.length = 0;
        const p50 = percentile(relayed, 50);
        const p99 = percentile(relayed, 99);
        lines.push(`| ${transport}, ${store} store | ${p50.toFixed(2)} | ${p99.toFixed(2)} | ${(p50 - floor.p50).toFixed(2)} | ${(p99 - floor.p99).toFixed(2)} | ${relayed.length}/${count} | ${failures} |`);
        emit({ type: 'latency', transport, store, p50, p99, addedP50: p50 - floor.p50, addedP99: p99 - floor.p99, arrived: relayed.length, sent: count, failures });
        say(`  ${transport} (${store} store): p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms (${relayed.length}/${count})`);
        if (transport === 'sse') {
          const added = p50 - floor.p50;
          records.push({ type: 'target', name: `added p50 over SSE <= 2 ms (${store} store)`, value: added, pass: added <= 2 });
        }
      } finally {
        listener.child?.kill('SIGTERM');
        if (listener.child && listener.child.exitCode === null) await once(listener.child, 'exit');
        await relay.stop();
      }
    }
    lines.push('');
    for (const target of records.filter((record) => record.type === 'target' && String(record.name).startsWith('added p50 over SSE'))) {
      lines.push(`${target.pass ? 'PASS' : 'MISS'}  ${String(target.name).replace('over SSE', `over SSE at ${rate}/s`)}: ${(target.value as number).toFixed(2)} ms`);
    }
    return lines;
  } finally {
    app.close();
  }
}

// ---------------------------------------------------------------- memory

/** Opens an SSE stream and resolves once the relay said hello (its first event). */
function openSubscriber(url: string, token: string, name: string, agent: Agent): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent, headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream', 'hookctl-subscriber': name, ...(GROUPED ? { 'hookctl-group': 'bench' } : {}) } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return reject(new Error(`subscriber ${name}: HTTP ${res.statusCode}`));
      }
      res.setEncoding('utf8');
      let text = '';
      const onData = (chunk: string) => {
        text += chunk;
        if (text.includes('\n\n')) {
          res.off('data', onData);
          res.resume();
          resolve(res);
        }
      };
      res.on('data', onData);
    });
    req.on('error', reject);
    req.end();
  });
}

async function settle(pid: number): Promise<number> {
  // RSS after the relay has been idle long enough for what a burst leaves behind to go (node-redis
  // arms a 5 s timeout signal per command; it lives until it fires).
  await new Promise((resolve) => setTimeout(resolve, 6_000));
  return rssKiB(pid);
}

async function memoryPart(store: 'embedded' | { redis: string }): Promise<string[]> {
  const storeName = store === 'embedded' ? 'embedded' : 'redis';
  const channels = Number(process.env.BENCH_CHANNELS ?? 500);
  const subscribers = Number(process.env.BENCH_SUBSCRIBERS ?? 10_000);
  const relay = await startRelay(store);
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const streams: IncomingMessage[] = [];
  const streamAgent = new Agent({ keepAlive: false, maxSockets: Infinity });
  try {
    const pid = relay.child.pid!;
    const first = await createChannel(relay, 'mem-subscribed', agent);
    const start = await settle(pid);
    for (let i = 0; i < channels; i += 20) await Promise.all(Array.from({ length: Math.min(20, channels - i) }, (_, k) => createChannel(relay, `mem-${i + k}`, agent)));
    const afterChannels = await settle(pid);
    const perChannel = ((afterChannels - start) * 1024) / channels;
    say(`memory (${storeName} store): ${channels} idle channels: +${afterChannels - start} KiB RSS`);
    const eventsUrl = new URL(`sub/${first.name}/events`, relay.url).href;
    const began = performance.now();
    for (let i = 0; i < subscribers; i += 200) {
      const batch = await Promise.all(Array.from({ length: Math.min(200, subscribers - i) }, (_, k) => openSubscriber(eventsUrl, first.token, `bench-sub-${i + k}`, streamAgent)));
      streams.push(...batch);
    }
    const connectSeconds = (performance.now() - began) / 1000;
    const afterSubscribers = await settle(pid);
    const perSubscriber = ((afterSubscribers - afterChannels) * 1024) / subscribers;
    say(`memory (${storeName} store): ${subscribers} idle SSE subscribers connected in ${connectSeconds.toFixed(1)} s: +${afterSubscribers - afterChannels} KiB RSS`);
    // Still serving: a delivery while all of them are connected is stored and answered.
    const delivered = await call(`${first.ingressUrl}/github`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"still":"alive"}' });
    emit({ type: 'memory', store: storeName, channels, perChannelBytes: perChannel, subscribers, perSubscriberBytes: perSubscriber, connectSeconds, rssKiB: afterSubscribers, ingressWhileConnected: delivered.status });
    return [
      `memory (VmRSS of the relay, ${storeName} store, after 6 s idle):`,
      '',
      '| what | count | RSS added | per item |',
      '|---|---:|---:|---:|',
      `| idle channels | ${channels} | ${afterChannels - start} KiB | ${(perChannel / 1024).toFixed(1)} KiB |`,
      `| idle SSE subscribers (one channel, ${GROUPED ? 'members of one group' : 'each its own consumer'}) | ${subscribers.toLocaleString('en-US')} | ${afterSubscribers - afterChannels} KiB | ${(perSubscriber / 1024).toFixed(1)} KiB |`,
      '',
      `${subscribers.toLocaleString('en-US')} subscribers connected in ${connectSeconds.toFixed(1)} s; relay RSS then ${(afterSubscribers / 1024).toFixed(0)} MiB; a delivery sent meanwhile got HTTP ${delivered.status}.`,
      `${perSubscriber <= 10_000 ? 'PASS' : 'MISS'}  <= 10 KB per idle subscriber (${storeName} store): ${(perSubscriber / 1000).toFixed(1)} KB`,
    ];
  } finally {
    for (const stream of streams) stream.destroy();
    agent.destroy();
    streamAgent.destroy();
    await relay.stop();
  }
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const only = process.env.BENCH_ONLY?.split(',');
  const parts = ['ingress', 'latency', 'memory'].filter((part) => !only || only.includes(part));
  const binary = findBinary(REDIS_SERVER);
  if (!binary && parts.includes('ingress')) {
    say(installHint(REDIS_SERVER));
    process.exit(1);
  }
  const startLoad = loadAverage();
  say(`bench:relay — node ${process.version}, ${cpus().length} CPUs; load average ${startLoad}`);
  emit({ type: 'machine', node: process.version, cpus: cpus().length, loadAverageStart: startLoad });
  const lines: string[] = [];
  const server = binary ? await startRedis(binary, { args: ['--maxmemory', '2gb'] }) : undefined;
  const admin = server ? createClient({ url: server.url }) : undefined;
  await admin?.connect();
  try {
    if (server && admin && parts.includes('ingress')) lines.push(...(await ingressPart({ url: server.url, pid: server.pid!, flush: async () => void (await admin.sendCommand(['FLUSHALL'])) })), '');
    if (parts.includes('latency')) lines.push(...(await latencyPart(server?.url)), '');
    if (parts.includes('memory')) {
      lines.push(...(await memoryPart('embedded')), '');
      if (server && admin) {
        await admin.sendCommand(['FLUSHALL']);
        lines.push(...(await memoryPart({ redis: server.url })), '');
      }
    }
  } finally {
    await admin?.close().catch(() => {});
    await server?.stop();
  }
  const endLoad = loadAverage();
  lines.push(`load average: ${startLoad} at the start, ${endLoad} at the end (${cpus().length} CPUs).`);
  emit({ type: 'machine', loadAverageEnd: endLoad });
  say(`\n${lines.join('\n')}`);
  if (JSON_OUT) process.stdout.write(records.map((record) => JSON.stringify(record)).join('\n') + '\n');
}

if (process.argv[2] === '--serve') {
  await serveBaseline(process.argv[3] as 'bare' | 'xadd', process.argv[4] || undefined);
} else {
  await main();
}
