/**
 * `--ack-first` with a capture folder: the durable outbox, through the listener's core
 * (startListener) with a real app and real files. Every acknowledged delivery is in the outbox
 * before its 2xx; a stop keeps what is not delivered; a restart resumes it on its due time with
 * the same Idempotency-Key; a forward that gives up is a dead letter, listed and requeued through
 * the QueueBackend (while the listener runs); routes keep their own state; an outbox entry whose
 * record is gone is a dead letter if it was acknowledged and dropped if not.
 */
import { appendFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OutboxBackend } from '../../src/outbox/backend.js';
import { OUTBOX_FILE } from '../../src/outbox/entry.js';
import { parseRoute } from '../../src/routes/route.js';
import { freePort } from '../helpers/free-port.js';
import { startServer, type Responder, type TestServer } from '../helpers/server.js';
import { cleanup, listen, onCleanup, post, tempDir } from './support.js';

afterEach(cleanup);

async function app(respond?: Responder, port?: number): Promise<TestServer> {
  const server = await startServer(respond, port);
  onCleanup(() => server.close());
  return server;
}

function event(id: string, type = 'invoice.paid'): string {
  return JSON.stringify({ id, type, data: { amount: 1200 } });
}

async function postAll(url: string, ids: string[], headers: Record<string, string> = {}, type?: string): Promise<void> {
  for (const id of ids) {
    const answer = await post(url, event(id, type), { 'content-type': 'application/json', ...headers });
    expect(answer.status, answer.text).toBe(200);
  }
}

