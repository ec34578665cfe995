/**
 * The consumers: N clients of one strategy in a process of their own, so that their work never
 * shows up in the provider's CPU time and the provider's never delays their clocks. Pollers use
 * undici keep-alive clients (one connection each, as N separate consumers would have); push
 * subscribers share one verifying listener with a path per subscriber.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from 'undici';
import { getScheme } from '../schemes/registry.js';
import { childChannel } from './child.js';
import { now } from './clock.js';
import { createLatencyRecorder, type LatencyRecorder } from './histogram.js';
import type { ConsumerStats, FloorStats, ParentMessage, StepConfig } from './protocol.js';
import { seededRandom } from './schedule.js';
import { CostMeter, WireMeter } from './wire.js';

let step: StepConfig;
let serverUrl = '';
let recorder: LatencyRecorder;
let marks: Uint8Array[] = [];
let counts: Uint32Array;
let clients: Client[] = [];
let stopped = false;
let started = false;
const abort = new AbortController();
const cost = new CostMeter();
const counters = { delivered: 0, duplicates: 0, unknown: 0, rejected: 0, completeClients: 0, requests: 0, emptyResponses: 0, errors: 0, skippedTicks: 0, negativeLatencies: 0 };
let doneAt: number | null = null;
let progressTimer: NodeJS.Timeout | undefined;
const timers = new Set<NodeJS.Timeout>();

let listener: ReturnType<typeof createServer> | undefined;
let listenerWire: WireMeter | undefined;
const scheme = getScheme('standard');

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      resolve();
    }, Math.max(0, ms));
    timers.add(timer);
  });
}

/** One event reached one client at `at` (already including the simulated delay of the last hop). */
function receive(client: number, seq: number, created: number, at: number): void {
  const seen = marks[client]!;
  if (!(seq >= 1 && seq <= step.events)) {
    counters.unknown++;
    return;
  }
  if (seen[seq - 1]) {
    counters.duplicates++;
    return;
  }
  seen[seq - 1] = 1;
  counters.delivered++;
  const latency = at - created;
  if (latency < 0) counters.negativeLatencies++;
  recorder.record(Math.max(0, latency));
  if (++counts[client]! === step.events) {
    counters.completeClients++;
    if (counters.completeClients === step.clients) finish();
  }
}

function finish(): void {
  doneAt = now();
  clearInterval(progressTimer);
  send({ type: 'progress', count: counters.delivered });
  send({ type: 'done', at: doneAt });
}

interface PollBody {
  cursor: number;
  events: Array<{ seq: number; created: number }>;
}

/**
 * GET over the client's warm connection with undici's dispatch API: no stream object per response,
 * about a third less client CPU than request() + body.text(), which matters when one process plays
 * a thousand clients. Destroying the client on stop fails whatever is in flight.
 */
function getText(client: Client, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let status = 0;
    client.dispatch(
      { path, method: 'GET' },
      {
        onRequestStart() {},
        onResponseStart(_controller, statusCode) {
          status = statusCode;
        },
        onResponseData(_controller, chunk) {
          chunks.push(chunk);
        },
        onResponseEnd() {
          const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
          if (status >= 200 && status < 300) resolve(text);
          else reject(new Error(`HTTP ${status}`));
        },
        onResponseError(_controller, error) {
          reject(error);
        },
      },
    );
  });
}

/** One request over the client's warm connection; the parse time is when the consumer "has" the events. */
async function poll(client: number, cursor: number, waitMs?: number): Promise<number> {
  const path = waitMs === undefined ? `/events?after=${cursor}` : `/events?after=${cursor}&wait=${waitMs}`;
  const body = JSON.parse(await getText(clients[client]!, path)) as PollBody;
  const at = now() + step.latencyMs;
  counters.requests++;
  if (body.events.length === 0) counters.emptyResponses++;
  for (const event of body.events) receive(client, event.seq, event.created, at);
  return Math.max(cursor, body.cursor);
}

/** A request failed: on stop that is expected; otherwise count it and retry shortly. True means give up. */
async function failed(): Promise<boolean> {
  if (stopped) return true;
  counters.errors++;
  await sleep(50);
  return stopped;
}

