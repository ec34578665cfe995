/**
 * The queue core against a real redis-server: the intake (dedupe and enqueue in one step), reading
 * records back, the trim policy and the connection's behaviour when Redis is unreachable or goes
 * away.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, expect, it } from 'vitest';
import { parseQueueAddress } from '../../src/queue/address.js';
import { connectRedis, QueueUnavailableError } from '../../src/queue/connection.js';
import { openRedisQueue, type RedisQueue } from '../../src/queue/open.js';
import { readStreamRecords } from '../../src/queue/reader.js';
import { trimStream } from '../../src/queue/trim.js';
import { jobFields } from '../../src/queue/entry.js';
import { UserError } from '../../src/errors.js';
import { freePort } from '../helpers/free-port.js';
import { describeWithRedis } from '../helpers/redis-server.js';
import { deliveryRecord, enqueue, journalLine } from './support.js';

describeWithRedis('the queue core', (redis) => {
  const opened: RedisQueue[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((queue) => queue.close()));
  });

  /** A queue on its own stream, so tests never see each other's keys. */
  async function queue(overrides: { stream?: string } = {}): Promise<RedisQueue> {
    const opened1 = await openRedisQueue(parseQueueAddress(redis().url, { stream: overrides.stream ?? `t-${randomUUID()}` }));
    opened.push(opened1);
    return opened1;
  }

  it('a very long event id is hashed into a short key, and is still a duplicate the second time', async () => {
    const q = await queue();
    const long = 'x'.repeat(5_000);
    expect(q.keys.seen(long).length).toBeLessThan(q.keys.stream.length + 90);
    const intake = await q.intake();
    expect((await intake.add(long, deliveryRecord())).duplicate).toBe(false);
    expect(await intake.add(long, deliveryRecord())).toEqual({ duplicate: true });
  });

  it('the intake stores the journal line byte for byte in one field, creates the group, and says where (no password)', async () => {
    const q = await queue();
    const intake = await q.intake();
    const record = deliveryRecord({ eventId: 'evt_intake' });
    const result = await intake.add('evt_intake', record);
    if (result.duplicate) throw new Error('expected a new delivery');
    expect(result.where).toMatch(new RegExp(`^redis://127\\.0\\.0\\.1:\\d+/0\\?stream=${q.address.stream}#\\d+-\\d+$`));
    expect(result.where.split('#')[1]).toBe(result.entryId);
    const entries = (await q.connection.command(['XRANGE', q.keys.stream, '-', '+'])) as Array<[string, string[]]>;
    expect(entries).toEqual([[result.entryId, ['record', journalLine(record)]]]);
    const groups = (await q.connection.command(['XINFO', 'GROUPS', q.keys.stream])) as Array<{ name: string }>;
    expect(groups.map((group) => group.name)).toEqual([q.address.group]);
  });

  it('records are read back since a moment, as captures are; retries and unreadable entries are told apart', async () => {
    const q = await queue();
    const intake = await q.intake();
    const early = deliveryRecord({ eventId: 'evt_early' });
    const earlyMs = Number((await enqueue(intake, early)).split('-')[0]);
    // Stream ids are Redis's milliseconds: `since` must come after the early entry's.
    await expect.poll(() => Date.now()).toBeGreaterThan(earlyMs);
    const since = Date.now();
    const later = [deliveryRecord({ eventId: 'evt_a' }), deliveryRecord({ eventId: 'evt_b', bodyEncoding: 'base64', body: Buffer.from([0xff, 0x00]).toString('base64'), bytes: 2 })];
    for (const record of later) await enqueue(intake, record);
    await q.connection.command(['XADD', q.keys.stream, '*', ...jobFields({ line: journalLine(later[0]!), origin: '1-0' }, 'r', 1, 'HTTP 500')]);
    await q.connection.command(['XADD', q.keys.stream, '*', 'record', '{not json']);
    const items = [];
    for await (const item of readStreamRecords(q.connection, q.keys, { since, pageSize: 1 })) items.push(item);
    expect(items.map((item) => (item.kind === 'entry' ? item.record.eventId : 'problem'))).toEqual(['evt_a', 'evt_b', 'problem']);
    expect(items[1]!.kind === 'entry' && items[1]!.record).toEqual(later[1]);
    expect(items[2]!.kind === 'problem' && items[2]!.message).toMatch(/"record" is not JSON/);
    expect(items[0]!.source).toMatch(/^redis:\/\/127\.0\.0\.1:\d+\/0\?stream=.*#\d+-\d+$/);
  });

  it('trimming removes acknowledged entries past the retention, never unacknowledged or unread ones', async () => {
    const q = await queue();
    const intake = await q.intake();
    // More than one stream node (100 entries), since trimming frees whole nodes.
    for (let i = 0; i < 250; i++) await enqueue(intake, deliveryRecord());
    const read = (await q.connection.command(['XREADGROUP', 'GROUP', q.address.group, 'w1', 'COUNT', '200', 'STREAMS', q.keys.stream, '>'])) as Record<string, Array<[string, string[]]>>;
    const ids = read[q.keys.stream]!.map(([id]) => id);
    // Acknowledge all but the 10th: it and everything after stay.
    await q.connection.command(['XACK', q.keys.stream, q.address.group, ...ids.filter((_, index) => index !== 9)]);
    expect(await trimStream(q.connection, q.keys.stream, 60_000)).toBe(0);
    expect(await q.connection.command(['XLEN', q.keys.stream])).toBe(250);
    await trimStream(q.connection, q.keys.stream, 0);
    const left = (await q.connection.command(['XRANGE', q.keys.stream, '-', '+'])) as Array<[string, string[]]>;
    expect(left.map(([id]) => id)).toContain(ids[9]);
    expect(left.length).toBeLessThan(250);
    // Everything from the unacknowledged one on is kept, the 50 never read included.
    expect(left.length).toBeGreaterThanOrEqual(241);
    await q.connection.command(['XACK', q.keys.stream, q.address.group, ids[9]!]);
    await trimStream(q.connection, q.keys.stream, 0);
    const after = (await q.connection.command(['XLEN', q.keys.stream])) as number;
    expect(after).toBeGreaterThanOrEqual(50);
    expect(after).toBeLessThanOrEqual(150);
  });

  it('Redis unreachable at connect: one clear line, exit 2, the URL without its password', async () => {
    const port = await freePort();
    const error = await connectRedis(parseQueueAddress(`redis://app:hunter2@127.0.0.1:${port}/0`)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(2);
    expect((error as Error).message).toBe(`cannot reach Redis at redis://app:***@127.0.0.1:${port}/0: connection refused (ECONNREFUSED)`);
  });

  it('a lost connection fails commands at once (QueueUnavailableError) and comes back by itself', async () => {
    const q = await queue();
    const events: string[] = [];
    q.connection.on('lost', () => events.push('lost'));
    q.connection.on('ready', () => events.push('ready'));
    await redis().kill();
    const started = Date.now();
    await expect(q.connection.command(['PING'])).rejects.toBeInstanceOf(QueueUnavailableError);
    expect(Date.now() - started).toBeLessThan(1_000);
    await redis().restart();
    expect(await q.connection.waitUntilReady()).toBe(true);
    expect(await q.connection.command(['PING'])).toBe('PONG');
    expect(events).toEqual(['lost', 'ready']);
  });
});
