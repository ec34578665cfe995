/**
 * The relay's Redis store against a real redis-server: two stores on one Redis stand for two relay
 * processes behind a load balancer (channels, cursors, wake-ups and answers cross between them),
 * the ack timeout, the retry schedule into dead letters and back, the backlog cap, and Redis going
 * away (StoreUnavailableError, then back by itself).
 */
import { randomUUID } from 'node:crypto';
import { afterEach, expect, it } from 'vitest';
import { RECORD_FORMAT, encodeBody, newCaptureId, type DeliveryRecord } from '../../src/records/record.js';
import { BacklogFullError, StoreUnavailableError, type ConsumerRef, type StoredChannel } from '../../src/relay/store.js';
import { openRedisStore, type RedisRelayStore, type RedisStoreOptions } from '../../src/relay/store-redis.js';
import { describeWithRedis } from '../helpers/redis-server.js';

type RelayRecord = DeliveryRecord & { rawHeaders: string[] };

function relayRecord(body: Buffer = Buffer.from(`{"id":"evt_${randomUUID()}","amount":12345678901234567890}`)): RelayRecord {
  const rawHeaders = ['Content-Type', 'application/json', 'X-Dup', 'a', 'x-dup', 'b'];
  return {
    format: RECORD_FORMAT,
    id: newCaptureId(),
    capturedAt: new Date().toISOString(),
    receivedAt: null,
    method: 'POST',
    path: '/hooks?x=1',
    headers: { 'content-type': 'application/json', 'x-dup': 'a, b' },
    rawHeaders,
    ...encodeBody(body),
    scheme: null,
    eventId: null,
    eventType: null,
    verified: null,
    reason: null,
    duplicate: false,
  };
}

function channelNamed(name: string, respond: StoredChannel['respond'] = 'stored'): StoredChannel {
  return { name, ingressId: randomUUID().replaceAll('-', ''), tokenHash: 'a'.repeat(64), respond, createdAt: new Date().toISOString() };
}

