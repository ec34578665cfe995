/** The embedded relay store on its own: what survives a restart, retention, the backlog cap. */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RECORD_FORMAT, type DeliveryRecord } from '../../src/records/record.js';
import { EmbeddedRelayStore } from '../../src/relay/store-embedded.js';
import { BacklogFullError, type RelayStoreOptions } from '../../src/relay/store.js';

const OPTIONS: RelayStoreOptions = { retainMs: 60_000, backlog: 100, ackTimeoutMs: 60_000, retryScheduleMs: [0, 1_000, 2_000] };
const dirs: string[] = [];
const open: EmbeddedRelayStore[] = [];

async function openStore(dir: string, options: Partial<RelayStoreOptions> = {}): Promise<EmbeddedRelayStore> {
  const store = await EmbeddedRelayStore.open(dir, { ...OPTIONS, ...options });
  open.push(store);
  return store;
}

function record(body: string): DeliveryRecord & { rawHeaders: string[] } {
  return { format: RECORD_FORMAT, id: `id-${body}`, capturedAt: new Date().toISOString(), method: 'POST', path: '/', headers: {}, body, bodyEncoding: 'utf8' as const, bytes: body.length, scheme: null, eventId: null, eventType: null, verified: null, reason: null, duplicate: false, rawHeaders: ['X-A', '1'] };
}

async function withChannel(dir: string, options: Partial<RelayStoreOptions> = {}) {
  const store = await openStore(dir, options);
  await store.createChannel({ name: 'c', ingressId: 'i'.repeat(32), tokenHash: '0'.repeat(64), respond: 'stored', createdAt: new Date().toISOString() });
  return store;
}

const ref = { channel: 'c', consumer: 'laptop', member: 'laptop' };

