/**
 * `hookctl worker` against a real redis-server and a real test app: forwarding and acknowledging,
 * retries held in the sorted set, Retry-After, dead letters and requeue, malformed entries,
 * routing with per-route state, the drain on SIGTERM, and usage errors. Each test uses its own
 * stream, so tests share the suite's Redis without seeing each other's entries.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { RedisQueueBackend } from '../../src/queue/status.js';
import { runCli } from '../helpers/cli.js';
import { describeWithRedis } from '../helpers/redis-server.js';
import { deliveryRecord, queueTestKit, SECRET } from './support.js';

describeWithRedis('hookctl worker', (redis) => {
  const { app, freshQueue, worker: startWorker } = queueTestKit(redis);

  async function status(url: string): Promise<Record<string, unknown>> {
    const result = await runCli(['queue', 'status', url, '--json']);
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as Record<string, unknown>;
  }

  it('forwards each delivery with its headers and body, adds Idempotency-Key, acknowledges, and reports', async () => {
    const target = await app();
    const { url, queue, add } = await freshQueue();
    const records = [deliveryRecord(), deliveryRecord(), deliveryRecord({ eventType: 'charge.refunded' })];
    await add(...records);
    const worker = await startWorker(url, ['--forward-to', `${target.url}/hooks`]);
    const requests = await target.waitForRequests(3);
    for (const record of records) {
      const request = requests.find((candidate) => candidate.headers['idempotency-key'] === record.eventId);
      expect(request, record.eventId!).toBeDefined();
      expect(request!.url).toBe('/hooks');
      expect(request!.body.toString()).toBe(record.body);
      // Original headers kept byte for byte, hop-by-hop ones dropped.
      expect(request!.headers['x-hub-signature-256']).toBe(record.headers['x-hub-signature-256']);
      expect(request!.headers['x-github-delivery']).toBe(record.eventId);
      expect(request!.headers.host).toBe(`127.0.0.1:${target.port}`);
    }
    const results = await Promise.all(records.map((record) => worker.waitForRecord((r) => r.type === 'result' && r.eventId === record.eventId)));
    expect(results.every((result) => result.delivered === true && result.attempts === 1)).toBe(true);
    await expect.poll(async () => ((await queue.connection.command(['XPENDING', queue.keys.stream, queue.address.group])) as unknown[])[0]).toBe(0);
    expect(await status(url)).toMatchObject({ type: 'status', pending: 0, inFlight: 0, scheduled: 0, dead: 0, totals: { delivered: 3 } });
    expect(await worker.stop('SIGINT')).toEqual({ code: 0, signal: null });
    expect(worker.records().at(-1)).toMatchObject({ type: 'summary', delivered: 3, attempts: 3, retried: 0, dead: 0, abandoned: 0 });
    expect(worker.records().every((record) => typeof record.type === 'string')).toBe(true);
  });

  it('holds a failed forward in the retries sorted set until due, re-signed with a fresh signature each attempt', async () => {
    const seen = new Map<string, number>();
    const target = await app((request, res) => {
      const id = String(request.headers['idempotency-key']);
      seen.set(id, (seen.get(id) ?? 0) + 1);
      res.statusCode = seen.get(id)! < 3 ? 503 : 200;
      res.end();
    });
    const { url, queue, add } = await freshQueue();
    const record = deliveryRecord();
    await add(record);
    const dir = mkdtempSync(join(tmpdir(), 'hookctl-worker-'));
    writeFileSync(join(dir, 'secret'), 'app-secret\n');
    try {
      const worker = await startWorker(url, ['--forward-to', target.url, '--retry-schedule', '0,700ms,100ms', '--forward-secret-file', join(dir, 'secret')]);
      const first = await worker.waitForRecord((r) => r.type === 'attempt' && r.attempt === 1);
      expect(first).toMatchObject({ status: 503, willRetry: true, of: 3 });
      // Between attempts the retry waits in the sorted set; the entry itself is acknowledged.
      // Read in-process: the retry is due in 700 ms, sooner than a CLI would start.
      const backend = new RedisQueueBackend(queue.connection, queue.keys, async () => {});
      await expect.poll(async () => backend.status(), { timeout: 600, interval: 20 }).toMatchObject({ scheduled: 1, inFlight: 0, pending: 0 });
      const waiting = await backend.status();
      expect(waiting.nextRetries[0]).toMatchObject({ eventId: record.eventId, attempts: 1, lastError: 'HTTP 503' });
      expect(await queue.connection.command(['ZCARD', queue.keys.retries])).toBe(1);
      const result = await worker.waitForRecord((r) => r.type === 'result');
      expect(result).toMatchObject({ delivered: true, attempts: 3, eventId: record.eventId, origin: first.entryId });
      const requests = target.requests;
      expect(requests).toHaveLength(3);
      const body = Buffer.from(record.body);
      for (const request of requests) {
        expect(request.headers['x-hub-signature-256']).toBe(`sha256=${createHmac('sha256', 'app-secret').update(body).digest('hex')}`);
        expect(request.headers['idempotency-key']).toBe(record.eventId);
      }
      expect(record.headers['x-hub-signature-256']).toBe(`sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`);
      expect(await status(url)).toMatchObject({ scheduled: 0, dead: 0, totals: { delivered: 1, retried: 2 } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("honours the app's Retry-After over a shorter scheduled wait", async () => {
    const arrivals: number[] = [];
    const target = await app((_request, res) => {
      arrivals.push(Date.now());
      if (arrivals.length === 1) {
        res.statusCode = 429;
        res.setHeader('retry-after', '1');
      }
      res.end();
    });
    const { url, add } = await freshQueue();
    await add(deliveryRecord());
    const worker = await startWorker(url, ['--forward-to', target.url, '--retry-schedule', '0,10ms']);
    const first = await worker.waitForRecord((r) => r.type === 'attempt' && r.attempt === 1);
    expect(first).toMatchObject({ status: 429, willRetry: true, retryAfterMs: 1000 });
    expect(await worker.waitForRecord((r) => r.type === 'result')).toMatchObject({ delivered: true, attempts: 2 });
    // Due a second after the first answer, not 10 ms.
    expect(arrivals[1]! - arrivals[0]!).toBeGreaterThanOrEqual(950);
  });

  it('a forward that exhausts its schedule is a dead letter with its last error; requeue sends it again', async () => {
    let healthy = false;
    const target = await app((request, res) => {
      if (request.url === '/refuse') {
        res.statusCode = 400;
        return void res.end('{"error":"bad payload"}');
      }
      res.statusCode = healthy ? 200 : 500;
      res.end(healthy ? 'ok' : 'database down');
    });
    const { url, add } = await freshQueue();
    const exhausted = deliveryRecord({ eventType: 'invoice.paid' });
    const refused = deliveryRecord({ eventType: 'refuse.me' });
    await add(exhausted, refused);
    const worker = await startWorker(url, ['--route', `invoice.*=${target.url}/`, '--route', `refuse.*=${target.url}/refuse`, '--retry-schedule', '0,50ms']);
    const deaths = await Promise.all([exhausted, refused].map((record) => worker.waitForRecord((r) => r.type === 'result' && r.eventId === record.eventId)));
    expect(deaths[0]).toMatchObject({ delivered: false, attempts: 2, status: 500, dead: 'exhausted', error: 'HTTP 500: database down' });
    // A 4xx other than 408/429 is final at once.
    expect(deaths[1]).toMatchObject({ delivered: false, attempts: 1, status: 400, dead: 'refused' });

    const listed = await runCli(['queue', 'dead', url, '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    const letters = listed.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const dead = letters.filter((letter) => letter.type === 'dead');
    expect(dead).toHaveLength(2);
    const exhaustedLetter = dead.find((letter) => letter.eventId === exhausted.eventId)!;
    expect(exhaustedLetter).toMatchObject({ eventType: 'invoice.paid', reason: 'exhausted', error: 'HTTP 500: database down', status: 500, attempts: 2, route: `invoice.*=${target.url}/`, target: `${target.url}/` });
    expect(dead.find((letter) => letter.eventId === refused.eventId)).toMatchObject({ reason: 'refused', status: 400, attempts: 1, error: 'HTTP 400: {"error":"bad payload"}' });
    expect(letters.at(-1)).toEqual({ type: 'summary', dead: 2, shown: 2 });
    const human = await runCli(['queue', 'dead', url]);
    expect(human.stdout).toMatch(/exhausted: HTTP 500: database down/);

    healthy = true;
    const before = target.requests.length;
    const deadId = String(exhaustedLetter.id);
    const requeued = await runCli(['queue', 'requeue', url, deadId, '--json']);
    expect(requeued.code, requeued.stderr).toBe(0);
    expect(JSON.parse(requeued.stdout)).toEqual({ type: 'requeued', count: 1, requested: 1 });
    const redelivered = await worker.waitForRecord((r) => r.type === 'result' && r.eventId === exhausted.eventId && r.delivered === true);
    // A fresh schedule on the same route; only that route gets it again.
    expect(redelivered).toMatchObject({ attempts: 1, route: `invoice.*=${target.url}/` });
    expect(target.requests.length).toBe(before + 1);
    expect(await status(url)).toMatchObject({ dead: 1, totals: { delivered: 1, dead: 2 } });
    const again = await runCli(['queue', 'requeue', url, deadId]);
    expect(again.stderr).toMatch(/1 of the ids given are not dead letters/);
    // Dead letters this run: exit 1, and the last words say where to find them.
    expect(await worker.stop('SIGINT')).toEqual({ code: 1, signal: null });
    expect(worker.stderrLines.join('\n')).toMatch(/hookctl queue dead/);
  });

  it("a refused forward carries the app's answer and the raw-body hint; redacted headers are left out; a Twilio delivery it cannot re-sign is said once", async () => {
    const target = await app((request, res) => {
      res.statusCode = 400;
      res.setHeader('x-powered-by', 'Express');
      res.end('Webhook Error: No signatures found matching the expected signature for payload');
    });
    const { url, add } = await freshQueue();
    const record = deliveryRecord({ eventType: 'refused.type' });
    record.headers.authorization = '[redacted: credential; --keep-header to keep]';
    const twilio = deliveryRecord({ scheme: 'twilio', eventType: 'twilio.sms' });
    await add(record, twilio, deliveryRecord({ scheme: 'twilio', eventType: 'twilio.sms' }));
    // The app's URL carries a password: the warning names the URL without it.
    const worker = await startWorker(url, ['--forward-to', target.url.replace('http://', 'http://app:hunter2@'), '--retry-schedule', '0']);
    const result = await worker.waitForRecord<{ app: { status: number; headers: Record<string, string>; body: string }; hint: string }>((r) => r.type === 'result' && r.eventId === record.eventId);
    expect(result).toMatchObject({ delivered: false, dead: 'refused', status: 400 });
    expect(result.app).toMatchObject({ status: 400, headers: { 'x-powered-by': 'Express' }, body: expect.stringMatching(/No signatures found/) });
    // Compact JSON re-serializes to the same bytes: a parsed body cannot explain it, a different secret can.
    expect(result.hint).toMatch(/hookctl verified these exact bytes with the listener's secret, and parsing and serializing this body again gives the same bytes, so your app holds a different secret/);
    const attempt = worker.records().find((r) => r.type === 'attempt' && r.eventId === record.eventId);
    expect(attempt).toMatchObject({ app: { status: 400 }, hint: expect.any(String) });
    const requests = await target.waitForRequests(3);
    // The stored placeholder is not passed on; the target URL's own credentials go as Basic auth.
    expect(requests.find((r) => r.headers['idempotency-key'] === record.eventId)!.headers.authorization).toBe(`Basic ${Buffer.from('app:hunter2').toString('base64')}`);
    await worker.waitForLine((line) => /Twilio signs the URL it posts to/.test(line), { stream: 'stderr' });
    await worker.stop('SIGINT');
    expect(worker.stderrLines.filter((line) => /Twilio signs the URL/.test(line))).toHaveLength(1);
    expect(worker.stderrLines.find((line) => /Twilio signs the URL/.test(line))).toContain('http://app:***@127.0.0.1');
    expect(worker.stderrLines.join('\n')).not.toContain('hunter2');
  });

  it('a malformed stream entry becomes a dead letter with the reason; the worker carries on', async () => {
    const target = await app();
    const { url, queue, add } = await freshQueue();
    await queue.connection.command(['XADD', queue.keys.stream, '*', 'record', '{"format":"hookctl.delivery.v1","body":42}']);
    await queue.connection.command(['XADD', queue.keys.stream, '*', 'payload', 'something else']);
    const good = deliveryRecord();
    await add(good);
    const worker = await startWorker(url, ['--forward-to', target.url]);
    await worker.waitForRecord((r) => r.type === 'result' && r.eventId === good.eventId && r.delivered === true);
    const malformed = () => worker.records().filter((record) => record.type === 'result' && record.dead === 'malformed');
    await expect.poll(() => malformed().length).toBe(2);
    expect(malformed().map((r) => r.error).sort()).toEqual(['"body" must be a string, not a number', 'no "record" field (fields: payload)']);
    const listed = await runCli(['queue', 'dead', url, '--json']);
    const reasons = listed.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>).filter((r) => r.type === 'dead').map((r) => r.reason);
    expect(reasons).toEqual(['malformed', 'malformed']);
    expect(await status(url)).toMatchObject({ dead: 2, inFlight: 0, totals: { malformed: 2, delivered: 1 } });
  });

  it('routes fan out: each matching route is forwarded to, with its own state; a delivery no route matches is acknowledged', async () => {
    const target = await app((request, res) => {
      res.statusCode = request.url === '/audit' ? 503 : 200;
      res.end();
    });
    const { url, queue, add } = await freshQueue();
    const payment = deliveryRecord({ eventType: 'payment_intent.succeeded' });
    const push = deliveryRecord({ eventType: 'push', path: '/github/acme' });
    const other = deliveryRecord({ eventType: 'customer.created' });
    await add(payment, push, other);
    const worker = await startWorker(url, ['--route', `payment_intent.*=${target.url}/pay`, '--route', `payment_intent.*,push=${target.url}/audit`, '--route', `path:/github/*=${target.url}/gh`, '--retry-schedule', '0,5s']);
    const unrouted = await worker.waitForRecord((r) => r.type === 'unrouted');
    expect(unrouted).toMatchObject({ eventId: other.eventId, eventType: 'customer.created' });
    await worker.waitForRecord((r) => r.type === 'result' && r.eventId === push.eventId && r.route === `path:/github/*=${target.url}/gh`);
    await worker.waitForRecord((r) => r.type === 'result' && r.eventId === payment.eventId && r.route === `payment_intent.*=${target.url}/pay`);
    const byPath = (path: string) => target.requests.filter((request) => request.url === path).map((request) => request.headers['idempotency-key']);
    await expect.poll(() => byPath('/audit').sort()).toEqual([payment.eventId, push.eventId].sort());
    expect(byPath('/pay')).toEqual([payment.eventId]);
    expect(byPath('/gh')).toEqual([push.eventId]);
    // The failing route's two retries wait in the sorted set; the delivered routes are done and every entry is acknowledged.
    const waiting = await status(url);
    expect(waiting).toMatchObject({ scheduled: 2, inFlight: 0, pending: 0, totals: { delivered: 2, retried: 2, unrouted: 1 } });
    expect((waiting.nextRetries as Array<{ route: string }>).map((retry) => retry.route)).toEqual([`payment_intent.*,push=${target.url}/audit`, `payment_intent.*,push=${target.url}/audit`]);
    expect(((await queue.connection.command(['XPENDING', queue.keys.stream, queue.address.group])) as unknown[])[0]).toBe(0);
  });

  it('SIGTERM drains: a forward in flight finishes and is acknowledged before the worker exits', async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const target = await app(async (_request, res) => {
      await held;
      res.end('ok');
    });
    const { url, queue, add } = await freshQueue();
    await add(deliveryRecord());
    const worker = await startWorker(url, ['--forward-to', target.url]);
    await target.waitForRequests(1);
    worker.child.kill('SIGTERM');
    await worker.waitForLine((line) => line.includes('stopping: finishing forwards in flight'), { stream: 'stderr' });
    release();
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    expect(worker.records().at(-1)).toMatchObject({ type: 'summary', delivered: 1, abandoned: 0 });
    expect(((await queue.connection.command(['XPENDING', queue.keys.stream, queue.address.group])) as unknown[])[0]).toBe(0);
  });

  it('usage errors: no target, a bad route, a bad URL — one line, exit 2, before touching Redis', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['worker', redis().url], /^hookctl: --forward-to: where should deliveries go\?/],
      [['worker', redis().url, '--route', 'payment_intent.*'], /^hookctl: --route: "payment_intent\.\*" is not FILTER=URL/],
      [['worker', 'http://u:hunter2@127.0.0.1:1', '--forward-to', 'http://127.0.0.1:1/'], /^hookctl: <redis-url>: expected a redis:\/\/ or rediss:\/\/ URL, got "http:\/\/u:\*\*\*@127\.0\.0\.1:1"$/],
      [['worker', redis().url, '--forward-to', 'http://127.0.0.1:1/', '--concurrency', '0'], /^hookctl: --concurrency/],
      [['queue', 'requeue', redis().url], /^hookctl: requeue: which dead letters\?/],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(args)));
    for (const [index, [args, message]] of cases.entries()) {
      const result = results[index]!;
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(result.stderr.trim()).toMatch(message);
      expect(result.stderr).not.toContain('hunter2');
    }
  });
});
