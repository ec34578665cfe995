/**
 * Queue test helpers: delivery records as the listener stores them, a test app that records what
 * the workers forward, and spawned `hookctl worker` processes cleaned up after each test.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { afterEach } from 'vitest';
import { parseQueueAddress } from '../../src/queue/address.js';
import type { RedisIntake } from '../../src/queue/intake.js';
import { openRedisQueue, type RedisQueue } from '../../src/queue/open.js';
import { RECORD_FORMAT, encodeBody, newCaptureId, toJournalLine, type DeliveryRecord } from '../../src/records/record.js';
import { CliProcess } from '../helpers/cli.js';
import type { RedisServer } from '../helpers/redis-server.js';
import { startServer, type Responder, type TestServer } from '../helpers/server.js';

export const SECRET = 'queue-test-secret';

export function deliveryRecord(overrides: Partial<DeliveryRecord> & { data?: unknown } = {}): DeliveryRecord {
  const eventId = overrides.eventId === undefined ? `evt_${randomUUID()}` : overrides.eventId;
  const eventType = overrides.eventType === undefined ? 'payment_intent.succeeded' : overrides.eventType;
  const body = Buffer.from(JSON.stringify(overrides.data ?? { id: eventId, type: eventType, data: { amount: 1000 } }));
  const { data: _data, ...rest } = overrides;
  return {
    format: RECORD_FORMAT,
    id: newCaptureId(),
    capturedAt: new Date().toISOString(),
    receivedAt: 'http://127.0.0.1:8787/',
    method: 'POST',
    path: '/',
    headers: {
      'content-type': 'application/json',
      'x-github-delivery': eventId ?? 'none',
      'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
      connection: 'keep-alive',
      host: '127.0.0.1:8787',
    },
    ...encodeBody(body),
    scheme: 'github',
    eventId,
    eventType,
    verified: true,
    reason: null,
    duplicate: false,
    ...rest,
  };
}

export function journalLine(record: DeliveryRecord): string {
  return toJournalLine(record);
}

/**
 * Adds a delivery to the stream through the intake, as `listen --queue` does, under a key of its
 * own (so a test can add the same record twice); resolves with its entry id.
 */
export async function enqueue(intake: RedisIntake, record: DeliveryRecord): Promise<string> {
  const result = await intake.add(`test-${randomUUID()}`, record);
  if (result.duplicate) throw new Error('a fresh key was taken for a duplicate');
  return result.entryId;
}

export interface FreshQueue {
  /** The queue's URL, naming its own stream. */
  url: string;
  queue: RedisQueue;
  /** Puts deliveries in through the intake, as `listen --queue` does; resolves with their entry ids. */
  add(...records: DeliveryRecord[]): Promise<string[]>;
}

/**
 * For a suite on one redis-server: test apps, queues on a fresh stream each (tests never see each
 * other's entries) and `hookctl worker` processes, all closed or killed after each test.
 */
export function queueTestKit(redis: () => RedisServer) {
  const apps: TestServer[] = [];
  const queues: RedisQueue[] = [];
  const workers: CliProcess[] = [];
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop('SIGKILL')));
    await Promise.all([...apps.splice(0).map((app) => app.close()), ...queues.splice(0).map((queue) => queue.close())]);
  });
  return {
    async app(respond?: Responder): Promise<TestServer> {
      const server = await startServer(respond);
      apps.push(server);
      return server;
    },
    async freshQueue(): Promise<FreshQueue> {
      const url = `${redis().url}/0?stream=t-${randomUUID()}`;
      const queue = await openRedisQueue(parseQueueAddress(url));
      queues.push(queue);
      const intake = await queue.intake();
      return { url, queue, add: (...records) => Promise.all(records.map((record) => enqueue(intake, record))) };
    },
    /** A `hookctl worker --json`, once it reports it has joined the group. */
    async worker(url: string, args: string[]): Promise<CliProcess> {
      const worker = new CliProcess(['worker', url, '--json', ...args]);
      workers.push(worker);
      await worker.waitForRecord((record) => record.type === 'worker');
      return worker;
    },
  };
}
