/**
 * `hookctl relay serve` under its limits and after a crash: the backlog cap, SIGKILL after a 2xx,
 * the ack timeout. Each test runs its own relay (real CLI, port 0, embedded store).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ack, adminApi, createChannel, pollUntil, rawRequest, startRelayCli, type RelayUnderTest } from '../helpers/relay.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hookctl-relay-'));
  dirs.push(dir);
  return dir;
}

function bodyOf(record: { body: string; bodyEncoding: 'utf8' | 'base64' }): Buffer {
  return Buffer.from(record.body, record.bodyEncoding === 'base64' ? 'base64' : 'utf8');
}

const relays: RelayUnderTest[] = [];
/** A relay with a short ack timeout and heartbeat. */
let quick: RelayUnderTest;

beforeAll(async () => {
  quick = await startRelayCli(join(tempDir(), 'store'), ['--ack-timeout', '300ms', '--heartbeat', '50ms']);
  relays.push(quick);
});

afterAll(async () => {
  await Promise.all(relays.map((one) => one.stop('SIGKILL')));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('hookctl relay serve limits and crashes', () => {
  it('answers 503 + Retry-After over the backlog cap, and takes deliveries again once they are acknowledged', async () => {
    const capped = await startRelayCli(join(tempDir(), 'store'), ['--backlog', '2']);
    relays.push(capped);
    const channel = await createChannel(capped, 'capped');
    const send = () => rawRequest(channel.ingressUrl, 'POST', [['Content-Length', '1']], Buffer.from('x'));
    expect((await send()).status).toBe(200);
    expect((await send()).status).toBe(200);
    const refused = await send();
    expect(refused.status).toBe(503);
    expect(refused.headers.find(([name]) => name === 'retry-after')?.[1]).toMatch(/^\d+$/);
    const entries = await pollUntil(channel.subscribeUrl, channel.token, 2);
    expect(entries).toHaveLength(2);
    await ack(channel.subscribeUrl, channel.token, { acks: entries.map((entry) => entry.seq) });
    expect((await send()).status).toBe(200);
  });

  it('keeps a delivery answered 2xx when the relay is SIGKILLed right after, and delivers it after a restart', async () => {
    const store = join(tempDir(), 'store');
    const first = await startRelayCli(store);
    relays.push(first);
    const channel = await createChannel(first, 'durable');
    const body = Buffer.from('{"id":"evt_kill","amount":9007199254740993}');
    const answer = await rawRequest(channel.ingressUrl, 'POST', [['Content-Length', String(body.length)]], body);
    expect(answer.status).toBe(200);
    await first.stop('SIGKILL');
    const second = await startRelayCli(store);
    relays.push(second);
    // The same channel, token and ingress id after the restart (the port is new).
    const subscribeUrl = `${second.url}sub/durable`;
    const [entry] = await pollUntil(subscribeUrl, channel.token, 1);
    expect(bodyOf(entry!.record).equals(body)).toBe(true);
    const ingressId = new URL(channel.ingressUrl).pathname;
    expect((await rawRequest(`${second.url}${ingressId.slice(1)}`, 'POST', [['Content-Length', '1']], Buffer.from('2'))).status).toBe(200);
    // Acknowledged before a restart: not sent again after it.
    await ack(subscribeUrl, channel.token, { acks: [entry!.seq] });
    await second.stop('SIGINT');
    const third = await startRelayCli(store);
    relays.push(third);
    const after = await pollUntil(`${third.url}sub/durable`, channel.token, 1);
    expect(after.map((one) => bodyOf(one.record).toString())).toEqual(['2']);
  });

  it('sends again an entry not acknowledged within --ack-timeout', async () => {
    const channel = await createChannel(quick, 'timeout');
    await rawRequest(channel.ingressUrl, 'POST', [['Content-Length', '1']], Buffer.from('t'));
    const [first] = await pollUntil(channel.subscribeUrl, channel.token, 1);
    const started = Date.now();
    const [again] = await pollUntil(channel.subscribeUrl, channel.token, 1);
    expect(again!.seq).toBe(first!.seq);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('lets go of a stream whose reader reads nothing for longer than the ack timeout, and hands its entries back', async () => {
    const channel = await createChannel(quick, 'stalled');
    const target = new URL(`${channel.subscribeUrl}/events`);
    const stalled = connect(Number(target.port), target.hostname);
    stalled.on('error', () => {});
    stalled.write(`GET ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\nAuthorization: Bearer ${channel.token}\r\nHookctl-Subscriber: asleep\r\n\r\n`);
    const body = Buffer.alloc(60 * 1024, 0x7a);
    for (let i = 0; i < 200; i++) expect((await rawRequest(channel.ingressUrl, 'POST', [['Content-Length', String(body.length)]], body)).status).toBe(200);
    // The relay ends the stream (the reader's watchdog would reconnect), and what it had taken is waiting again.
    for (;;) {
      const status = await adminApi<{ consumers: Array<{ consumer: string; waiting: number; inFlight: number; members: string[] }> }>(quick, 'GET', 'api/channels/stalled/status');
      const asleep = status.consumers.find((consumer) => consumer.consumer === 'asleep')!;
      if (asleep.inFlight === 0) {
        expect(asleep.waiting).toBe(200);
        expect(asleep.members).toEqual([]);
        break;
      }
    }
    stalled.destroy();
  });
});
