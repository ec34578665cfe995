/**
 * `listen --relay` when things go wrong, with real processes: a subscriber that was offline, one
 * killed mid-stream, a relay frozen past two heartbeats, an app answering 5xx, a wrong token, a
 * relay that is not there yet; and each transport delivering in order.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { freePort } from '../helpers/free-port.js';
import { startServer, type ReceivedRequest } from '../helpers/server.js';
import { cleanup, cleanupShared, createChannel, deliver, onCleanup, startRelay, startSubscriber, tempDir, type Channel, type Relay } from './subscriber-support.js';

afterEach(cleanup);
afterAll(cleanupShared);

/** One relay for the tests that need nothing special of it (each has its own channel); a short retry schedule for the 5xx test. */
let shared: Relay;
beforeAll(async () => {
  shared = await startRelay({ shared: true, extra: ['--retry-schedule', '0,100ms,100ms,100ms'] });
});

function json(id: string): Buffer {
  return Buffer.from(`{"id":"${id}","type":"test.event","n":${Number(id.replace(/\D/g, '')) || 0}}`);
}

async function sendAll(channel: Channel, ids: readonly string[]): Promise<void> {
  for (const id of ids) {
    const answer = await deliver(channel.ingressUrl, json(id), { 'content-type': 'application/json', 'x-event-id': id });
    expect(answer.status, answer.body).toBe(200);
  }
}

