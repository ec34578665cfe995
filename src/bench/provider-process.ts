/**
 * The provider: a child process of its own so that `process.cpuUsage()` here is the server's cost
 * and nothing else. It creates the seeded events, serves them to pollers (`GET /events`), holds
 * long polls, streams them (SSE), or pushes them as signed Standard Webhooks deliveries.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Pool } from 'undici';
import { getScheme } from '../schemes/registry.js';
import { signRequest } from '../schemes/sign-request.js';
import { childChannel } from './child.js';
import { now } from './clock.js';
import type { ParentMessage, ProviderStats, StepConfig } from './protocol.js';
import { arrivalOffsets, EVENT_TYPE, eventId, eventJson } from './schedule.js';
import { CostMeter, WireMeter } from './wire.js';

let step: StepConfig;
/** Events as JSON text, index seq-1: each is serialised once, when created. */
const log: string[] = [];
const pushBodies: Buffer[] = [];
let firstCreated: number | null = null;
let lastCreated: number | null = null;
/** Response bodies by cursor, valid until the next event: parked long polls share one buffer. */
let bodyCache = new Map<number, Buffer>();

const counters = { requests: 0, emptyResponses: 0, timeouts: 0, retries: 0, failedDeliveries: 0, inFlight: 0, maxInFlight: 0 };
const cost = new CostMeter();
let emitTimer: NodeJS.Timeout | undefined;
let progressTimer: NodeJS.Timeout | undefined;
let stopped = false;

interface Parked {
  res: ServerResponse;
  after: number;
  timer: NodeJS.Timeout;
}
const parked = new Set<Parked>();
const streams = new Set<ServerResponse>();

const server = createServer({ requestTimeout: 0 }, handle);
// Idle keep-alive connections must outlive the longest poll interval, or pollers would reconnect.
server.keepAliveTimeout = 120_000;
const wire = new WireMeter(server);

function inFlight(delta: number): void {
  counters.inFlight += delta;
  if (counters.inFlight > counters.maxInFlight) counters.maxInFlight = counters.inFlight;
}

function bodyAfter(after: number): Buffer {
  let body = bodyCache.get(after);
  if (!body) {
    body = Buffer.from(`{"cursor":${log.length},"events":[${log.slice(after).join(',')}]}`);
    bodyCache.set(after, body);
  }
  return body;
}

function answer(res: ServerResponse, after: number): void {
  if (after >= log.length) counters.emptyResponses++;
  const body = bodyAfter(after);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = req.url ?? '/';
  const query = url.indexOf('?');
  const path = query < 0 ? url : url.slice(0, query);
  const params = new URLSearchParams(query < 0 ? '' : url.slice(query + 1));
  if (path === '/ping') {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2 });
    res.end('ok');
    return;
  }
  const after = Math.max(0, Math.min(Number(params.get('after') ?? 0) || 0, Number.MAX_SAFE_INTEGER));
  if (path === '/events') {
    counters.requests++;
    const wait = params.get('wait');
    if (wait === null || after < log.length || stopped) {
      answer(res, after);
      return;
    }
    const waitMs = Math.min(Math.max(Number(wait) || 0, 1), 3_600_000);
    const entry: Parked = {
      res,
      after,
      timer: setTimeout(() => {
        if (!parked.delete(entry)) return;
        inFlight(-1);
        counters.timeouts++;
        answer(res, after);
      }, waitMs),
    };
    parked.add(entry);
    inFlight(1);
    res.once('close', () => {
      if (parked.delete(entry)) {
        clearTimeout(entry.timer);
        inFlight(-1);
      }
    });
    return;
  }
  if (path === '/stream') {
    counters.requests++;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const backlog = log.slice(after).map((json, index) => frame(after + index + 1, json));
    if (backlog.length > 0) res.write(backlog.join(''));
    streams.add(res);
    inFlight(1);
    res.once('close', () => {
      if (streams.delete(res)) inFlight(-1);
    });
    return;
  }
  res.writeHead(404, { 'content-length': 0 });
  res.end();
}

function frame(seq: number, json: string): string {
  return `id: ${seq}\ndata: ${json}\n\n`;
}

// ---- push: one pool per subscriber, as a provider keeps per-endpoint connections ----

interface Subscriber {
  pool: Pool;
  path: string;
  queue: number[];
  head: number;
  active: number;
}
const subscribers: Subscriber[] = [];
const scheme = getScheme('standard');

async function addSubscribers(url: string): Promise<void> {
  const { Pool } = await import('undici');
  for (let i = 0; i < step.clients; i++) {
    subscribers.push({
      pool: new Pool(url, { connections: step.pushConcurrency, pipelining: 1, keepAliveTimeout: 120_000, keepAliveMaxTimeout: 600_000 }),
      path: `/hooks/${i}`,
      queue: [],
      head: 0,
      active: 0,
    });
  }
  // Open one warm connection per subscriber before counting, a hundred at a time so the
  // listener's accept queue is never flooded.
  for (let i = 0; i < subscribers.length; i += 100) {
    await Promise.all(
      subscribers.slice(i, i + 100).map(async (subscriber) => {
        const res = await subscriber.pool.request({ path: '/warm', method: 'POST', body: '' });
        await res.body.dump();
      }),
    );
  }
  // Signed deliveries before the start (the listener checks but does not count them) compile the
  // signing, sending and verifying paths before anything is timed.
  const first = subscribers[0];
  const sample = Buffer.from(eventJson(step.seed, 0, now(), step.payloadSize));
  for (let i = 0; first && i < 150; i++) {
    const { headers } = signRequest(scheme, { body: sample, secret: step.secret, timestamp: Math.floor(Date.now() / 1000), id: eventId(step.seed, 0), type: EVENT_TYPE });
    const res = await first.pool.request({ path: first.path, method: 'POST', headers, body: sample });
    await res.body.dump();
  }
}