function outboxLines(dir: string): Array<Record<string, unknown>> {
  return readFileSync(join(dir, OUTBOX_FILE), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('--ack-first with a capture folder: the outbox', () => {
  for (const files of [false, true]) {
    it(`${files ? '--capture-files' : 'journal'}: a stop keeps undelivered forwards; a restart resumes each on its due time, same Idempotency-Key, credentials left out`, async () => {
      const dir = tempDir();
      const port = await freePort();
      const forward = { url: `http://127.0.0.1:${port}/hooks`, ackFirst: true, retryScheduleMs: [0, 1_500, 1_500] };
      const ids = ['evt_o1', 'evt_o2', 'evt_o3', 'evt_o4'];
      const first = await listen({ captureDir: dir, captureFiles: files, forward });
      await postAll(first.url, ids, { authorization: 'Bearer sender-token' });
      // Every 2xx came after the outbox had the forward: the entries are on file now.
      const queued = outboxLines(dir).filter((line) => line.capture !== undefined);
      expect(queued.map((line) => line.event).sort()).toEqual(ids);
      // The first attempt failed (nothing listens): each is scheduled for its second, 1.5 s later.
      const backend = await OutboxBackend.open(dir);
      await expect.poll(async () => (await backend.status()).scheduled, { timeout: 5_000 }).toBe(ids.length);
      const status = await backend.status();
      expect(status).toMatchObject({ engine: 'outbox', pending: 0, dead: 0 });
      expect(status.nextRetries[0]).toMatchObject({ attempts: 1, lastError: expect.stringMatching(/ECONNREFUSED/) });
      const dueAt = Math.min(...status.nextRetries.map((retry) => Date.parse(retry.at)));

      const summary = await first.close();
      expect(summary).toMatchObject({ forwardsKept: ids.length, forwardFailed: 0, deadLetters: 0 });
      expect(first.forwards.every((forward) => forward.kept === true && forward.delivered === false)).toBe(true);

      const target = await app(undefined, port);
      const second = await listen({ captureDir: dir, captureFiles: files, forward });
      expect(second.outbox).toMatchObject({ resumed: ids.length, lost: 0, unacknowledged: 0, dead: 0 });
      const requests = await target.waitForRequests(ids.length);
      const forwards = await second.waitForForwards(ids.length);
      expect(forwards.every((forward) => forward.delivered && forward.attempts === 2)).toBe(true);
      // Resumed on schedule: not before the second attempt was due.
      expect(Date.now()).toBeGreaterThanOrEqual(dueAt);
      expect(requests.map((request) => request.headers['idempotency-key']).sort()).toEqual(ids);
      for (const request of requests) {
        expect(request.url).toBe('/hooks');
        expect(JSON.parse(request.body.toString()).id).toBe(request.headers['idempotency-key']);
        // The record holds a placeholder for the credential: it is left out, not passed on.
        expect(request.headers.authorization).toBeUndefined();
      }
      await second.close();
      // Everything delivered: the compacted outbox holds only the totals.
      const left = outboxLines(dir);
      expect(left).toHaveLength(1);
      expect(left[0]).toMatchObject({ totals: { delivered: ids.length, dead: 0 } });
    });
  }

  it('a forward that gives up is a dead letter: listed, requeued while the listener runs, then delivered; a refusal (410) dies at once', async () => {
    const dir = tempDir();
    let healthy = false;
    const target = await app((request, res) => {
      res.statusCode = JSON.parse(request.body.toString()).id === 'evt_gone' ? 410 : healthy ? 200 : 500;
      res.end(healthy ? 'ok' : 'not yet');
    });
    const listener = await listen({ captureDir: dir, forward: { url: `${target.url}/hooks`, ackFirst: true, retryScheduleMs: [0, 20, 20] } });
    await postAll(listener.url, ['evt_d1', 'evt_d2', 'evt_gone']);
    const forwards = await listener.waitForForwards(3);
    expect(forwards.every((forward) => forward.dead === true && !forward.delivered)).toBe(true);
    expect(forwards.find((forward) => forward.eventId === 'evt_gone')).toMatchObject({ attempts: 1, status: 410 });
    expect(forwards.find((forward) => forward.eventId === 'evt_d1')).toMatchObject({ attempts: 3, status: 500 });
    expect(listener.stats).toMatchObject({ deadLetters: 3, forwardFailed: 3 });

    const backend = await OutboxBackend.open(dir);
    const letters = await backend.deadLetters();
    expect(letters.map((letter) => [letter.eventId, letter.reason, letter.attempts]).sort()).toEqual([
      ['evt_d1', 'exhausted', 3],
      ['evt_d2', 'exhausted', 3],
      ['evt_gone', 'refused', 1],
    ]);
    expect(letters.find((letter) => letter.eventId === 'evt_d1')).toMatchObject({ status: 500, error: 'HTTP 500: not yet', route: `${target.url}/hooks`, target: `${target.url}/hooks` });
    for (const letter of letters) expect(letter.id).toMatch(/^\d+-\d+$/);

    healthy = true;
    const retry = letters.filter((letter) => letter.eventId !== 'evt_gone').map((letter) => letter.id);
    expect(await backend.requeue([...retry, '1-1'])).toBe(2);
    expect(backend.afterRequeue()).toMatch(/the listener running on the folder took them/);
    const again = await listener.waitForForwards(5);
    expect(again.slice(3).map((forward) => [forward.eventId, forward.delivered, forward.attempts]).sort()).toEqual([
      ['evt_d1', true, 1],
      ['evt_d2', true, 1],
    ]);
    // Deliveries reach the file in a batch shortly after (SETTLED_FLUSH_MS): status sees them then.
    await expect.poll(() => backend.status(), { timeout: 2_000 }).toMatchObject({ dead: 1, scheduled: 0, pending: 0, totals: { delivered: 2, dead: 3 } });
  });

  it('routes: a delivery goes to every route it matches, each with its own state in the outbox', async () => {
    const dir = tempDir();
    const billing = await app();
    const audit = await app((_request, res) => {
      res.statusCode = 503;
      res.end();
    });
    const routes = [parseRoute(`invoice.*=${billing.url}/billing`), parseRoute(`*=${audit.url}/audit`)];
    const listener = await listen({ captureDir: dir, forward: { routes, ackFirst: true, retryScheduleMs: [0, 20] } });
    await postAll(listener.url, ['evt_r1']);
    await postAll(listener.url, ['evt_r2'], {}, 'customer.created');
    const forwards = await listener.waitForForwards(3);
    expect(forwards.map((forward) => [forward.eventId, forward.route, forward.delivered]).sort()).toEqual([
      ['evt_r1', `*=${audit.url}/audit`, false],
      ['evt_r1', `invoice.*=${billing.url}/billing`, true],
      ['evt_r2', `*=${audit.url}/audit`, false],
    ]);
    expect(billing.requests.map((request) => request.headers['idempotency-key'])).toEqual(['evt_r1']);
    expect(audit.requests).toHaveLength(4);
    const letters = await (await OutboxBackend.open(dir)).deadLetters();
    expect(letters.map((letter) => [letter.eventId, letter.route]).sort()).toEqual([
      ['evt_r1', `*=${audit.url}/audit`],
      ['evt_r2', `*=${audit.url}/audit`],
    ]);
  });

  it('at start: an entry whose record is gone is a dead letter if it was acknowledged, dropped if not; entries for other routes wait', async () => {
    const dir = tempDir();
    const port = await freePort();
    const forward = { url: `http://127.0.0.1:${port}/`, ackFirst: true, retryScheduleMs: [0, 60_000] };
    const first = await listen({ captureDir: dir, forward });
    await postAll(first.url, ['evt_l1', 'evt_l2']);
    await first.close();
    // The journal is removed by hand; an entry is written as by a listener killed before its 2xx
    // (no record, no ledger entry); and one for a route this listener does not have.
    rmSync(join(dir, 'deliveries.ndjson'));
    const now = Date.now();
    appendFileSync(join(dir, OUTBOX_FILE), `${JSON.stringify({ id: `${now}-7`, capture: '20260101T000000000Z-000001', event: 'evt_never', type: null, route: forward.url, target: forward.url, state: 'pending', attempts: 0, due: now, at: now })}\n`);
    appendFileSync(join(dir, OUTBOX_FILE), `${JSON.stringify({ id: `${now}-8`, capture: '20260101T000000000Z-000002', event: 'evt_other', type: null, route: 'http://127.0.0.1:9/elsewhere', target: 'http://127.0.0.1:9/elsewhere', state: 'pending', attempts: 0, due: now, at: now })}\n`);
    const second = await listen({ captureDir: dir, forward });
    expect(second.outbox).toMatchObject({ resumed: 0, lost: 2, unacknowledged: 1, otherRoutes: 1, dead: 2 });
    const backend = await OutboxBackend.open(dir);
    const letters = await backend.deadLetters();
    expect(letters.map((letter) => [letter.eventId, letter.reason])).toEqual([
      ['evt_l1', 'lost'],
      ['evt_l2', 'lost'],
    ]);
    expect(letters[0]!.error).toMatch(/no longer in/);
    expect((await backend.status()).pending).toBe(1);
    await second.close();
    // The dropped entry is gone after the compaction at close; the other route's waits.
    const left = outboxLines(dir);
    expect(left.some((line) => line.event === 'evt_never')).toBe(false);
    expect(left.find((line) => line.event === 'evt_other')).toMatchObject({ state: 'pending' });
  });

  it('a requeue asked for while no listener runs is applied by the next one first', async () => {
    const dir = tempDir();
    const target = await app((_request, res) => {
      res.statusCode = 500;
      res.end();
    });
    const forward = { url: target.url, ackFirst: true, retryScheduleMs: [0] };
    const first = await listen({ captureDir: dir, forward });
    await postAll(first.url, ['evt_q1']);
    await first.waitForForwards(1);
    await first.close();
    const backend = await OutboxBackend.open(dir);
    const [letter] = await backend.deadLetters();
    // Nobody takes it within the wait: the request stays for the next start.
    expect(await backend.requeue('all')).toBe(1);
    expect(backend.afterRequeue()).toMatch(/no listener .* took them yet/);
    expect(await backend.status()).toMatchObject({ dead: 1, requeueWaiting: 1 });
    const fixed = await app();
    const second = await listen({ captureDir: dir, forward: { ...forward, url: fixed.url } });
    // A route renamed (the app moved): the requeued letter waits for a run with its route.
    expect(second.outbox).toMatchObject({ requeued: 1, otherRoutes: 1, resumed: 0 });
    await second.close();
    // Back on its own route, it is forwarded (to the fixed app, which listens on its old URL now).
    await target.close();
    const moved = await app(undefined, target.port);
    const third = await listen({ captureDir: dir, forward });
    expect(third.outbox).toMatchObject({ resumed: 1 });
    await moved.waitForRequests(1);
    expect(moved.requests[0]!.headers['idempotency-key']).toBe('evt_q1');
    expect(letter!.eventId).toBe('evt_q1');
  });
});