/** Polls on a fixed grid (start + phase + k·T), never more than one request in flight. */
async function shortPoller(client: number, firstTick: number): Promise<void> {
  const interval = step.intervalMs;
  let tick = firstTick;
  let cursor = 0;
  while (!stopped && counts[client]! < step.events) {
    await sleep(tick - now());
    if (stopped) return;
    // The request's trip to the server; the response's trip is added to the receive time.
    if (step.latencyMs > 0) await sleep(step.latencyMs);
    try {
      cursor = await poll(client, cursor);
    } catch {
      if (await failed()) return;
    }
    tick += interval;
    const late = now() - tick;
    if (late > 0) {
      // The poll took longer than the interval: those ticks are missed, as a real poller would.
      const missed = Math.ceil(late / interval);
      counters.skippedTicks += missed;
      tick += missed * interval;
    }
  }
}

async function longPoller(client: number): Promise<void> {
  let cursor = 0;
  while (!stopped && counts[client]! < step.events) {
    if (step.latencyMs > 0) await sleep(step.latencyMs);
    try {
      cursor = await poll(client, cursor, step.longPollTimeoutMs);
    } catch {
      if (await failed()) return;
      continue;
    }
    // The response's trip back before the client can ask again.
    if (step.latencyMs > 0 && counts[client]! < step.events) await sleep(step.latencyMs);
  }
}

async function sseClient(client: number): Promise<void> {
  while (!stopped && counts[client]! < step.events) {
    try {
      const res = await clients[client]!.request({ path: `/stream?after=${lastSeq(client)}`, method: 'GET', signal: abort.signal });
      counters.requests++;
      await new Promise<void>((resolve, reject) => {
        let buffer = '';
        res.body.setEncoding('utf8');
        res.body.on('data', (chunk: string) => {
          buffer += chunk;
          let end = buffer.indexOf('\n\n');
          if (end < 0) return;
          const at = now() + step.latencyMs;
          while (end >= 0) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = frame.indexOf('data: ');
            if (data >= 0) {
              const event = JSON.parse(frame.slice(data + 6)) as { seq: number; created: number };
              receive(client, event.seq, event.created, at);
            }
            end = buffer.indexOf('\n\n');
          }
          if (counts[client]! >= step.events) {
            res.body.destroy();
            resolve();
          }
        });
        res.body.once('error', reject);
        res.body.once('end', resolve);
        res.body.once('close', resolve);
      });
    } catch {
      if (await failed()) return;
    }
  }
}

function lastSeq(client: number): number {
  const seen = marks[client]!;
  let seq = 0;
  while (seq < seen.length && seen[seq]) seq++;
  return seq;
}

function onWebhook(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const url = req.url ?? '';
    if (url === '/warm') {
      res.writeHead(204);
      res.end();
      return;
    }
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    const result = scheme.verify({ body, headers: req.headers, secrets: [step.secret], toleranceSeconds: 300, nowMs: Date.now() });
    if (!result.verified) {
      if (started) counters.rejected++;
      res.writeHead(401);
      res.end();
      return;
    }
    const event = JSON.parse(body.toString('utf8')) as { seq: number; created: number };
    const at = now() + step.latencyMs;
    // Deliveries before the start are the provider warming this code path up; they are not counted.
    if (started) {
      counters.requests++;
      receive(Number(url.slice('/hooks/'.length)), event.seq, event.created, at);
    }
    // The request's trip here and the acknowledgement's trip back keep the provider's
    // connection busy, as they would across a network.
    if (step.latencyMs > 0 && started) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        res.writeHead(204);
        res.end();
      }, 2 * step.latencyMs);
      timers.add(timer);
    } else {
      res.writeHead(204);
      res.end();
    }
  });
}

function quantiles(samples: number[]): { min: number; p50: number; p90: number } {
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
  return { min: samples[0]!, p50: at(0.5), p90: at(0.9) };
}

/**
 * The loopback floor, measured twice over one warm undici connection: back to back (a hot CPU, the
 * textbook figure) and after idle gaps like those between events (min(1/λ, 20 ms)), which adds
 * whatever it costs this machine to wake a sleeping process: every delivery in the bench pays that.
 */
