import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { records, startVerifyingReceiver, type VerifyingReceiver } from './receiver.js';

let target: VerifyingReceiver | undefined;
afterEach(async () => {
  await target?.close();
  target = undefined;
});

describe('hookctl send --count: load mode', () => {
  it('sends N distinct, verified events and ends with the summary record', async () => {
    target = await startVerifyingReceiver('stripe', 'whsec_load');
    const result = await runCli(['send', target.url, '--scheme', 'stripe', '--secret', 'whsec_load', '--count', '300', '--concurrency', '20', '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const judged = await target.waitFor(300);
    expect(judged).toHaveLength(300);
    expect(judged.every((j) => j.verified)).toBe(true);
    expect(new Set(judged.map((j) => j.eventId)).size).toBe(300);

    const out = records(result.stdout);
    expect(out.filter((r) => r.type === 'attempt')).toHaveLength(300);
    const results = out.filter((r) => r.type === 'result');
    expect(results).toHaveLength(300);
    expect(new Set(results.map((r) => r.eventId))).toEqual(new Set(judged.map((j) => j.eventId)));
    const summary = out.at(-1)!;
    expect(summary).toMatchObject({ type: 'summary', sent: 300, delivered: 300, failed: 0, statuses: { '200': 300 } });
    expect(summary.rps).toBeGreaterThan(0);
    const latency = summary.latencyMs as Record<string, number>;
    expect(Object.keys(latency).sort()).toEqual(['max', 'p50', 'p90', 'p99']);
    expect(latency.p50).toBeGreaterThan(0);
    expect(latency.p50).toBeLessThanOrEqual(latency.p90!);
    expect(latency.p90).toBeLessThanOrEqual(latency.p99!);
    expect(latency.p99).toBeLessThanOrEqual(latency.max!);
  });

  it('counts failures and retries per event; exit 1 when any event gave up', async () => {
    // Every third request fails: with one retry most events get through, some do not.
    target = await startVerifyingReceiver('standard', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', (n) => ({ status: n % 3 === 0 ? 503 : 200 }));
    const result = await runCli(['send', target.url, '--secret', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', '--count', '60', '--concurrency', '1', '--retry-schedule', '0,0', '--json']);
    const summary = records(result.stdout).at(-1)!;
    expect(summary.type).toBe('summary');
    expect(summary.sent).toBe(60);
    expect((summary.delivered as number) + (summary.failed as number)).toBe(60);
    expect(summary.attempts).toBe(target.judged.length);
    expect((summary.statuses as Record<string, number>)['503']).toBe(target.judged.filter((_, i) => (i + 1) % 3 === 0).length);
    expect(result.code).toBe(summary.failed === 0 ? 0 : 1);
  });

  it('an event waiting to retry holds no slot: new events go out meanwhile', async () => {
    target = await startVerifyingReceiver('standard', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', (n) => ({ status: n === 1 ? 503 : 200 }));
    const result = await runCli(['send', target.url, '--secret', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', '--count', '5', '--concurrency', '1', '--retry-schedule', '0,1500ms', '--json']);
    expect(result.code).toBe(0);
    const ids = (await target.waitFor(6)).map((j) => j.eventId);
    // The first event fails, the other four are delivered during its 1.5s wait, then it is retried.
    expect(ids[5]).toBe(ids[0]);
    expect(new Set(ids.slice(0, 5)).size).toBe(5);
    expect(records(result.stdout).at(-1)).toMatchObject({ type: 'summary', sent: 5, delivered: 5, attempts: 6 });
  });

  it('--rate caps how fast events start', async () => {
    target = await startVerifyingReceiver('github', 'rate-secret');
    const result = await runCli(['send', target.url, '--scheme', 'github', '--secret', 'rate-secret', '--count', '6', '--concurrency', '1', '--rate', '5']);
    expect(result.code).toBe(0);
    const judged = await target.waitFor(6);
    expect(judged.every((j) => j.verified)).toBe(true);
    // At 5/s event 1 is due at 200ms and event 5 at 1000ms; the first has the connection set up, so
    // measure from the second. Unpaced, the six would arrive within a few milliseconds.
    expect(judged[5]!.at - judged[1]!.at).toBeGreaterThanOrEqual(650);
    expect(result.stdout).toMatch(/6 delivered/);
    expect(result.stdout).toMatch(/latency {2}p50 /);
  });
});
