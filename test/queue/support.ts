/**
 * Queue test helpers: delivery records as the listener stores them, a test app that records what
 * the workers forward, and spawned `hookctl worker` processes cleaned up after each test.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { CliProcess } from '../helpers/cli.js';
import { RECORD_FORMAT, encodeBody, newCaptureId, toJournalLine, type DeliveryRecord } from '../../src/records/record.js';

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

const spawned: CliProcess[] = [];

/** A `hookctl worker` with --json; killed after the test if still running. */
export function spawnWorker(redisUrl: string, args: string[]): CliProcess {
  const worker = new CliProcess(['worker', redisUrl, '--json', ...args]);
  spawned.push(worker);
  return worker;
}

export async function stopSpawned(): Promise<void> {
  await Promise.all(spawned.splice(0).map((cli) => cli.stop('SIGKILL')));
}