afterEach(async () => {
  await Promise.all(open.splice(0).map((store) => store.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hookctl-relay-store-'));
  dirs.push(dir);
  return join(dir, 'store');
}

describe('the embedded relay store', () => {
  it('keeps acks, retries and dead letters across a restart, and sends again whatever was in flight', async () => {
    const dir = tempDir();
    const store = await withChannel(dir, { retryScheduleMs: [0, 60_000] });
    for (const body of ['1', '2', '3', '4', '5', '6']) await store.append('c', record(body), 'http://relay/in/x');
    const taken = await store.take(ref, 10);
    expect(taken.map((entry) => entry.seq)).toEqual(['1', '2', '3', '4', '5', '6']);
    await store.ack(ref, ['2', '4']);
    await store.fail(ref, [{ seq: '3', error: 'app 500' }]);
    await store.fail(ref, [{ seq: '6', error: 'app 500' }]);
    await store.fail(ref, [{ seq: '6', error: 'app 502' }]);
    await store.close();
    open.pop();

    const again = await openStore(dir, { retryScheduleMs: [0, 60_000] });
    expect((await again.listChannels()).map((channel) => channel.name)).toEqual(['c']);
    const status = await again.status('c');
    expect(status.consumers).toEqual([expect.objectContaining({ consumer: 'laptop', retrying: 1, dead: 1, inFlight: 0 })]);
    // 1 and 5 were in flight: sent again. 3 waits for its retry; 6 is dead; 2 and 4 were acknowledged.
    const resent = await again.take(ref, 10);
    expect(resent.map((entry) => [entry.seq, entry.record.body, entry.record.rawHeaders])).toEqual([
      ['1', '1', ['X-A', '1']],
      ['5', '5', ['X-A', '1']],
    ]);
    const dead = await again.dead('c');
    expect(dead).toEqual([expect.objectContaining({ seq: '6', consumer: 'laptop', attempts: 2, error: 'app 502' })]);
    expect(await again.requeue('c')).toBe(1);
    expect((await again.take(ref, 10)).map((entry) => [entry.seq, entry.attempt])).toEqual([['6', 0]]);
  });

  it('refuses appends over the backlog of the slowest consumer, and takes them again once it settles', async () => {
    const store = await withChannel(tempDir(), { backlog: 2 });
    await store.append('c', record('a'), 'u');
    await store.append('c', record('b'), 'u');
    await expect(store.append('c', record('c'), 'u')).rejects.toBeInstanceOf(BacklogFullError);
    const taken = await store.take(ref, 10);
    await store.ack(ref, taken.map((entry) => entry.seq));
    await expect(store.append('c', record('c'), 'u')).resolves.toMatchObject({ seq: '3' });
  });

  it('drops entries past retention, and their segment files', async () => {
    const dir = tempDir();
    const store = await withChannel(dir, { retainMs: 1_000 });
    for (const body of ['1', '2', '3']) await store.append('c', record(body), 'u');
    const segments = () => readdirSync(join(dir, 'channels', 'c')).filter((name) => name.startsWith('seg-'));
    expect(segments()).toHaveLength(1);
    expect(statSync(join(dir, 'channels', 'c', segments()[0]!)).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'channels')).mode & 0o777).toBe(0o700);
    expect(await store.trim(Date.now() + 2_000)).toBe(3);
    expect(await store.take(ref, 10)).toEqual([]);
    expect((await store.status('c')).stored).toBe(0);
    // The file that held them is gone at the next trim (a fresh one takes new deliveries).
    await store.trim(Date.now() + 2_000);
    expect(segments()).toHaveLength(1);
    // Seqs carry on across a restart even with every old file gone (a consumer's floor is 3).
    await store.close();
    open.pop();
    const again = await openStore(dir, { retainMs: 1_000 });
    await again.append('c', record('4'), 'u');
    expect((await again.take(ref, 10)).map((entry) => entry.seq)).toEqual(['4']);
  });
});

describe('the embedded relay store settles each entry once', () => {
  it('ignores a failure reported for an entry already acknowledged, and an ack for a seq it does not hold', async () => {
    const store = await withChannel(tempDir());
    await store.append('c', record('x'), 'u');
    const [entry] = await store.take(ref, 10);
    await store.ack(ref, [entry!.seq, '999']);
    await store.fail(ref, [{ seq: entry!.seq, error: 'late' }]);
    const status = await store.status('c');
    expect(status.consumers[0]).toMatchObject({ waiting: 0, inFlight: 0, retrying: 0, dead: 0 });
    expect(await store.take(ref, 10)).toEqual([]);
    await store.append('c', record('y'), 'u');
    expect((await store.take(ref, 10)).map((one) => one.record.body)).toEqual(['y']);
  });
});

describe('the embedded relay store across segment files', () => {
  it('indexes concurrent appends that straddle a roll, reads them back, and deletes settled segments', async () => {
    const dir = tempDir();
    const store = await withChannel(dir, { segmentBytes: 2_048 } as Partial<RelayStoreOptions>);
    const bodies = Array.from({ length: 60 }, (_, i) => `${String(i).padStart(3, '0')}-${'x'.repeat(200)}`);
    await Promise.all(bodies.map((body) => store.append('c', record(body), 'u')));
    const segments = () => readdirSync(join(dir, 'channels', 'c')).filter((name) => name.startsWith('seg-')).sort();
    expect(segments().length).toBeGreaterThan(10);
    const taken = await store.take(ref, 100);
    expect(taken.map((entry) => entry.record.body)).toEqual(bodies);
    expect(taken.map((entry) => Number(entry.seq))).toEqual(bodies.map((_, i) => i + 1));
    await store.ack(ref, taken.slice(0, 40).map((entry) => entry.seq));
    await store.trim(Date.now());
    // The files that held only settled entries are gone; the first one left holds entry 41.
    const first = Number(segments()[0]!.slice(4, -4));
    expect(first).toBeGreaterThan(30);
    expect(first).toBeLessThanOrEqual(41);
    await store.close();
    open.pop();
    // After a restart the rest is still there, in order.
    const again = await openStore(dir, { segmentBytes: 2_048 } as Partial<RelayStoreOptions>);
    expect((await again.take(ref, 100)).map((entry) => entry.record.body)).toEqual(bodies.slice(40));
  });
});
