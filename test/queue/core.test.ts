/**
 * The queue core against a real redis-server: the dedupe ledger (claim / commit / release, across
 * "listeners"), the stream sink, reading records back, the trim policy and the connection's
 * behaviour when Redis is unreachable or goes away.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, expect, it } from 'vitest';
import { parseQueueAddress } from '../../src/queue/address.js';
import { connectRedis, QueueUnavailableError } from '../../src/queue/connection.js';
import { ClaimInProgressError } from '../../src/queue/ledger.js';
import { openRedisQueue, type RedisQueue } from '../../src/queue/open.js';
import { readStreamRecords } from '../../src/queue/reader.js';
import { trimStream } from '../../src/queue/trim.js';
import { jobFields } from '../../src/queue/entry.js';
import { UserError } from '../../src/errors.js';
import { freePort } from '../helpers/free-port.js';
import { describeWithRedis } from '../helpers/redis-server.js';
import { deliveryRecord, journalLine } from './support.js';

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

  it('the ledger accepts an event id once: committed ids are duplicates for the window, across listeners', async () => {
    const first = await queue();
    const second = await openRedisQueue(first.address);
    opened.push(second);
    const a = first.ledger({ windowMs: 60_000 });
    const b = second.ledger({ windowMs: 60_000 });
    const claim = await a.claim('evt_1');
    expect(claim.duplicate).toBe(false);
    if (claim.duplicate) return;
    await claim.commit('redis://…#1-0');
    expect(await b.claim('evt_1')).toEqual({ duplicate: true });
    const client = await redis().client();
    const key = first.keys.seen('evt_1');
    expect(await client.get(key)).toBe('done:redis://…#1-0');
    const ttl = await client.pTTL(key);
    expect(ttl).toBeGreaterThan(55_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('a released claim lets the next delivery of the id through; a duplicate waits for the outcome of one in progress', async () => {
    const q = await queue();
    const ledger = q.ledger();
    const first = await ledger.claim('evt_2');
    if (first.duplicate) throw new Error('expected a claim');
    first.release();
    const second = await ledger.claim('evt_2');
    expect(second.duplicate).toBe(false);
    if (second.duplicate) return;
    // A third delivery while the second is being stored: it waits, then is a duplicate once committed.
    let settled = false;
    const third = ledger.claim('evt_2').finally(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(settled).toBe(false);
    await second.commit();
    expect(await third).toEqual({ duplicate: true });

    // And one that waited for a claim that is released takes over.
    const fourth = await ledger.claim('evt_3');
    if (fourth.duplicate) throw new Error('expected a claim');
    const fifth = ledger.claim('evt_3');
    await new Promise((resolve) => setTimeout(resolve, 30));
    fourth.release();
    expect((await fifth).duplicate).toBe(false);
  });

  it("a claim left by a listener that died expires after the lease; until then a duplicate gets 'in progress' (503)", async () => {
    const q = await queue();
    const dying = q.ledger({ leaseMs: 300 });
    const orphan = await dying.claim('evt_4');
    expect(orphan.duplicate).toBe(false);
    const other = q.ledger({ leaseMs: 100 });
    await expect(other.claim('evt_4')).rejects.toBeInstanceOf(ClaimInProgressError);
    await expect.poll(async () => (await q.connection.command(['EXISTS', q.keys.seen('evt_4')])) as number, { timeout: 2_000 }).toBe(0);
    expect((await other.claim('evt_4')).duplicate).toBe(false);
  });

  it('a very long event id is hashed into a short key', async () => {
    const q = await queue();
    const long = 'x'.repeat(5_000);
    expect(q.keys.seen(long).length).toBeLessThan(q.keys.stream.length + 90);
    const claim = await q.ledger().claim(long);
    if (claim.duplicate) throw new Error('expected a claim');
    await claim.commit();
    expect(await q.ledger().claim(long)).toEqual({ duplicate: true });
  });

  it('the sink stores the journal line byte for byte in one field, creates the group, and says where (no password)', async () => {
    const q = await queue();
    const sink = await q.sink();
    const record = deliveryRecord({ eventId: 'evt_sink' });
    const where = await sink.write(record);
    expect(where).toMatch(new RegExp(`^redis://127\\.0\\.0\\.1:\\d+/0\\?stream=${q.address.stream}#\\d+-\\d+$`));
    const id = where.split('#')[1]!;
    const entries = (await q.connection.command(['XRANGE', q.keys.stream, '-', '+'])) as Array<[string, string[]]>;
    expect(entries).toEqual([[id, ['record', journalLine(record)]]]);
    const groups = (await q.connection.command(['XINFO', 'GROUPS', q.keys.stream])) as Array<{ name: string }>;
    expect(groups.map((group) => group.name)).toEqual([q.address.group]);
  });

  it('records are read back since a moment, as captures are; retries and unreadable entries are told apart', async () => {
    const q = await queue();
    const sink = await q.sink();
    const early = deliveryRecord({ eventId: 'evt_early' });
    await sink.write(early);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const since = Date.now();
    const later = [deliveryRecord({ eventId: 'evt_a' }), deliveryRecord({ eventId: 'evt_b', bodyEncoding: 'base64', body: Buffer.from([0xff, 0x00]).toString('base64'), bytes: 2 })];
    for (const record of later) await sink.write(record);
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
    const sink = await q.sink();
    // More than one stream node (100 entries), since trimming frees whole nodes.
    for (let i = 0; i < 250; i++) await sink.write(deliveryRecord());
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