const keys = (requests: readonly ReceivedRequest[]) => requests.map((request) => String(request.headers['idempotency-key']));
const range = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}${i}`);
const LISTEN = ['--id-header', 'x-event-id'];

describe('listen --relay, faults', () => {
  it('offline while 200 deliveries arrive, then started: all 200 in order, each Idempotency-Key once at the app', async () => {
    const channel = await createChannel(shared, 'offline');
    const app = await startServer();
    onCleanup(() => app.close());
    const ids = range('evt_off_', 200);
    await sendAll(channel, ids);
    const subscriber = await startSubscriber(channel, [...LISTEN, '--capture', tempDir(), '--forward-to', app.url]);
    await subscriber.cli.waitForLine((line) => /relay connected .*: 200 deliveries waiting/.test(line), { stream: 'stderr' });
    await app.waitForRequests(200);
    expect(keys(app.requests)).toEqual(ids);
    await subscriber.cli.waitForRecord((record) => record.type === 'delivery' && record.eventId === 'evt_off_199');
    const deliveries = subscriber.cli.records().filter((record) => record.type === 'delivery');
    expect(deliveries).toHaveLength(200);
    expect(deliveries.every((record) => record.via === 'relay' && record.status === 200)).toBe(true);
    // stdout is NDJSON only; the token shows nowhere, `ps` included.
    expect(subscriber.cli.stdoutLines.every((line) => JSON.parse(line) !== null)).toBe(true);
    expect(subscriber.cli.stdoutLines.join('\n') + subscriber.cli.stderrLines.join('\n')).not.toContain(channel.token);
    expect(readFileSync(`/proc/${subscriber.cli.child.pid}/cmdline`, 'utf8')).not.toContain(channel.token);
  });

  it.each(['sse', 'long-poll'])('SIGKILL mid-stream (%s), then a restart: what was in hand is delivered again, nothing is missing', async (transport) => {
    const channel = await createChannel(shared, `killed-${transport}`);
    let hold: (() => void) | undefined;
    const held = new Promise<void>((resolve) => (hold = resolve));
    let seen = 0;
    // The app holds its 10th request: the subscriber is killed with that delivery in hand.
    const app = await startServer(async (_request, res) => {
      if (++seen === 10) await held;
      res.end('ok');
    });
    onCleanup(() => app.close());
    const capture = tempDir();
    const first = await startSubscriber(channel, [...LISTEN, '--relay-transport', transport, '--durable', '--capture', capture, '--forward-to', app.url]);
    const ids = range('evt_kill_', 30);
    await sendAll(channel, ids);
    await app.waitForRequests(10);
    await first.cli.stop('SIGKILL');
    hold!();
    const second = await startSubscriber(channel, [...LISTEN, '--relay-transport', transport, '--durable', '--capture', capture, '--forward-to', app.url]);
    await second.cli.waitForLine((line) => /relay connected/.test(line), { stream: 'stderr' });
    const deadline = Date.now() + 15_000;
    while (new Set(keys(app.requests)).size < ids.length && Date.now() < deadline) await app.waitForRequests(app.requests.length + 1, deadline - Date.now()).catch(() => undefined);
    expect([...new Set(keys(app.requests))].sort()).toEqual([...ids].sort());
    // The one in hand when the subscriber died came again; the ledger (on disk before each answer:
    // --durable) kept the ones settled before it from repeating.
    expect(keys(app.requests).filter((key) => key === 'evt_kill_9').length).toBe(2);
    expect(app.requests.length).toBe(ids.length + 1);
  });

  it('the relay frozen (SIGSTOP) longer than two heartbeats: the watchdog reconnects once it resumes', async () => {
    const relay = await startRelay({ heartbeat: '150ms' });
    const channel = await createChannel(relay, 'frozen');
    const app = await startServer();
    onCleanup(() => app.close());
    const subscriber = await startSubscriber(channel, [...LISTEN, '--no-capture', '--forward-to', app.url]);
    await subscriber.cli.waitForLine((line) => /relay connected/.test(line), { stream: 'stderr' });
    relay.cli.child.kill('SIGSTOP');
    onCleanup(() => relay.cli.child.kill('SIGCONT'));
    await subscriber.cli.waitForLine((line) => /relay: reconnecting in .*no heartbeat from the relay/.test(line), { stream: 'stderr' });
    relay.cli.child.kill('SIGCONT');
    await subscriber.cli.waitForLine((line) => /relay reconnected/.test(line), { stream: 'stderr' });
    await sendAll(channel, ['evt_after_freeze']);
    await app.waitForRequests(1);
    expect(keys(app.requests)).toEqual(['evt_after_freeze']);
  });

  it('each transport delivers, in order: sse, long-poll, poll', async () => {
    for (const transport of ['sse', 'long-poll', 'poll']) {
      const channel = await createChannel(shared, `t-${transport}`);
      const app = await startServer();
      onCleanup(() => app.close());
      const subscriber = await startSubscriber(channel, [...LISTEN, '--no-capture', '--relay-transport', transport, '--forward-to', app.url]);
      await subscriber.cli.waitForLine((line) => new RegExp(`relay connected \\(${transport},`).test(line), { stream: 'stderr' });
      const ids = range(`evt_${transport}_`, 5);
      await sendAll(channel, ids);
      await app.waitForRequests(5);
      expect(keys(app.requests), transport).toEqual(ids);
      await subscriber.cli.stop();
    }
  });

  it('an app answering 5xx: not acknowledged, so the relay tries again on its schedule until the app takes it', async () => {
    const channel = await createChannel(shared, 'flaky');
    let calls = 0;
    const app = await startServer((_request, res) => {
      res.statusCode = ++calls <= 2 ? 503 : 200;
      res.end();
    });
    onCleanup(() => app.close());
    const subscriber = await startSubscriber(channel, [...LISTEN, '--capture', tempDir(), '--forward-to', app.url]);
    await sendAll(channel, ['evt_flaky']);
    await app.waitForRequests(3);
    const records = await subscriber.cli.waitForRecord((record) => record.type === 'delivery' && record.status === 200);
    expect(records).toMatchObject({ via: 'relay', eventId: 'evt_flaky' });
    const statuses = subscriber.cli.records().filter((record) => record.type === 'delivery').map((record) => Number(record.status));
    expect(statuses).toHaveLength(3);
    expect(statuses.slice(0, 2).every((status) => status >= 500)).toBe(true);
    expect(keys(app.requests)).toEqual(['evt_flaky', 'evt_flaky', 'evt_flaky']);
  });

  it('a wrong token: one line, exit 2, before anything else', async () => {
    const channel = await createChannel(shared, 'locked');
    const wrong = join(tempDir(), 'wrong-token');
    writeFileSync(wrong, 'not-the-token\n', { mode: 0o600 });
    const result = await runCli(['listen', '--port', '0', '--no-capture', '--relay', channel.subscribeUrl, '--relay-token-file', wrong]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^hookctl: --relay: .* refused this subscriber \(401/);
    expect(result.stderr).not.toContain('not-the-token');
    // An unknown channel gets the same answer.
    const unknown = await runCli(['listen', '--port', '0', '--no-capture', '--relay', channel.subscribeUrl.replace(/locked$/, 'nope')], { env: { HOOKCTL_RELAY_TOKEN: readFileSync(channel.tokenFile, 'utf8').trim() } });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('the token rotated while listening: the listener stops with one clear line and exit 2', async () => {
    const channel = await createChannel(shared, 'rotated');
    const subscriber = await startSubscriber(channel, ['--no-capture']);
    await subscriber.cli.waitForLine((line) => /relay connected/.test(line), { stream: 'stderr' });
    const rotated = await runCli(['relay', 'channel', 'rotate-token', 'rotated', '--server', shared.url, '--admin-token-file', shared.adminTokenFile, '--json']);
    expect(rotated.code, rotated.stderr).toBe(0);
    const exit = await subscriber.cli.exited;
    expect(exit.code).toBe(2);
    expect(subscriber.cli.stderrLines.at(-1)).toMatch(/^hookctl: --relay: .* refused this subscriber \(401/);
    expect(subscriber.cli.records().at(-1)).toMatchObject({ type: 'summary' });
  });

  it('a relay that is not up yet is retried with backoff, not an exit; deliveries flow once it is', async () => {
    const port = await freePort();
    const storeDir = join(tempDir(), 'store');
    const first = await startRelay({ port, storeDir });
    const channel = await createChannel(first, 'later');
    await first.cli.stop('SIGKILL');
    const app = await startServer();
    onCleanup(() => app.close());
    const subscriber = await startSubscriber(channel, [...LISTEN, '--no-capture', '--forward-to', app.url]);
    await subscriber.cli.waitForLine((line) => /relay: reconnecting in .*\(attempt 2\)/.test(line), { stream: 'stderr' });
    await startRelay({ port, storeDir, adminTokenFile: first.adminTokenFile });
    await subscriber.cli.waitForLine((line) => /relay connected/.test(line), { stream: 'stderr', timeoutMs: 20_000 });
    await sendAll(channel, ['evt_later']);
    await app.waitForRequests(1);
    expect(keys(app.requests)).toEqual(['evt_later']);
  });
});

describe('several subscribers on one channel', () => {
  it('each name gets every delivery; the members of a group share them', async () => {
    const everyone = await createChannel(shared, 'fanout');
    const app = await startServer();
    onCleanup(() => app.close());
    const subscribers = await Promise.all(['laptop', 'ci'].map((name) => startSubscriber(everyone, [...LISTEN, '--no-capture', '--relay-name', name, '--forward-to', app.url])));
    for (const subscriber of subscribers) await subscriber.cli.waitForLine((line) => /relay connected/.test(line), { stream: 'stderr' });
    await sendAll(everyone, range('evt_fan_', 3));
    await app.waitForRequests(6);
    expect(keys(app.requests).sort()).toEqual([...range('evt_fan_', 3), ...range('evt_fan_', 3)].sort());

    const teamChannel = await createChannel(shared, 'shared');
    const team = await startServer();
    onCleanup(() => team.close());
    const members = await Promise.all(['a', 'b'].map((name) => startSubscriber(teamChannel, [...LISTEN, '--no-capture', '--relay-name', name, '--relay-group', 'team', '--forward-to', team.url])));
    for (const member of members) await member.cli.waitForLine((line) => /relay connected \(sse, as team/.test(line), { stream: 'stderr' });
    const ids = range('evt_team_', 6);
    await sendAll(teamChannel, ids);
    await team.waitForRequests(6);
    const reported = () => members.flatMap((member) => member.cli.records().filter((record) => record.type === 'delivery'));
    expect(keys(team.requests).sort()).toEqual([...ids].sort());
    // The records are printed just after the app answered: wait for them on either member's stdout.
    const deadline = Date.now() + 10_000;
    while (reported().length < 6 && Date.now() < deadline) await Promise.race(members.map((member) => member.cli.waitForLine(() => reported().length >= 6, { timeoutMs: 250 }).catch(() => undefined)));
    expect(reported()).toHaveLength(6);
  });
});