async function until<T>(probe: () => Promise<T | undefined | false>, what: string, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describeWithRedis('the relay Redis store', (redis) => {
  const opened: RedisRelayStore[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });

  /** A store under its own key prefix, so tests never see each other's channels. */
  async function stores(count: number, options: RedisStoreOptions = {}): Promise<RedisRelayStore[]> {
    const prefix = `t-${randomUUID()}`;
    const made: RedisRelayStore[] = [];
    for (let i = 0; i < count; i++) made.push(await openRedisStore(redis().url, { prefix, ...options }));
    opened.push(...made);
    return made;
  }

  it('keeps channels in Redis: made on one relay, found by ingress id and rotated on the other, deleted once', async () => {
    const [a, b] = await stores(2);
    const channel = channelNamed('laptop');
    await a!.createChannel(channel);
    await expect(b!.createChannel({ ...channel, ingressId: 'other' })).rejects.toThrow(/already exists/);
    expect(await b!.channelByIngress(channel.ingressId)).toEqual(channel);
    expect(await b!.channelByIngress('nope')).toBeUndefined();
    expect(await b!.setTokenHash('laptop', 'b'.repeat(64))).toBe(true);
    expect(await b!.setTokenHash('missing', 'b'.repeat(64))).toBe(false);
    expect((await a!.channelByName('laptop'))?.tokenHash).toBe('b'.repeat(64));
    expect((await a!.listChannels()).map((stored) => stored.name)).toEqual(['laptop']);
    // Twice on each: the first append learns the channel, the second takes the fast way.
    for (let i = 0; i < 2; i++) for (const store of [a!, b!]) await store.append('laptop', relayRecord(), 'u');
    expect(await a!.deleteChannel('laptop')).toBe(true);
    // Deleted on the other relay: no delivery lands in a channel that is gone.
    await expect(b!.append('laptop', relayRecord(), 'u')).rejects.toThrow(/no longer exists/);
    expect(await b!.deleteChannel('laptop')).toBe(false);
    expect(await a!.channelByName('laptop')).toBeUndefined();
  });

  it('hands an entry stored through one relay to a subscriber on the other, byte for byte, woken without polling', async () => {
    const [ingress, subscribe] = await stores(2);
    await ingress!.createChannel(channelNamed('ch'));
    const ref: ConsumerRef = { channel: 'ch', consumer: 'laptop', member: 'laptop' };
    // What the server does first when a stream opens, before this consumer ever read.
    await subscribe!.release(ref);
    expect(await subscribe!.take(ref, 10)).toEqual([]);
    const woken = subscribe!.waitForEntries('ch', 30_000);
    const body = Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x22]);
    const stored = await ingress!.append('ch', relayRecord(body), 'https://relay.example/in/abc/x?y=1');
    const started = Date.now();
    await woken;
    expect(Date.now() - started).toBeLessThan(5_000);
    const [entry, ...rest] = await subscribe!.take(ref, 10);
    expect(rest).toEqual([]);
    expect(entry!.seq).toBe(stored.seq);
    expect(entry!.attempt).toBe(0);
    expect(entry!.ingressUrl).toBe('https://relay.example/in/abc/x?y=1');
    expect(entry!.record.rawHeaders).toEqual(['Content-Type', 'application/json', 'X-Dup', 'a', 'x-dup', 'b']);
    expect(Buffer.from(entry!.record.body, entry!.record.bodyEncoding === 'base64' ? 'base64' : 'utf8').equals(body)).toBe(true);
    // In flight: not handed out again until settled or timed out.
    expect(await subscribe!.take(ref, 10)).toEqual([]);
    await subscribe!.ack(ref, [entry!.seq]);
    const status = await ingress!.status('ch');
    expect(status.stored).toBe(1);
    expect(status.consumers).toMatchObject([{ consumer: 'laptop', waiting: 0, inFlight: 0, retrying: 0, dead: 0, members: ['laptop'] }]);
  });

  it('gives every consumer every entry, in order, and shares them among the members of one group', async () => {
    const [store] = await stores(1);
    await store!.createChannel(channelNamed('ch'));
    const seqs: string[] = [];
    for (let i = 0; i < 6; i++) seqs.push((await store!.append('ch', relayRecord(), 'u')).seq);
    const laptop = await store!.take({ channel: 'ch', consumer: 'laptop', member: 'laptop' }, 100);
    expect(laptop.map((entry) => entry.seq)).toEqual(seqs);
    const first = await store!.take({ channel: 'ch', consumer: 'ci', member: 'runner-1' }, 4);
    const second = await store!.take({ channel: 'ch', consumer: 'ci', member: 'runner-2' }, 4);
    expect([...first, ...second].map((entry) => entry.seq)).toEqual(seqs);
    expect(second).toHaveLength(2);
  });

  it('sends an entry again after the ack timeout, and what a disconnected member held at once', async () => {
    const [store] = await stores(1, { ackTimeoutMs: 100 });
    await store!.createChannel(channelNamed('ch'));
    const { seq } = await store!.append('ch', relayRecord(), 'u');
    const one: ConsumerRef = { channel: 'ch', consumer: 'team', member: 'one' };
    const two: ConsumerRef = { channel: 'ch', consumer: 'team', member: 'two' };
    expect((await store!.take(one, 10)).map((entry) => entry.seq)).toEqual([seq]);
    const again = await until(async () => (await store!.take(two, 10))[0], 'the unacknowledged entry');
    expect(again.seq).toBe(seq);
    await store!.release(two);
    expect((await store!.take(one, 10)).map((entry) => entry.seq)).toEqual([seq]);
    await store!.ack(one, [seq]);
    // Acknowledged means no longer pending anywhere, so no ack timeout can bring it back.
    const team = (await store!.status('ch')).consumers.find((consumer) => consumer.consumer === 'team');
    expect(team).toMatchObject({ inFlight: 0, retrying: 0 });
    expect(await store!.take(two, 10)).toEqual([]);
  });

  it('retries a failed entry on the schedule, then keeps it as a dead letter that requeue puts back', async () => {
    const [store] = await stores(1, { retryScheduleMs: [0, 30, 30] });
    await store!.createChannel(channelNamed('ch'));
    const { seq } = await store!.append('ch', relayRecord(), 'u');
    const ref: ConsumerRef = { channel: 'ch', consumer: 'laptop', member: 'laptop' };
    let [entry] = await store!.take(ref, 10);
    for (let attempt = 1; attempt <= 2; attempt++) {
      await store!.fail(ref, [{ seq, error: `HTTP 503 (${attempt})` }]);
      // A second report of the same failure is not a second attempt.
      await store!.fail(ref, [{ seq, error: 'again' }]);
      expect((await store!.status('ch')).consumers[0]).toMatchObject({ retrying: 1, inFlight: 0 });
      entry = await until(async () => (await store!.take(ref, 10))[0], `retry ${attempt}`);
      expect(entry).toMatchObject({ seq, attempt });
    }
    await store!.fail(ref, [{ seq, error: 'connection refused (ECONNREFUSED)' }]);
    const dead = await store!.dead('ch');
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ seq, consumer: 'laptop', attempts: 3, error: 'connection refused (ECONNREFUSED)' });
    expect(dead[0]!.entry.record.body).toBe(entry!.record.body);
    expect((await store!.status('ch')).consumers[0]).toMatchObject({ retrying: 0, inFlight: 0, dead: 1 });
    expect(await store!.take(ref, 10)).toEqual([]);
    expect(await store!.requeue('ch', [seq])).toBe(1);
    expect(await store!.dead('ch')).toEqual([]);
    expect(await store!.take(ref, 10)).toMatchObject([{ seq, attempt: 0 }]);
  });

  it('refuses a delivery over the backlog cap (BacklogFullError) until the subscriber settles some', async () => {
    const [store] = await stores(1, { backlog: 3 });
    await store!.createChannel(channelNamed('ch'));
    for (let i = 0; i < 3; i++) await store!.append('ch', relayRecord(), 'u');
    await expect(store!.append('ch', relayRecord(), 'u')).rejects.toBeInstanceOf(BacklogFullError);
    const ref: ConsumerRef = { channel: 'ch', consumer: 'laptop', member: 'laptop' };
    const taken = await store!.take(ref, 10);
    await expect(store!.append('ch', relayRecord(), 'u')).rejects.toBeInstanceOf(BacklogFullError);
    await store!.ack(ref, [taken[0]!.seq]);
    await store!.append('ch', relayRecord(), 'u');
    expect(await store!.trim(Date.now())).toBe(1);
    expect((await store!.status('ch')).stored).toBe(3);
  });

  it('passes a respond-wait answer from the relay the subscriber acked on to the one holding the provider', async () => {
    const [holder, answerer] = await stores(2);
    await holder!.createChannel(channelNamed('ch', 'wait'));
    const { seq, respond } = await holder!.append('ch', relayRecord(), 'u');
    expect(respond).toBe('wait');
    const waiting = holder!.waitForAnswer('ch', seq, 10_000);
    await answerer!.publishAnswer('ch', seq, { status: 200, headers: { 'content-type': 'text/plain' }, body: Buffer.from('challenge-123') });
    const answer = await waiting;
    expect(answer?.status).toBe(200);
    expect(answer?.body.toString()).toBe('challenge-123');
    // Answered before anyone waited: found in its key.
    expect((await answerer!.waitForAnswer('ch', seq, 1_000))?.body.toString()).toBe('challenge-123');
    expect(await holder!.waitForAnswer('ch', 'no-such-seq', 50)).toBeUndefined();
  });

  it('rejects with StoreUnavailableError while Redis is down, and works again once it is back', async () => {
    // No ingress cache: every lookup asks Redis, as one does a second after the last delivery.
    const [store] = await stores(1, { backlog: 0, ingressCacheMs: 0 });
    const channel = channelNamed('ch');
    await store!.createChannel(channel);
    expect(await store!.channelByIngress(channel.ingressId)).toEqual(channel);
    await store!.append('ch', relayRecord(), 'u');
    await redis().kill();
    try {
      // A channel this relay knew is still found, so ingress reaches append and its 503 (not a 404 or a 500).
      expect(await store!.channelByIngress(channel.ingressId)).toEqual(channel);
      await expect(store!.channelByIngress('never-seen')).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store!.append('ch', relayRecord(), 'u')).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store!.take({ channel: 'ch', consumer: 'c', member: 'c' }, 1)).rejects.toBeInstanceOf(StoreUnavailableError);
    } finally {
      await redis().restart();
    }
    // The suite's Redis has no persistence: the channel is gone with it, so make it again once connected.
    await until(async () => store!.createChannel(channelNamed('ch')).then(() => true, () => false), 'the reconnection');
    expect((await store!.append('ch', relayRecord(), 'u')).seq).toMatch(/^\d+-\d+$/);
  });
});
