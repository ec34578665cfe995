/**
 * `npm run soak:scale [-- --events 50000 --rounds 1]`: the scale-out scenario of
 * test/scale/scale-out.test.ts, bigger and with numbers: nginx → 3 × `listen --queue` → Redis →
 * 2 × `worker` → app, one listener and one worker SIGKILLed at 40% (the worker started again); then
 * the outbox (one `listen --ack-first --durable`, SIGKILLed at 40% and started again on its folder).
 * Prints what the senders saw, what reached the app (and how often: redeliveries), and how long
 * the drain took; exits 1 if any acknowledged event did not reach the app or anything is left.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { findBinary, installHint, NGINX, REDIS_SERVER } from '../test/helpers/binaries.js';
import { startRedis } from '../test/helpers/redis-server.js';
import { acceptedIds, deploy, queueState, send, startApp, startOutboxListener, startWorker, tempDir, waitFor, type SendResult } from '../test/scale/scenario.js';

const { values } = parseArgs({ options: { events: { type: 'string', default: '50000' }, concurrency: { type: 'string', default: '64' } } });
const events = Number(values.events);
const concurrency = Number(values.concurrency);
const duplicates = Math.round(events / 5);

const redisBinary = findBinary(REDIS_SERVER);
const nginxBinary = findBinary(NGINX);
for (const [binary, what] of [[redisBinary, REDIS_SERVER], [nginxBinary, NGINX]] as const) {
  if (!binary) {
    process.stderr.write(`${installHint(what)}\n`);
    process.exit(1);
  }
}

const load = () => loadavg().map((n) => n.toFixed(1)).join(' ');
const statuses = (result: SendResult) => [...result.statuses].map(([status, count]) => `${status}×${count}`).join(', ');
let failed = false;
const check = (ok: boolean, what: string) => {
  process.stdout.write(`${ok ? 'ok  ' : 'FAIL'}  ${what}\n`);
  failed ||= !ok;
};

process.stdout.write(`soak:scale — ${events} events + ${duplicates} duplicates, ${concurrency} senders; load average ${load()}\n\n`);
{
  const redis = await startRedis(redisBinary!);
  const app = await startApp();
  const deployment = await deploy(redis, nginxBinary!, app);
  let killedAt = 0;
  const result = await send(() => `${deployment.nginx.url}/`, {
    events,
    duplicates,
    concurrency,
    onProgress: async (acked) => {
      if (killedAt || acked < events * 0.4) return;
      killedAt = acked;
      deployment.listeners[1]!.child.kill('SIGKILL');
      deployment.workers[0]!.child.kill('SIGKILL');
      deployment.workers[0] = await startWorker(deployment.queue, app, 'w1-restarted', 32);
    },
  });
  const sent = performance.now();
  const accepted = await acceptedIds(redis, deployment.stream);
  await waitFor(() => [...accepted.keys()].every((id) => app.received.has(id)), 300_000, 'the drain');
  const drainMs = performance.now() - sent;
  const state = await queueState(redis, deployment.stream);
  process.stdout.write(`redis queue: sent in ${(result.ms / 1000).toFixed(1)} s (${Math.round((events + duplicates) / (result.ms / 1000))} acknowledged/s through nginx), killed at ${killedAt}; answers: ${statuses(result)}\n`);
  process.stdout.write(`  drain after the last 2xx: ${(drainMs / 1000).toFixed(1)} s; app got ${app.requests} forwards of ${app.received.size} events (${app.requests - app.received.size} redelivered); load average ${load()}\n`);
  check([...result.acked].every((id) => app.received.has(id)), 'every acknowledged event reached the app');
  check(result.duplicatesAcked === duplicates, `every duplicate answered as one (${result.duplicatesAcked}/${duplicates})`);
  check(new Set(accepted.values()).size === accepted.size, 'no event accepted as new twice');
  check(state.pending === 0 && state.lag === 0 && state.scheduled === 0 && state.dead === 0, `nothing pending, no dead letters (${JSON.stringify(state)})`);
  await deployment.stop();
  await app.close();
  await redis.stop();
}
{
  const outboxEvents = Math.round(events / 4);
  const app = await startApp();
  const dir = tempDir();
  let listener = await startOutboxListener(dir.path, app, ['--durable']);
  let url = listener.url;
  let killedAt = 0;
  const result = await send(() => url, {
    events: outboxEvents,
    duplicates: Math.round(outboxEvents / 5),
    concurrency: 16,
    onProgress: async (acked) => {
      if (killedAt || acked < outboxEvents * 0.4) return;
      killedAt = acked;
      listener.cli.child.kill('SIGKILL');
      await listener.cli.exited;
      listener = await startOutboxListener(dir.path, app, ['--durable']);
      url = listener.url;
    },
  });
  const sent = performance.now();
  await waitFor(() => [...result.acked].every((id) => app.received.has(id)), 300_000, 'the outbox drain');
  process.stdout.write(`\noutbox: ${outboxEvents} events sent in ${(result.ms / 1000).toFixed(1)} s, killed at ${killedAt}; answers: ${statuses(result)}\n`);
  process.stdout.write(`  drain after the last 2xx: ${((performance.now() - sent) / 1000).toFixed(1)} s; app got ${app.requests} forwards of ${app.received.size} events (${app.requests - app.received.size} redelivered)\n`);
  check([...result.acked].every((id) => app.received.has(id)), 'every acknowledged event reached the app');
  await listener.cli.stop('SIGINT');
  await app.close();
  dir.remove();
}
process.exitCode = failed ? 1 : 0;
