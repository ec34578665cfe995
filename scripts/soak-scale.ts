/**
 * `npm run soak:scale [-- --events 10000 --concurrency 64]`: the scale-out scenario of
 * test/scale/scale-out.test.ts (test/scale/scenario.ts), bigger and with numbers: nginx → 3 ×
 * `listen --queue` → Redis → 2 × `worker` → app, one listener and one worker SIGKILLed at 40% (the
 * worker started again); then the outbox (one `listen --ack-first --durable`, SIGKILLed at 40% and
 * started again on its folder). Prints what the senders saw, what reached the app (and how often:
 * redeliveries), and how long the drain took; exits 1 if any acknowledged event did not reach the
 * app or anything is left.
 */
import { parseArgs } from 'node:util';
import { findBinary, installHint, NGINX, REDIS_SERVER } from '../test/helpers/binaries.js';
import { startRedis } from '../test/helpers/redis-server.js';
import { runOutboxScenario, runRedisScenario, tempDir, type SendResult } from '../test/scale/scenario.js';
import { loadAverage } from './bench-kit.js';

const { values } = parseArgs({ options: { events: { type: 'string', default: '10000' }, concurrency: { type: 'string', default: '64' } } });
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

const statuses = (result: SendResult) => [...result.statuses].map(([status, count]) => `${status}×${count}`).join(', ');
let failed = false;
const check = (ok: boolean, what: string) => {
  process.stdout.write(`${ok ? 'ok  ' : 'FAIL'}  ${what}\n`);
  failed ||= !ok;
};

process.stdout.write(`soak:scale — ${events} events + ${duplicates} duplicates, ${concurrency} senders; load average ${loadAverage()}\n\n`);
const redis = await startRedis(redisBinary!);
try {
  const run = await runRedisScenario(redis, nginxBinary!, { events, duplicates, concurrency });
  const { result, app } = run;
  process.stdout.write(`redis queue: sent in ${(result.ms / 1000).toFixed(1)} s (${Math.round((events + duplicates) / (result.ms / 1000))} acknowledged/s through nginx), killed at ${run.killedAt}; answers: ${statuses(result)}\n`);
  process.stdout.write(`  drain after the last 2xx: ${(run.drainMs / 1000).toFixed(1)} s; app got ${app.requests} forwards of ${app.received.size} events (${app.requests - app.received.size} redelivered); load average ${loadAverage()}\n`);
  check([...result.acked].every((id) => app.received.has(id)), 'every acknowledged event reached the app');
  check(result.duplicatesAcked === duplicates, `every duplicate answered as one (${result.duplicatesAcked}/${duplicates})`);
  check(new Set(run.accepted.values()).size === run.accepted.size, 'no event accepted as new twice');
  check(run.state.pending === 0 && run.state.lag === 0 && run.state.scheduled === 0 && run.state.dead === 0, `nothing pending, no dead letters (${JSON.stringify(run.state)})`);
} finally {
  await redis.stop();
}
const dir = tempDir();
try {
  const outboxEvents = Math.round(events / 4);
  const run = await runOutboxScenario({ events: outboxEvents, duplicates: Math.round(outboxEvents / 5), concurrency: 16 }, dir.path);
  process.stdout.write(`\noutbox (--durable): ${outboxEvents} events sent in ${(run.result.ms / 1000).toFixed(1)} s, killed at ${run.killedAt}; answers: ${statuses(run.result)}\n`);
  process.stdout.write(`  drain after the last 2xx: ${(run.drainMs / 1000).toFixed(1)} s; app got ${run.app.requests} forwards of ${run.app.received.size} events (${run.app.requests - run.app.received.size} redelivered); load average ${loadAverage()}\n`);
  check([...run.result.acked].every((id) => run.app.received.has(id)), 'every acknowledged event reached the app');
  check(run.exit === 0, `the restarted listener stopped cleanly (exit ${run.exit})`);
} finally {
  dir.remove();
}
process.exitCode = failed ? 1 : 0;