function pump(subscriber: Subscriber): void {
  while (subscriber.active < step.pushConcurrency && subscriber.head < subscriber.queue.length) {
    const seq = subscriber.queue[subscriber.head++]!;
    if (subscriber.head === subscriber.queue.length) {
      subscriber.queue.length = 0;
      subscriber.head = 0;
    }
    subscriber.active++;
    inFlight(1);
    void deliver(subscriber, seq, 1).finally(() => {
      subscriber.active--;
      inFlight(-1);
      if (!stopped) pump(subscriber);
    });
  }
}

async function deliver(subscriber: Subscriber, seq: number, attempt: number): Promise<void> {
  for (;;) {
    const body = pushBodies[seq - 1]!;
    // Signed per attempt with a fresh timestamp, as a provider does.
    const { headers } = signRequest(scheme, { body, secret: step.secret, timestamp: Math.floor(Date.now() / 1000), id: eventId(step.seed, seq), type: EVENT_TYPE });
    counters.requests++;
    try {
      const res = await subscriber.pool.request({ path: subscriber.path, method: 'POST', headers, body });
      await res.body.dump();
      if (res.statusCode < 300) return;
    } catch {
      // a refused or reset connection: retried below like any failed attempt
    }
    if (stopped) return;
    if (attempt >= 4) {
      counters.failedDeliveries++;
      return;
    }
    counters.retries++;
    attempt++;
    await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
  }
}

// ---- the event stream ----

function publish(seq: number): void {
  const created = now();
  const json = eventJson(step.seed, seq, created, step.payloadSize);
  log.push(json);
  firstCreated ??= created;
  lastCreated = created;
  bodyCache = new Map();
  if (step.strategy === 'push') {
    pushBodies.push(Buffer.from(json));
    for (const subscriber of subscribers) {
      subscriber.queue.push(seq);
      pump(subscriber);
    }
  } else if (step.strategy === 'long-poll') {
    for (const entry of parked) {
      clearTimeout(entry.timer);
      answer(entry.res, entry.after);
    }
    inFlight(-parked.size);
    parked.clear();
  } else if (step.strategy === 'sse') {
    const text = frame(seq, json);
    for (const res of streams) res.write(text);
  }
}

function startEmitting(at: number): void {
  const offsets = arrivalOffsets(step.events, step.rate, step.seed);
  let next = 0;
  const tick = () => {
    emitTimer = undefined;
    if (stopped) return;
    // Timers fire up to a millisecond off; anything due within half a millisecond goes now.
    const t = now();
    while (next < offsets.length && at + offsets[next]! <= t + 0.5) publish(++next);
    if (next < offsets.length) emitTimer = setTimeout(tick, Math.max(0, at + offsets[next]! - now()));
    else {
      clearInterval(progressTimer);
      send({ type: 'progress', count: log.length });
      send({ type: 'emitted', at: now() });
    }
  };
  emitTimer = setTimeout(tick, Math.max(0, at - now()));
  progressTimer = setInterval(() => send({ type: 'progress', count: log.length }), 250);
}

function stats(): ProviderStats {
  return {
    emitted: log.length,
    firstCreated,
    lastCreated,
    requests: counters.requests,
    emptyResponses: counters.emptyResponses,
    timeouts: counters.timeouts,
    retries: counters.retries,
    failedDeliveries: counters.failedDeliveries,
    maxInFlight: counters.maxInFlight,
    wire: wire.stats(),
    cost: cost.stats(),
  };
}

function shutdown(): void {
  stopped = true;
  if (emitTimer) clearTimeout(emitTimer);
  clearInterval(progressTimer);
  for (const entry of parked) clearTimeout(entry.timer);
  for (const subscriber of subscribers) void subscriber.pool.destroy().catch(() => {});
  wire.destroyAll();
  server.close();
}

const send = childChannel(async (message: ParentMessage) => {
  switch (message.type) {
    case 'init': {
      step = message.step;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        // A deep accept queue: a thousand clients connect at once during warm-up.
        server.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, resolve);
      });
      send({ type: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
      return;
    }
    case 'subscribers':
      await addSubscribers(message.url);
      send({ type: 'warmed' });
      return;
    case 'start':
      counters.requests = counters.emptyResponses = counters.timeouts = counters.retries = counters.failedDeliveries = 0;
      counters.maxInFlight = counters.inFlight;
      wire.reset();
      cost.reset();
      startEmitting(message.at);
      return;
    case 'stop': {
      // Numbers first (they are the point), then tear down.
      const result = stats();
      stopped = true;
      send({ type: 'stats', provider: result });
      shutdown();
      return;
    }
    default:
      return;
  }
}, shutdown);
