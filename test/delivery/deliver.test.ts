import { afterEach, describe, expect, it } from 'vitest';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Dispatcher } from 'undici';
import { createDispatcher, deliver, type Attempt, type PreparedRequest, type RetryPolicy } from '../../src/delivery/index.js';
import { startServer, type TestServer } from '../helpers/server.js';

const servers: TestServer[] = [];
const dispatchers: Dispatcher[] = [];
const netServers: NetServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  await Promise.all(dispatchers.splice(0).map((dispatcher) => dispatcher.close()));
  await Promise.all(netServers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function server(respond: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const started = await startServer(respond);
  servers.push(started);
  return started;
}

function dispatcher(): Dispatcher {
  const created = createDispatcher({ connections: 4 });
  dispatchers.push(created);
  return created;
}

function policy(delaysMs: number[], extra: Partial<RetryPolicy> = {}): RetryPolicy {
  return { delaysMs, timeoutMs: 2000, timeScale: 1, ...extra };
}

function prepareFor(url: string, seen: number[] = []): (attempt: number) => PreparedRequest {
  return (attempt) => {
    seen.push(attempt);
    return { url, headers: { 'content-type': 'application/json', 'x-attempt': String(attempt) }, body: Buffer.from(`{"attempt":${attempt}}`) };
  };
}

/** Answers each request with the next status of the list (the last one repeats). */
function statuses(list: number[], headers: Record<string, string> = {}) {
  let index = 0;
  return (_req: unknown, res: import('node:http').ServerResponse) => {
    const status = list[Math.min(index++, list.length - 1)]!;
    res.writeHead(status, headers).end(status >= 400 ? `{"error":"status ${status}"}` : 'ok');
  };
}

describe('deliver', () => {
  it('delivers on the first 2xx and sends the prepared body and headers', async () => {
    const target = await server(statuses([200]));
    const seen: number[] = [];
    const outcome = await deliver(prepareFor(`${target.url}/hook?x=1`, seen), policy([0, 10]), { dispatcher: dispatcher() });
    expect(outcome.delivered).toBe(true);
    expect(outcome.status).toBe(200);
    expect(outcome.attempts).toHaveLength(1);
    expect(outcome.attempts[0]).toMatchObject({ attempt: 1, status: 200, error: null, willRetry: false });
    expect(seen).toEqual([1]);
    expect(target.requests[0]!.method).toBe('POST');
    expect(target.requests[0]!.url).toBe('/hook?x=1');
    expect(target.requests[0]!.body.toString()).toBe('{"attempt":1}');
    expect(target.requests[0]!.headers['x-attempt']).toBe('1');
  });

  it('retries 5xx, 408 and 429, re-preparing each attempt, until delivered', async () => {
    const target = await server(statuses([500, 503, 408, 429, 204]));
    const attempts: Attempt[] = [];
    const waits: Array<[number, number]> = [];
    const outcome = await deliver(prepareFor(target.url), policy([0, 5, 5, 5, 5, 5]), {
      dispatcher: dispatcher(),
      onAttempt: (attempt) => attempts.push(attempt),
      onWait: (ms, next) => waits.push([ms, next]),
    });
    expect(outcome.delivered).toBe(true);
    expect(attempts.map((a) => a.status)).toEqual([500, 503, 408, 429, 204]);
    expect(attempts.map((a) => a.willRetry)).toEqual([true, true, true, true, false]);
    expect(waits.map(([, next]) => next)).toEqual([2, 3, 4, 5]);
    expect(target.requests.map((r) => r.headers['x-attempt'])).toEqual(['1', '2', '3', '4', '5']);
    expect(attempts[0]!.responseSnippet).toContain('status 500');
  });

  it('never retries other 4xx', async () => {
    const target = await server(statuses([400, 200]));
    const outcome = await deliver(prepareFor(target.url), policy([0, 5, 5]), { dispatcher: dispatcher() });
    expect(outcome).toMatchObject({ delivered: false, status: 400 });
    expect(outcome.attempts).toHaveLength(1);
    expect(outcome.attempts[0]!.willRetry).toBe(false);
    expect(target.requests).toHaveLength(1);
  });

  it('gives up when the schedule runs out', async () => {
    const target = await server(statuses([502]));
    const outcome = await deliver(prepareFor(target.url), policy([0, 1, 1]), { dispatcher: dispatcher() });
    expect(outcome.delivered).toBe(false);
    expect(outcome.attempts.map((a) => a.willRetry)).toEqual([true, true, false]);
    expect(target.requests).toHaveLength(3);
  });

  it('follows the schedule: waits at least each delay (scaled) between attempts', async () => {
    const arrivals: number[] = [];
    const answer = statuses([500, 500, 200]);
    const target = await server((req, res) => {
      arrivals.push(performance.now());
      answer(req, res);
    });
    const outcome = await deliver(prepareFor(target.url), policy([0, 1500, 3000], { timeScale: 0.1 }), { dispatcher: dispatcher() });
    expect(outcome.delivered).toBe(true);
    expect(outcome.attempts.map((a) => a.nextDelayMs)).toEqual([150, 300, undefined]);
    const [first, second, third] = arrivals;
    expect(second! - first!).toBeGreaterThanOrEqual(140);
    expect(third! - second!).toBeGreaterThanOrEqual(290);
  });

  it('honours Retry-After in seconds over a shorter schedule', async () => {
    const times: number[] = [];
    const target = await server((_req, res) => {
      times.push(performance.now());
      if (times.length === 1) res.writeHead(429, { 'retry-after': '1' }).end();
      else res.end('ok');
    });
    const outcome = await deliver(prepareFor(target.url), policy([0, 10]), { dispatcher: dispatcher() });
    expect(outcome.delivered).toBe(true);
    expect(outcome.attempts[0]).toMatchObject({ status: 429, retryAfterMs: 1000, nextDelayMs: 1000, willRetry: true });
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(950);
  });

  it('honours Retry-After as an HTTP date, scaled by timeScale', async () => {
    const target = await server(statuses([503, 200], { 'retry-after': new Date(Date.now() + 60_000).toUTCString() }));
    const outcome = await deliver(prepareFor(target.url), policy([0, 10], { timeScale: 0.001 }), { dispatcher: dispatcher() });
    expect(outcome.delivered).toBe(true);
    const first = outcome.attempts[0]!;
    expect(first.retryAfterMs).toBeGreaterThan(55_000);
    expect(first.nextDelayMs).toBeGreaterThanOrEqual(55);
    expect(first.nextDelayMs).toBeLessThanOrEqual(61);
  });

  it('times out a silent receiver and retries', async () => {
    let calls = 0;
    const target = await server((_req, res) => {
      calls += 1;
      if (calls > 1) res.end('ok');
      // the first request is never answered
    });
    const outcome = await deliver(prepareFor(target.url), policy([0, 0], { timeoutMs: 200 }), { dispatcher: dispatcher() });
    expect(outcome.delivered).toBe(true);
    expect(outcome.attempts[0]).toMatchObject({ status: null, error: 'timed out after 200ms', willRetry: true });
    expect(outcome.attempts[0]!.ms).toBeGreaterThanOrEqual(190);
  });

  it('retries refused connections and names the error', async () => {
    const closed = await server(statuses([200]));
    const url = closed.url;
    await closed.close();
    const outcome = await deliver(prepareFor(url), policy([0, 1, 1]), { dispatcher: dispatcher() });
    expect(outcome.delivered).toBe(false);
    expect(outcome.attempts).toHaveLength(3);
    for (const attempt of outcome.attempts) expect(attempt.error).toMatch(/ECONNREFUSED/);
  });

  it('retries a connection dropped without an answer', async () => {
    let connections = 0;
    const net = createNetServer((socket) => {
      connections += 1;
      if (connections === 1) return socket.destroy();
      socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok'));
    });
    netServers.push(net);
    await new Promise<void>((resolve) => net.listen(0, '127.0.0.1', resolve));
    const { port } = net.address() as AddressInfo;
    const outcome = await deliver(prepareFor(`http://127.0.0.1:${port}/`), policy([0, 1]), { dispatcher: dispatcher() });
    expect(outcome.delivered).toBe(true);
    expect(outcome.attempts[0]!.status).toBeNull();
    expect(outcome.attempts[0]!.error).toBeTruthy();
  });

  it('stops waiting at once when aborted and marks the outcome interrupted', async () => {
    const target = await server(statuses([500]));
    const controller = new AbortController();
    const started = performance.now();
    const outcome = await deliver(prepareFor(target.url), policy([0, 60_000]), {
      dispatcher: dispatcher(),
      signal: controller.signal,
      onWait: () => controller.abort(),
    });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(outcome).toMatchObject({ delivered: false, interrupted: true, status: 500 });
    expect(outcome.attempts).toHaveLength(1);
  });

  it('aborts an attempt in flight', async () => {
    const target = await server(() => {
      /* never answers */
    });
    const controller = new AbortController();
    const pending = deliver(prepareFor(target.url), policy([0, 0], { timeoutMs: 10_000 }), { dispatcher: dispatcher(), signal: controller.signal });
    await target.waitForRequests(1);
    controller.abort();
    const outcome = await pending;
    expect(outcome.interrupted).toBe(true);
    expect(outcome.attempts).toEqual([expect.objectContaining({ status: null, error: 'interrupted', willRetry: false })]);
  });

  it('reuses kept-alive connections', async () => {
    const target = await server(statuses([200]));
    const sockets = new Set<unknown>();
    target.server.on('connection', (socket) => sockets.add(socket));
    const shared = dispatcher();
    for (let i = 0; i < 10; i++) await deliver(prepareFor(target.url), policy([0]), { dispatcher: shared });
    expect(target.requests).toHaveLength(10);
    // undici may open a second socket while the first is finishing its response; never one per request.
    expect(sockets.size).toBeLessThanOrEqual(2);
  });

  it("the dispatcher also serves undici's request API, for callers that use it directly", async () => {
    const target = await server(statuses([201]));
    const response = await dispatcher().request({ origin: target.url, path: '/direct', method: 'GET' });
    expect(response.statusCode).toBe(201);
    expect(await response.body.text()).toBe('ok');
  });
});
