/**
 * Redis memory per queued delivery, and what the trim policy keeps it at.
 *
 *   npm run bench:queue-memory [-- --count 20000 --body 1024]
 *
 * Starts a private redis-server (127.0.0.1, a free port, no persistence), queues N signed GitHub-style
 * deliveries of --body bytes into the stream (the entries `listen --queue` adds), then the dedupe
 * ledger key its intake sets for each (7-day window), and reads INFO memory before and after. Then a worker
 * (retain 0) forwards them all to a local app and trims, and memory is read again. Prints a table
 * on stderr and one JSON object on stdout.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { parseQueueAddress } from '../src/queue/address.js';
import { connectRedis } from '../src/queue/connection.js';
import { deliveryFields } from '../src/queue/entry.js';
import { ensureGroup } from '../src/queue/group.js';
import { DEFAULT_DEDUPE_WINDOW_MS } from '../src/queue/intake.js';
import { openRedisQueue } from '../src/queue/open.js';
import { QueueWorker } from '../src/queue/worker.js';
import { toJournalLine, type DeliveryRecord } from '../src/records/record.js';
import { catchAllRoute } from '../src/routes/route.js';
import { findBinary, installHint, REDIS_SERVER } from '../test/helpers/binaries.js';
import { startRedis } from '../test/helpers/redis-server.js';
import { deliveryRecord } from '../test/queue/support.js';

const { values } = parseArgs({ options: { count: { type: 'string', default: '20000' }, body: { type: 'string', default: '1024' } } });
const count = Number(values.count);
const bodyBytes = Number(values.body);

/** A signed delivery whose body is --body bytes of JSON. */
function delivery(): DeliveryRecord {
  const eventId = `evt_${randomUUID()}`;
  const frame = JSON.stringify({ id: eventId, type: 'payment_intent.succeeded', data: '' }).length;
  return deliveryRecord({ eventId, data: { id: eventId, type: 'payment_intent.succeeded', data: 'x'.repeat(Math.max(0, bodyBytes - frame)) } });
}

const binary = findBinary(REDIS_SERVER);
if (!binary) {
  process.stderr.write(`${installHint(REDIS_SERVER)}\n`);
  process.exit(1);
}
const server = await startRedis(binary);
const app = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.end());
});
app.listen(0, '127.0.0.1');
await new Promise((resolve) => app.once('listening', resolve));
try {
  const address = parseQueueAddress(server.url);
  const queue = await openRedisQueue(address);
  await ensureGroup(queue.connection, queue.keys.stream, address.group);
  const used = async () => Number(/used_memory:(\d+)/.exec(await queue.connection.command<string>(['INFO', 'memory']))![1]);

  const empty = await used();
  let lineBytes = 0;
  for (let start = 0; start < count; start += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, count - start) }, async () => {
        const record = delivery();
        lineBytes += Buffer.byteLength(toJournalLine(record));
        await queue.connection.command(['XADD', queue.keys.stream, '*', ...deliveryFields(record)]);
      }),
    );
  }
  const queued = await used();
  const streamBytes = await queue.connection.command<number>(['MEMORY', 'USAGE', queue.keys.stream, 'SAMPLES', '0']);
  for (let start = 0; start < count; start += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, count - start) }, async () => {
        // What the intake's ADD_IF_NEW sets beside each entry: done:<entry id> for the window.
        await queue.connection.command(['SET', queue.keys.seen(`evt_${randomUUID()}`), `done:${Date.now()}-0`, 'PX', String(DEFAULT_DEDUPE_WINDOW_MS)]);
      }),
    );
  }
  const withLedger = await used();

  const reader = await connectRedis(address);
  const { port } = app.address() as AddressInfo;
  const worker = new QueueWorker(queue.connection, reader, queue.keys, {
    routes: [catchAllRoute(`http://127.0.0.1:${port}/`)],
    policy: { delaysMs: [0], timeoutMs: 10_000, timeScale: 1 },
    consumer: 'memory-probe',
    concurrency: 64,
    retainMs: 0,
  });
  const drainStarted = performance.now();
  await worker.start();
  for (;;) {
    const totals = await queue.connection.command<Record<string, string>>(['HGETALL', queue.keys.totals]);
    if (Number(totals.delivered ?? 0) >= count) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const drainMs = performance.now() - drainStarted;
  // One trim pass after the last acknowledgement (the worker trims about once a second).
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  await worker.stop();
  await reader.close();
  const left = await queue.connection.command<number>(['XLEN', queue.keys.stream]);
  const drained = await used();
  await queue.close();

  const perDelivery = (queued - empty) / count;
  const perLedgerEntry = (withLedger - queued) / count;
  const result = {
    type: 'queue-memory',
    count,
    bodyBytes,
    journalLineBytes: Math.round(lineBytes / count),
    bytesPerQueuedDelivery: Math.round(perDelivery),
    streamBytesPerEntry: Math.round(streamBytes / count),
    bytesPerLedgerEntry: Math.round(perLedgerEntry),
    afterDrain: { entriesLeft: left, usedMemoryOverEmpty: drained - empty, ledgerBytes: withLedger - queued },
    drainPerSecond: Math.round(count / (drainMs / 1000)),
  };
  process.stderr.write(
    [
      `${count} deliveries, ${bodyBytes} B bodies (journal line ${result.journalLineBytes} B)`,
      `  queued:        ${result.bytesPerQueuedDelivery} B of Redis memory per delivery (stream alone: ${result.streamBytesPerEntry} B per entry)`,
      `  dedupe ledger: ${result.bytesPerLedgerEntry} B per accepted event id, kept for the 7-day window`,
      `  after a worker (--retain 0) delivered all and trimmed: ${left} entries left; memory over empty ${(drained - empty) / 1024 / 1024 < 1 ? `${Math.round((drained - empty) / 1024)} KiB` : `${((drained - empty) / 1024 / 1024).toFixed(1)} MiB`} (of which the ledger ${((withLedger - queued) / 1024 / 1024).toFixed(1)} MiB)`,
      `  drained at ${result.drainPerSecond}/s (one worker, concurrency 64, a local app answering at once)`,
    ].join('\n') + '\n',
  );
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  app.close();
  await server.stop();
}
