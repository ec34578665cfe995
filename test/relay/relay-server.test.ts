/**
 * `hookctl relay serve` as deployed: the real CLI on port 0 with an embedded store, channels made
 * with the CLI, providers writing exact bytes on a socket, subscribers over SSE and long-poll.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { ack, adminApi, createChannel, poll, pollUntil, rawRequest, SseReader, startRelayCli, type RelayUnderTest } from '../helpers/relay.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hookctl-relay-'));
  dirs.push(dir);
  return dir;
}

function bodyOf(record: { body: string; bodyEncoding: 'utf8' | 'base64' }): Buffer {
  return Buffer.from(record.body, record.bodyEncoding === 'base64' ? 'base64' : 'utf8');
}

/** Header lines as the relay must keep them: flattened name, value, name, value… */
function flat(headers: Array<[string, string]>): string[] {
  return headers.flatMap(([name, value]) => [name, value]);
}

const relays: RelayUnderTest[] = [];
let relay: RelayUnderTest;

beforeAll(async () => {
  relay = await startRelayCli(join(tempDir(), 'store'), ['--retry-schedule', '0,50ms', '--max-body', '64kb', '--wait-timeout', '400ms']);
  relays.push(relay);
});

afterAll(async () => {
  await Promise.all(relays.map((one) => one.stop('SIGKILL')));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('hookctl relay serve', () => {
  it('makes the admin token file private (0600) and prints the relay record first', () => {
    expect(statSync(relay.adminTokenFile).mode & 0o777).toBe(0o600);
    expect(JSON.parse(relay.process.stdoutLines[0]!)).toMatchObject({ type: 'relay', url: relay.url, publicUrl: relay.url });
  });

  it('keeps a second relay off the same store folder', async () => {
    const second = await runCli(['relay', 'serve', '--port', '0', '--store', join(relay.adminTokenFile, '..'), '--json']);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/--store: .*(lock|in use|held|process)/i);
    expect(second.stdout).toBe('');
  });

  it('keeps method, path, query, the raw header list and the body bytes, read back over SSE and long-poll alike', async () => {
    const channel = await createChannel(relay, 'bytes');
    expect(channel.token).toMatch(/^hkr_/);
    expect(channel.ingressUrl.startsWith(`${relay.url}in/`)).toBe(true);
    const host = new URL(relay.url).host;
    const sent = [
      {
        method: 'POST',
        suffix: '/github/hook?x=1&x=2',
        headers: [['Host', host], ['X-Signature', 'a'], ['x-signature', 'b'], ['X-MiXeD-CaSe', 'v'], ['Content-Type', 'application/octet-stream'], ['Content-Length', '6']] as Array<[string, string]>,
        body: Buffer.from([0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28]),
      },
      {
        method: 'POST',
        suffix: '',
        headers: [['Host', host], ['Content-Type', 'application/x-www-form-urlencoded'], ['Content-Length', '37']] as Array<[string, string]>,
        body: Buffer.from('To=%2B15551234567&Body=hi+there&a=%C3'),
      },
      {
        method: 'PUT',
        suffix: '/stripe',
        headers: [['host', host], ['Stripe-Signature', 't=1,v1=abc'], ['content-type', 'application/json'], ['content-length', '0']] as Array<[string, string]>,
        body: Buffer.from('{"id":1234567890123456789,"url":"https:\\/\\/x.test\\/a","n":1.50,"dup":1,"dup":2}'),
      },
    ];
    sent[2]!.headers[3]![1] = String(sent[2]!.body.length);
    sent[1]!.headers[2]![1] = String(sent[1]!.body.length);
    const sse = new SseReader(`${channel.subscribeUrl}/events`, channel.token, { 'hookctl-subscriber': 'sse-reader' });
    expect(await sse.opened).toBe(200);
    for (const request of sent) {
      const answer = await rawRequest(`${channel.ingressUrl}${request.suffix}`, request.method, request.headers, request.body);
      expect(answer.status).toBe(200);
    }
    await sse.waitFor((events) => events.filter((event) => event.event === 'delivery').length === 3);
    expect(sse.events[0]!.event).toBe('hello');
    const overSse = sse.deliveries();
    const overPoll = await pollUntil(channel.subscribeUrl, channel.token, 3, { subscriber: 'poll-reader' });
    sse.close();
    expect(overPoll).toHaveLength(3);
    for (const [i, request] of sent.entries()) {
      for (const entry of [overSse[i]!, overPoll[i]!]) {
        const record = entry.record as unknown as { method: string; path: string; rawHeaders: string[]; body: string; bodyEncoding: 'utf8' | 'base64'; bytes: number };
        expect(record.method).toBe(request.method);
        expect(record.path).toBe(request.suffix === '' ? '/' : request.suffix);
        // Connection: close is the test client's own line, last.
        expect(record.rawHeaders).toEqual([...flat(request.headers), 'Connection', 'close']);
        expect(bodyOf(record).equals(request.body)).toBe(true);
        expect(record.bytes).toBe(request.body.length);
      }
      expect(overPoll[i]!.ingressUrl).toBe(`${channel.ingressUrl}${request.suffix}`);
    }
    expect(overSse.map((entry) => entry.seq)).toEqual(overPoll.map((entry) => entry.seq));
    expect(overSse[0]!.record.bodyEncoding).toBe('base64');
  });

  it('sends again what was not acknowledged when a subscriber comes back, and nothing it acknowledged', async () => {
    const channel = await createChannel(relay, 'redeliver');
    for (let i = 1; i <= 3; i++) expect((await rawRequest(channel.ingressUrl, 'POST', [['Content-Length', '1']], Buffer.from(String(i)))).status).toBe(200);
    const first = new SseReader(`${channel.subscribeUrl}/events`, channel.token, { 'hookctl-subscriber': 'laptop' });
    await first.waitFor((events) => events.filter((event) => event.event === 'delivery').length === 3);
    const seqs = first.deliveries().map((entry) => entry.seq);
    expect(await ack(channel.subscribeUrl, channel.token, { acks: [seqs[0]] }, 'laptop')).toBe(200);
    first.close();
    const second = new SseReader(`${channel.subscribeUrl}/events`, channel.token, { 'hookctl-subscriber': 'laptop', 'last-event-id': seqs[2]! });
    await second.waitFor((events) => events.filter((event) => event.event === 'delivery').length === 2);
    expect(JSON.parse(second.events[0]!.data)).toMatchObject({ consumer: 'laptop', waiting: 2 });
    expect(second.deliveries().map((entry) => entry.seq).sort()).toEqual([seqs[1], seqs[2]].sort());
    await ack(channel.subscribeUrl, channel.token, { acks: [seqs[1], seqs[2]] }, 'laptop');
    second.close();
    // Another subscriber name gets every delivery on its own.
    const other = await pollUntil(channel.subscribeUrl, channel.token, 3, { subscriber: 'ci-runner' });
    expect(other.map((entry) => bodyOf(entry.record).toString())).toEqual(['1', '2', '3']);
  });

  it('retries a failed delivery on the schedule, then keeps it as a dead letter that relay dead lists and relay requeue puts back', async () => {
    const channel = await createChannel(relay, 'failing');
    await rawRequest(`${channel.ingressUrl}/hook`, 'POST', [['Content-Length', '4']], Buffer.from('fail'));
    const [first] = await pollUntil(channel.subscribeUrl, channel.token, 1);
    expect(first!.attempt).toBe(0);
    await ack(channel.subscribeUrl, channel.token, { failures: [{ seq: first!.seq, error: 'app answered 500' }] });
    const [retry] = await pollUntil(channel.subscribeUrl, channel.token, 1);
    expect(retry).toMatchObject({ seq: first!.seq, attempt: 1 });
    await ack(channel.subscribeUrl, channel.token, { failures: [{ seq: first!.seq, error: 'app answered 503' }] });

    const admin = ['--server', relay.url, '--admin-token-file', relay.adminTokenFile, '--channel', 'failing'];
    const dead = await runCli(['relay', 'dead', ...admin, '--json']);
    expect(dead.code).toBe(0);
    const records = dead.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(records[0]).toMatchObject({ type: 'dead', seq: first!.seq, consumer: 'poller', attempts: 2, error: 'app answered 503', method: 'POST', path: '/hook' });
    expect(records[1]).toEqual({ type: 'summary', dead: 1, shown: 1 });
    expect((await poll(channel.subscribeUrl, channel.token)).body.entries).toHaveLength(0);

    const [status, human] = await Promise.all([runCli(['relay', 'status', ...admin, '--json']), runCli(['relay', 'dead', ...admin])]);
    expect(JSON.parse(status.stdout)).toMatchObject({ type: 'status', channel: 'failing', stored: 1, consumers: [{ consumer: 'poller', dead: 1, retrying: 0, inFlight: 0 }] });
    expect(human.stdout).toContain('app answered 503');

    const requeue = await runCli(['relay', 'requeue', ...admin, '--all', '--json']);
    expect(JSON.parse(requeue.stdout)).toEqual({ type: 'requeued', count: 1, requested: 'all' });
    const [again] = await pollUntil(channel.subscribeUrl, channel.token, 1);
    expect(again).toMatchObject({ seq: first!.seq, attempt: 0 });
    expect(bodyOf(again!.record).toString()).toBe('fail');
    await ack(channel.subscribeUrl, channel.token, { acks: [first!.seq] });
    const after = await adminApi<{ consumers: unknown[] }>(relay, 'GET', 'api/channels/failing/status');
    expect(after.consumers[0]).toMatchObject({ waiting: 0, inFlight: 0, retrying: 0, dead: 0 });
  });

  it('answers a wrong token and an unknown channel identically', async () => {
    const channel = await createChannel(relay, 'secret');
    const wrong = await rawRequest(`${channel.subscribeUrl}/poll`, 'GET', [['Authorization', 'Bearer hkr_wrong']], Buffer.alloc(0));
    const unknown = await rawRequest(`${relay.url}sub/no-such-channel/poll`, 'GET', [['Authorization', 'Bearer hkr_wrong']], Buffer.alloc(0));
    const none = await rawRequest(`${channel.subscribeUrl}/events`, 'GET', [], Buffer.alloc(0));
    const strip = (response: typeof wrong) => ({ ...response, headers: response.headers.filter(([name]) => name !== 'date') });
    expect(wrong.status).toBe(401);
    expect(strip(unknown)).toEqual(strip(wrong));
    expect(strip(none)).toEqual(strip(wrong));
    // The right token works, and a rotated one stops working at once.
    expect((await poll(channel.subscribeUrl, channel.token)).status).toBe(200);
    const open = new SseReader(`${channel.subscribeUrl}/events`, channel.token);
    await open.waitFor((events) => events.some((event) => event.event === 'hello'));
    const rotated = await runCli(['relay', 'channel', 'rotate-token', 'secret', '--server', relay.url, '--admin-token-file', relay.adminTokenFile, '--json']);
    const fresh = JSON.parse(rotated.stdout) as { token: string };
    expect((await poll(channel.subscribeUrl, channel.token)).status).toBe(401);
    expect((await poll(channel.subscribeUrl, fresh.token)).status).toBe(200);
    // A stream opened with the old token is ended, not left reading.
    await open.ended;
    // An unknown ingress id: 404, and nothing about channels.
    expect((await rawRequest(`${relay.url}in/not-an-ingress-id`, 'POST', [['Content-Length', '0']], Buffer.alloc(0))).status).toBe(404);
    // The admin API wants the admin token.
    expect((await rawRequest(`${relay.url}api/channels`, 'GET', [['Authorization', `Bearer ${fresh.token}`]], Buffer.alloc(0))).status).toBe(401);
  });

  it('refuses a body over --max-body with 413 and stores nothing', async () => {
    const channel = await createChannel(relay, 'big');
    const big = Buffer.alloc(64 * 1024 + 1, 0x61);
    const answer = await rawRequest(channel.ingressUrl, 'POST', [['Content-Length', String(big.length)]], big);
    expect(answer.status).toBe(413);
    expect((await poll(channel.subscribeUrl, channel.token)).body.entries).toHaveLength(0);
    const chunked = await rawRequest(channel.ingressUrl, 'POST', [['Transfer-Encoding', 'chunked']], Buffer.concat([Buffer.from(`${big.length.toString(16)}\r\n`), big, Buffer.from('\r\n0\r\n\r\n')]));
    expect(chunked.status).toBe(413);
    const fits = Buffer.alloc(64 * 1024, 0x62);
    expect((await rawRequest(channel.ingressUrl, 'POST', [['Content-Length', String(fits.length)]], fits)).status).toBe(200);
  });

  it('respond: wait passes the listener\'s answer back to the provider, or 202 after --wait-timeout', async () => {
    const channel = await createChannel(relay, 'challenge', ['--respond', 'wait']);
    expect(channel.respond).toBe('wait');
    const body = Buffer.from('{"type":"url_verification","challenge":"abc123"}');
    const provider = rawRequest(channel.ingressUrl, 'POST', [['Content-Type', 'application/json'], ['Content-Length', String(body.length)]], body);
    const [entry] = await pollUntil(channel.subscribeUrl, channel.token, 1);
    expect(entry!.record.rawHeaders).toContain('application/json');
    await ack(channel.subscribeUrl, channel.token, { acks: [entry!.seq], answers: [{ seq: entry!.seq, status: 200, headers: { 'content-type': 'text/plain', 'x-app': 'yes' }, body: 'abc123', bodyEncoding: 'utf8' }] });
    const answer = await provider;
    expect(answer.status).toBe(200);
    expect(answer.body.toString()).toBe('abc123');
    expect(answer.headers).toContainEqual(['x-app', 'yes']);
    // Nobody answers: the provider gets 202 once the delivery is stored and the wait is over.
    const unanswered = await rawRequest(channel.ingressUrl, 'POST', [['Content-Length', '2']], Buffer.from('{}'));
    expect(unanswered.status).toBe(202);
  });
});

describe('hookctl relay serve: subscribers', () => {
  it('shares deliveries among the members of a group, and a new stream of a member replaces its old one', async () => {
    const channel = await createChannel(relay, 'group');
    for (const body of ['a', 'b']) await rawRequest(channel.ingressUrl, 'POST', [['Content-Length', '1']], Buffer.from(body));
    const one = await poll(channel.subscribeUrl, channel.token, { subscriber: 'runner-1', group: 'ci', max: 1 });
    const two = await poll(channel.subscribeUrl, channel.token, { subscriber: 'runner-2', group: 'ci', max: 1 });
    expect([...one.body.entries, ...two.body.entries].map((entry) => bodyOf(entry.record).toString())).toEqual(['a', 'b']);
    expect(one.body).toMatchObject({ consumer: 'ci' });
    expect((await poll(channel.subscribeUrl, channel.token, { subscriber: 'runner-3', group: 'ci' })).body.entries).toEqual([]);

    const first = new SseReader(`${channel.subscribeUrl}/events`, channel.token, { 'hookctl-subscriber': 'desk' });
    await first.waitFor((events) => events.filter((event) => event.event === 'delivery').length === 2);
    const second = new SseReader(`${channel.subscribeUrl}/events`, channel.token, { 'hookctl-subscriber': 'desk' });
    await first.ended;
    // What the old stream had unsettled comes on the new one.
    await second.waitFor((events) => events.filter((event) => event.event === 'delivery').length === 2);
    second.close();
  });

  it('a stalled subscriber holds up only its own stream: the relay stops taking entries for it once its socket is full', async () => {
    const channel = await createChannel(relay, 'stalled');
    const target = new URL(`${channel.subscribeUrl}/events`);
    // Connected, and never reads a byte.
    const stalled = connect(Number(target.port), target.hostname);
    stalled.write(`GET ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\nAuthorization: Bearer ${channel.token}\r\nHookctl-Subscriber: asleep\r\n\r\n`);
    const status = () => adminApi<{ consumers: Array<{ consumer: string; waiting: number; inFlight: number }> }>(relay, 'GET', 'api/channels/stalled/status');
    while (!(await status()).consumers.some((consumer) => consumer.consumer === 'asleep'));
    const body = Buffer.alloc(60 * 1024, 0x7a);
    const total = 300;
    for (let i = 0; i < total; i++) expect((await rawRequest(channel.ingressUrl, 'POST', [['Content-Length', String(body.length)]], body)).status).toBe(200);
    const asleep = (await status()).consumers.find((consumer) => consumer.consumer === 'asleep')!;
    expect(asleep.waiting + asleep.inFlight).toBe(total);
    // Taken: what fits in the socket's buffers (about 66 here) plus one batch; the rest stays on disk.
    expect(asleep.waiting).toBeGreaterThan(total / 5);
    stalled.destroy();
  });

  it('logs nothing of bodies, tokens or ingress ids', async () => {
    const channel = await createChannel(relay, 'quiet-secrets');
    const body = Buffer.from('{"card":"4242424242424242"}');
    await rawRequest(`${channel.ingressUrl}/x?token=querysecret`, 'POST', [['Authorization', 'Bearer provider-secret'], ['Content-Length', String(body.length)]], body);
    await pollUntil(channel.subscribeUrl, channel.token, 1);
    await relay.process.waitForRecord((record) => record.type === 'ingress' && record.channel === 'quiet-secrets');
    const printed = [...relay.process.stdoutLines, ...relay.process.stderrLines].join('\n');
    const ingressId = new URL(channel.ingressUrl).pathname.split('/')[2]!;
    for (const secret of [channel.token, ingressId, '4242424242424242', 'querysecret', 'provider-secret']) expect(printed).not.toContain(secret);
  });
});

describe('hookctl relay serve: flags', () => {
  it('wants one store (--store or --redis), and warns about a non-loopback --host', async () => {
    const dir = tempDir();
    const [both, none] = await Promise.all([
      runCli(['relay', 'serve', '--port', '0', '--store', join(dir, 's'), '--redis', 'redis://127.0.0.1:1']),
      runCli(['relay', 'serve', '--port', '0'], { env: { HOOKCTL_RELAY_ADMIN_TOKEN: 'x' } }),
    ]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--store and --redis');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--store');
    const exposed = await startRelayCli(join(dir, 'exposed'), ['--host', '0.0.0.0']);
    relays.push(exposed);
    await exposed.process.waitForLine((line) => line.includes('--host 0.0.0.0'), { stream: 'stderr' });
    await exposed.stop('SIGINT');
  });
});

describe('hookctl relay channel', () => {
  it('lists and deletes channels; a deleted channel\'s ingress is gone', async () => {
    const channel = await createChannel(relay, 'short-lived');
    const admin = ['--server', relay.url, '--admin-token-file', relay.adminTokenFile, '--json'];
    const list = await runCli(['relay', 'channel', 'list', ...admin]);
    const names = list.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(names.map((record) => record.name)).toContain('short-lived');
    expect(names.every((record) => record.type === 'channel' && record.token === undefined)).toBe(true);
    const removed = await runCli(['relay', 'channel', 'delete', 'short-lived', ...admin]);
    expect(JSON.parse(removed.stdout)).toEqual({ type: 'deleted', name: 'short-lived' });
    expect((await rawRequest(channel.ingressUrl, 'POST', [['Content-Length', '0']], Buffer.alloc(0))).status).toBe(404);
    const [again, wrongToken] = await Promise.all([
      runCli(['relay', 'channel', 'create', '--name', 'bad name!', ...admin]),
      runCli(['relay', 'channel', 'list', '--server', relay.url, '--json'], { env: { HOOKCTL_RELAY_ADMIN_TOKEN: 'nope' } }),
    ]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('not a usable channel name');
    expect(wrongToken.code).toBe(2);
    expect(wrongToken.stderr).toContain('refused the admin token');
  });
});
