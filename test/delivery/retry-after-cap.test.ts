/**
 * Retry-After has an upper bound. `Retry-After: 86400` once parked `send` for a day, and a value
 * past 2^31 ms made Node clamp the timer to 1 ms so every retry fired at once. The cap is a policy
 * field (--max-retry-after, default 10m), shown on the attempt; waits never overflow a timer; and
 * an event waiting to retry holds no concurrency slot.
 */
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { Dispatcher } from 'undici';
import { abortableWait, createDispatcher, DEFAULT_MAX_RETRY_AFTER_MS, deliver, MAX_TIMER_MS, parseRetryAfter, retryPolicyFromFlags, type AttemptLimiter } from '../../src/delivery/index.js';
import { runCli } from '../helpers/cli.js';
import { startServer, type ReceivedRequest, type TestServer } from '../helpers/server.js';

const servers: TestServer[] = [];
const dispatchers: Dispatcher[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  await Promise.all(dispatchers.splice(0).map((dispatcher) => dispatcher.close()));
});

/** First answer 503 with this Retry-After, then 200; records when each request arrived. */
async function asksToWait(retryAfter: string): Promise<TestServer & { arrivals: number[] }> {
  const arrivals: number[] = [];
  const server = await startServer((_req: ReceivedRequest, res: ServerResponse) => {
    arrivals.push(performance.now());
    if (arrivals.length === 1) res.writeHead(503, { 'retry-after': retryAfter }).end('{"error":"later"}');
    else res.end('ok');
  });
  servers.push(server);
  return Object.assign(server, { arrivals });
}

describe('Retry-After cap', () => {
  it('send: a receiver asking for a day is retried after --max-retry-after', async () => {
    const server = await asksToWait('86400');
    const started = performance.now();
    const result = await runCli(['send', server.url, '--data', '{}', '--scheme', 'github', '--secret', 's', '--retry-schedule', '0,10ms', '--max-retry-after', '300ms'], { timeoutMs: 15_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(server.arrivals).toHaveLength(2);
    expect(server.arrivals[1]! - server.arrivals[0]!).toBeGreaterThanOrEqual(290);
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('send: a Retry-After past 2^31 ms waits the (scaled) default cap instead of firing at once', async () => {
    const server = await asksToWait('99999999999');
    // The cap, 10 minutes, scaled by 0.001 is 600 ms; the ask scaled (10^11 ms) overflowed the timer.
    const result = await runCli(['send', server.url, '--data', '{}', '--scheme', 'github', '--secret', 's', '--retry-schedule', '0,1ms', '--time-scale', '0.001'], { timeoutMs: 15_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/TimeoutOverflowWarning/);
    expect(server.arrivals).toHaveLength(2);
    expect(server.arrivals[1]! - server.arrivals[0]!).toBeGreaterThanOrEqual(590);
  });

  it('the attempt carries the cap it was cut to; the policy takes --max-retry-after (0: Retry-After is ignored)', async () => {
    expect(retryPolicyFromFlags({}).maxRetryAfterMs).toBe(DEFAULT_MAX_RETRY_AFTER_MS);
    expect(DEFAULT_MAX_RETRY_AFTER_MS).toBe(600_000);
    expect(retryPolicyFromFlags({ maxRetryAfter: '2s' }).maxRetryAfterMs).toBe(2000);
    expect(parseRetryAfter('9'.repeat(400))).toBe(Number.MAX_SAFE_INTEGER);
    const server = await asksToWait('86400');
    const dispatcher = createDispatcher();
    dispatchers.push(dispatcher);
    const prepare = () => ({ url: server.url, headers: {}, body: Buffer.from('{}') });
    const outcome = await deliver(prepare, { delaysMs: [0, 5], timeoutMs: 2000, timeScale: 0.001 }, { dispatcher });
    expect(outcome.delivered).toBe(true);
    expect(outcome.attempts[0]).toMatchObject({ status: 503, retryAfterMs: 86_400_000, retryAfterCappedMs: DEFAULT_MAX_RETRY_AFTER_MS, nextDelayMs: 600, willRetry: true });
    const ignoring = await asksToWait('86400');
    const again = await deliver(() => ({ url: ignoring.url, headers: {}, body: Buffer.from('{}') }), { delaysMs: [0, 5], timeoutMs: 2000, timeScale: 1, maxRetryAfterMs: 0 }, { dispatcher });
    expect(again.attempts[0]).toMatchObject({ retryAfterCappedMs: 0, nextDelayMs: 5 });
  });

  it('a wait longer than a Node timer takes does not fire early', async () => {
    const controller = new AbortController();
    let settled: boolean | undefined;
    const waiting = abortableWait(MAX_TIMER_MS + 60_000, controller.signal).then((value) => (settled = value));
    // What must not happen is the wait ending at once: Node clamps a delay past 2^31-1 ms to 1 ms.
    // Timers due together fire in the order they were armed, so once a 1 ms timer armed after the
    // wait's has fired, a clamped wait would have settled; waiting longer would prove nothing more.
    await new Promise((resolve) => setTimeout(resolve, 1));
    expect(settled).toBeUndefined();
    controller.abort();
    await waiting;
    expect(settled).toBe(false);
  });

  it('an event waiting to retry holds no concurrency slot: another event goes ahead meanwhile', async () => {
    const server = await asksToWait('1');
    const dispatcher = createDispatcher();
    dispatchers.push(dispatcher);
    // One slot for two events: the first is told to come back in 1 s, the second must not wait for that.
    let free = 1;
    const waiting: Array<() => void> = [];
    const limiter: AttemptLimiter = {
      acquire: () => (free > 0 ? void free-- : new Promise<void>((resolve) => waiting.push(resolve))),
      release: () => (waiting.length > 0 ? waiting.shift()!() : void free++),
    };
    const prepare = (id: string) => () => ({ url: `${server.url}?${id}`, headers: {}, body: Buffer.from('{}') });
    const policy = { delaysMs: [0, 10], timeoutMs: 2000, timeScale: 1 };
    const first = deliver(prepare('first'), policy, { dispatcher, limiter });
    await server.waitForRequests(1);
    const second = await deliver(prepare('second'), policy, { dispatcher, limiter });
    expect(second.delivered).toBe(true);
    expect(server.requests.map((r) => r.url)).toEqual(['/?first', '/?second']);
    expect((await first).delivered).toBe(true);
    expect(server.requests.map((r) => r.url)).toEqual(['/?first', '/?second', '/?first']);
  });
});