async function measureFloor(): Promise<FloorStats> {
  const { Client } = await import('undici');
  const client = new Client(serverUrl, { keepAliveTimeout: 60_000, pipelining: 1 });
  const ping = async () => {
    const t0 = now();
    const res = await client.request({ path: '/ping', method: 'GET' });
    await res.body.text();
    return now() - t0;
  };
  const hot: number[] = [];
  const idle: number[] = [];
  const gap = Math.min(1000 / step.rate, 20);
  try {
    // The first requests open the connection and warm the JIT; only warm ones count.
    for (let i = 0; i < 500; i++) {
      const ms = await ping();
      if (i >= 300) hot.push(ms);
    }
    for (let i = 0; i < 20; i++) {
      await sleep(gap);
      idle.push(await ping());
    }
  } finally {
    await client.close();
  }
  const idleStats = quantiles(idle);
  return { samples: hot.length, ...quantiles(hot), idleGapMs: gap, idleSamples: idle.length, idleP50: idleStats.p50, idleP90: idleStats.p90 };
}

async function init(message: { step: StepConfig; serverUrl?: string }): Promise<string | null> {
  step = message.step;
  serverUrl = message.serverUrl ?? '';
  recorder = await createLatencyRecorder();
  marks = Array.from({ length: step.clients }, () => new Uint8Array(step.events));
  counts = new Uint32Array(step.clients);
  if (step.strategy === 'push') {
    listener = createServer({ keepAliveTimeout: 120_000, requestTimeout: 0 }, onWebhook);
    listener.keepAliveTimeout = 120_000;
    listenerWire = new WireMeter(listener);
    await new Promise<void>((resolve, reject) => {
      listener!.once('error', reject);
      listener!.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, resolve);
    });
    return `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
  }
  const { Client } = await import('undici');
  clients = Array.from(
    { length: step.clients },
    () =>
      new Client(serverUrl, {
        pipelining: 1,
        keepAliveTimeout: 120_000,
        keepAliveMaxTimeout: 600_000,
        headersTimeout: step.longPollTimeoutMs + 60_000,
        // SSE streams sit idle between events; that is not a timeout.
        bodyTimeout: 0,
      }),
  );
  return null;
}

async function warm(): Promise<FloorStats> {
  // One request per client opens its connection before anything is counted, a hundred at a time;
  // the same request the strategy will make, so its code paths are compiled before they are timed.
  const path = '/events?after=0';
  for (let i = 0; i < clients.length; i += 100) {
    await Promise.all(
      clients.slice(i, i + 100).map((client) => getText(client, path)),
    );
  }
  for (let i = 0; i < 200 && clients.length > 0; i++) JSON.parse(await getText(clients[0]!, path));
  return measureFloor();
}

function start(at: number): void {
  for (const key of Object.keys(counters) as Array<keyof typeof counters>) counters[key] = 0;
  cost.reset();
  listenerWire?.reset();
  started = true;
  progressTimer = setInterval(() => send({ type: 'progress', count: counters.delivered }), 250);
  const random = seededRandom((step.seed ^ 0x5bd1e995) >>> 0);
  for (let client = 0; client < step.clients; client++) {
    if (step.strategy === 'short-poll') void shortPoller(client, at + random() * step.intervalMs);
    else if (step.strategy === 'long-poll') void sleep(at - now()).then(() => longPoller(client));
    else if (step.strategy === 'sse') void sleep(at - now()).then(() => sseClient(client));
  }
}

function stats(): ConsumerStats {
  return {
    ...counters,
    latency: recorder.summary(),
    cdf: recorder.cdf(),
    doneAt,
    wire: listenerWire ? listenerWire.stats() : null,
    cost: cost.stats(),
  };
}

function shutdown(): void {
  stopped = true;
  abort.abort();
  clearInterval(progressTimer);
  for (const timer of timers) clearTimeout(timer);
  for (const client of clients) void client.destroy().catch(() => {});
  listenerWire?.destroyAll();
  listener?.close();
}

const send = childChannel(async (message: ParentMessage) => {
  switch (message.type) {
    case 'init':
      send({ type: 'ready', url: await init(message) });
      return;
    case 'warm':
      send({ type: 'warmed', floor: await warm() });
      return;
    case 'start':
      start(message.at);
      return;
    case 'stop': {
      const result = stats();
      stopped = true;
      send({ type: 'stats', consumer: result });
      shutdown();
      return;
    }
    default:
      return;
  }
}, shutdown);
