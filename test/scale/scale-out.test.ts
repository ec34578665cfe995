/**
 * Horizontal scale, tested as it is deployed (the scenario is in scenario.ts): nginx round-robins
 * to 3 `listen --queue` processes, 2 workers forward to an app; events and duplicates go through
 * nginx while one listener and one worker are SIGKILLed midway (the worker is started again).
 * After the drain every event that got a 2xx reached the app at least once, exactly once after the
 * app dedupes on Idempotency-Key, no event id was accepted as new twice, nothing is pending and
 * there are no dead letters. The same shape for the outbox: one listener SIGKILLed and started
 * again on its capture folder.
 *
 * Sizes: HOOKCTL_SCALE_EVENTS (default 10,000 fresh events, plus a fifth as many duplicates);
 * `npm run soak:scale` runs the same scenario bigger, with timings.
 */
import { expect, it } from 'vitest';
import { describeWithBinary, NGINX, REDIS_SERVER } from '../helpers/binaries.js';
import { startRedis } from '../helpers/redis-server.js';
import { acceptedIds, deploy, queueState, send, startApp, startOutboxListener, startWorker, tempDir, waitFor } from './scenario.js';

const EVENTS = Number(process.env.HOOKCTL_SCALE_EVENTS ?? 10_000);
const DUPLICATES = Math.round(EVENTS / 5);
const OUTBOX_EVENTS = Math.round(EVENTS / 4);

describeWithBinary(NGINX, 'scale-out', (nginxBinary) => {
  describeWithBinary(REDIS_SERVER, 'nginx → 3 × listen --queue → Redis → 2 × worker → app', (redisBinary) => {
    it(`${EVENTS} events + ${DUPLICATES} duplicates; a listener and a worker SIGKILLed midway: every 2xx reaches the app, once after dedupe`, { timeout: 120_000 }, async () => {
      const redis = await startRedis(redisBinary);
      const app = await startApp();
      const deployment = await deploy(redis, nginxBinary, app);
      try {
        let killed = false;
        const result = await send(() => `${deployment.nginx.url}/`, {
          events: EVENTS,
          duplicates: DUPLICATES,
          concurrency: 48,
          onProgress: async (acked) => {
            if (killed || acked < EVENTS * 0.4) return;
            killed = true;
            deployment.listeners[1]!.child.kill('SIGKILL');
            deployment.workers[0]!.child.kill('SIGKILL');
            // A supervisor starts the worker again (a new process, a new consumer name).
            deployment.workers[0] = await startWorker(deployment.queue, app, 'w1-restarted', 32);
          },
        });
        expect(killed).toBe(true);
        expect(result.acked.size).toBe(EVENTS);
        expect(result.duplicatesAcked).toBe(DUPLICATES);

        // Drain: the app has every accepted event, and the queue nothing left.
        const accepted = await acceptedIds(redis, deployment.stream);
        await waitFor(() => [...accepted.keys()].every((id) => app.received.has(id)), 60_000, 'the app to receive every accepted event');
        await waitFor(async () => {
          const state = await queueState(redis, deployment.stream);
          return state.pending === 0 && state.lag === 0 && state.scheduled === 0;
        }, 30_000, 'nothing pending');

        // Every 2xx'd event reached the app at least once; after the app dedupes, exactly once.
        expect([...result.acked].filter((id) => !app.received.has(id))).toEqual([]);
        // No event id was accepted as new twice: one ledger entry each, every one committed to a stream entry.
        expect(accepted.size).toBeGreaterThanOrEqual(EVENTS);
        expect([...accepted.values()].every((value) => /^done:\d+-\d+$/.test(value))).toBe(true);
        expect(new Set(accepted.values()).size).toBe(accepted.size);
        // Nothing reached the app that was not accepted.
        expect([...app.received.keys()].filter((id) => !accepted.has(id))).toEqual([]);
        const state = await queueState(redis, deployment.stream);
        expect(state).toMatchObject({ pending: 0, lag: 0, scheduled: 0, dead: 0 });
        // Redeliveries (the killed worker's entries, taken over) are at-least-once's price; the key dedupes them.
        const redelivered = app.requests - app.received.size;
        expect(redelivered).toBeLessThanOrEqual(64);
        // Senders saw the killed listener: nginx answered 502 for requests in flight to it, and they retried.
        expect([...result.statuses.keys()].filter((status) => !['200', '502', 'error'].includes(status))).toEqual([]);
      } finally {
        await deployment.stop();
        await app.close();
        await redis.stop();
      }
    });
  });
});

describeWithBinary(REDIS_SERVER, 'outbox restart', () => {
  it(`one listen --ack-first, ${OUTBOX_EVENTS} events + duplicates, SIGKILLed midway and started again on its folder: every 2xx reaches the app`, { timeout: 120_000 }, async () => {
    const app = await startApp();
    const dir = tempDir();
    let listener = await startOutboxListener(dir.path, app, ['--durable']);
    let url = listener.url;
    try {
      let restarted = false;
      const result = await send(() => url, {
        events: OUTBOX_EVENTS,
        duplicates: Math.round(OUTBOX_EVENTS / 5),
        concurrency: 16,
        onProgress: async (acked) => {
          if (restarted || acked < OUTBOX_EVENTS * 0.4) return;
          restarted = true;
          listener.cli.child.kill('SIGKILL');
          await listener.cli.exited;
          listener = await startOutboxListener(dir.path, app, ['--durable']);
          url = listener.url;
        },
      });
      expect(restarted).toBe(true);
      expect(result.acked.size).toBe(OUTBOX_EVENTS);
      await waitFor(() => [...result.acked].every((id) => app.received.has(id)), 60_000, 'the app to receive every acknowledged event');
      const stopped = await listener.cli.stop('SIGINT');
      expect(stopped.code).toBe(0);
      expect(listener.cli.records().at(-1)).toMatchObject({ type: 'summary', deadLetters: 0, forwardFailed: 0 });
      const { runCli } = await import('../helpers/cli.js');
      const status = JSON.parse((await runCli(['queue', 'status', dir.path, '--json'])).stdout) as Record<string, unknown>;
      expect(status).toMatchObject({ pending: 0, scheduled: 0, dead: 0 });
    } finally {
      await listener.cli.stop('SIGKILL');
      await app.close();
      dir.remove();
    }
  });
});
