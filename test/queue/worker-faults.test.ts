/**
 * Workers when things break: a worker SIGKILLed mid-delivery (another takes its entry over after
 * --claim-idle, while a live worker's slow delivery is never taken), Redis unreachable at start,
 * and Redis killed mid-run and restarted (workers reconnect by themselves). The suite's Redis
 * keeps an append-only file, so a restart keeps the stream, as a production Redis would.
 */
import { expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { freePort } from '../helpers/free-port.js';
import { describeWithRedis } from '../helpers/redis-server.js';
import { deliveryRecord, queueTestKit } from './support.js';

describeWithRedis(
  'hookctl worker under faults',
  (redis) => {
    const { app, freshQueue, worker: startWorker } = queueTestKit(redis);

    it("a worker SIGKILLed mid-delivery: another takes its entry over after --claim-idle; a live worker's slow one is never taken", async () => {
      const stuck = deliveryRecord({ eventType: 'stuck' });
      const slow = deliveryRecord({ eventType: 'slow' });
      let answerStuck = false;
      const target = await app(async (request, res) => {
        const type = JSON.parse(request.body.toString()).type as string;
        // The dead worker's try never gets an answer; a live worker's slow one takes 4 claim-idle periods.
        if (type === 'stuck' && !answerStuck) return;
        if (type === 'slow') await new Promise((resolve) => setTimeout(resolve, 2_400));
        res.end('ok');
      });
      const { url, queue, add } = await freshQueue();
      const flags = ['--forward-to', target.url, '--claim-idle', '600ms', '--timeout', '30s'];
      // One in flight at most: the doomed worker holds the stuck delivery and cannot take the slow one.
      const doomed = await startWorker(url, [...flags, '--consumer', 'doomed', '--concurrency', '1']);
      const [stuckId] = await add(stuck);
      await target.waitForRequests(1);
      const survivors = await Promise.all(['a', 'b'].map((name) => startWorker(url, [...flags, '--consumer', name])));
      await add(slow);
      await target.waitForRequests(2);
      await doomed.stop('SIGKILL');
      answerStuck = true;

      const rescued = await Promise.race(survivors.map((worker) => worker.waitForRecord((record) => record.type === 'result' && record.eventId === stuck.eventId, 10_000)));
      expect(rescued).toMatchObject({ delivered: true, entryId: stuckId });
      const reclaims = survivors.flatMap((worker) => worker.records().filter((record) => record.type === 'reclaimed'));
      expect(reclaims.flatMap((record) => record.entryIds as string[])).toEqual([stuckId]);
      await Promise.race(survivors.map((worker) => worker.waitForRecord((record) => record.type === 'result' && record.eventId === slow.eventId, 10_000)));

      // The stuck delivery reached the app twice (at least once, with the same Idempotency-Key); the slow one once.
      const keys = target.requests.map((request) => request.headers['idempotency-key']);
      expect(keys.filter((key) => key === stuck.eventId)).toHaveLength(2);
      expect(keys.filter((key) => key === slow.eventId)).toHaveLength(1);
      expect(((await queue.connection.command(['XPENDING', queue.keys.stream, queue.address.group])) as unknown[])[0]).toBe(0);
    });

    it('Redis unreachable at start: one clear line, exit 2, the URL shown without its password', async () => {
      const port = await freePort();
      const [worker, status] = await Promise.all([
        runCli(['worker', `redis://app:hunter2@127.0.0.1:${port}/2`, '--forward-to', 'http://127.0.0.1:1/']),
        runCli(['queue', 'status', `redis://:hunter2@127.0.0.1:${port}`]),
      ]);
      expect(worker.code).toBe(2);
      expect(worker.stderr).toBe(`hookctl: cannot reach Redis at redis://app:***@127.0.0.1:${port}/2: connection refused (ECONNREFUSED)\n`);
      expect(status.code).toBe(2);
      expect(status.stderr).toBe(`hookctl: cannot reach Redis at redis://***@127.0.0.1:${port}/0: connection refused (ECONNREFUSED)\n`);
      expect(`${worker.stdout}${status.stdout}`).toBe('');
    });

    it('Redis killed mid-run and restarted: the workers reconnect by themselves and carry on', async () => {
      const target = await app();
      const { url, add } = await freshQueue();
      const workers = await Promise.all(['w1', 'w2'].map((name) => startWorker(url, ['--forward-to', target.url, '--consumer', name])));
      const before = deliveryRecord();
      await add(before);
      await target.waitForRequests(1);

      await redis().kill('SIGKILL');
      await Promise.all(workers.map((worker) => worker.waitForRecord((record) => record.type === 'connection' && record.state === 'lost')));
      await redis().restart();
      await Promise.all(workers.map((worker) => worker.waitForRecord((record) => record.type === 'connection' && record.state === 'ready')));

      // The sink's own connection came back too (see the core test); a new delivery goes through.
      const after = deliveryRecord();
      await expect.poll(async () => add(after).then(() => true, () => false), { timeout: 5_000 }).toBe(true);
      await target.waitForRequests(2);
      expect(target.requests.map((request) => request.headers['idempotency-key'])).toEqual([before.eventId, after.eventId]);
      for (const worker of workers) {
        expect(worker.stderrLines.filter((line) => line.includes('lost the connection to Redis'))).toHaveLength(1);
        expect(worker.child.exitCode).toBeNull();
      }
      const stops = await Promise.all(workers.map((worker) => worker.stop('SIGINT')));
      expect(stops).toEqual([{ code: 0, signal: null }, { code: 0, signal: null }]);
      const delivered = workers.map((worker) => Number(worker.records().at(-1)!.delivered)).reduce((a, b) => a + b, 0);
      expect(delivered).toBe(2);
    });
  },
  { persistence: true },
);
