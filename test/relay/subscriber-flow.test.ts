/**
 * The subscriber against a stand-in relay (a plain node:http server speaking the protocol), for
 * what the real one cannot be made to do on cue: end every stream right after its hello, stream
 * a backlog faster than the listener settles it, or take the connection and never answer.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RelayEntry } from '../../src/relay/protocol.js';
import { RelaySubscriber, type ReconnectingInfo } from '../../src/relay/subscriber.js';
import type { Settlement } from '../../src/relay/to-listener.js';
import { CliProcess } from '../helpers/cli.js';

const closers: Array<() => unknown> = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()!();
});

async function standIn(onEvents: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    if (req.url?.endsWith('/events')) return onEvents(req, res);
    // Acks and anything else: accepted.
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sub/test` };
}

function hello(res: ServerResponse, heartbeatMs: number): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.write(`event: hello\ndata: ${JSON.stringify({ channel: 'test', consumer: 'me', heartbeatMs, ackTimeoutMs: 60_000, waiting: 0 })}\n\n`);
}

/** Why a subscriber of `url` first reconnects. */
async function firstReconnectReason(url: string): Promise<string> {
  const seen: ReconnectingInfo[] = [];
  const subscriber = new RelaySubscriber({ subscribeUrl: url, token: 't', handle: () => Promise.reject(new Error('nothing is sent')), backoff: { baseMs: 10, maxMs: 20 }, on: { reconnecting: (info) => seen.push(info) } });
  closers.push(() => subscriber.close());
  subscriber.start();
  await until(() => seen.length >= 1);
  return seen[0]!.reason;
}

function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const check = () => {
      if (condition()) return resolve();
      if (Date.now() > deadline) return reject(new Error('condition not met in time'));
      setTimeout(check, 10);
    };
    check();
  });
}

describe('RelaySubscriber reconnects', () => {
  it('a relay that ends each stream right after its hello (another process took the same name) is backed off from, not hit in a loop', async () => {
    let streams = 0;
    const { url } = await standIn((_req, res) => {
      streams++;
      hello(res, 60_000);
      res.end();
    });
    const seen: ReconnectingInfo[] = [];
    const subscriber = new RelaySubscriber({
      subscribeUrl: url,
      token: 't',
      handle: () => Promise.reject(new Error('nothing is sent')),
      backoff: { baseMs: 10, maxMs: 10_000, random: () => 1 },
      on: { reconnecting: (info) => seen.push(info) },
    });
    closers.push(() => subscriber.close());
    subscriber.start();
    await until(() => seen.length >= 5);
    // Each short-lived connection counts as a failed attempt: the waits grow, they do not start over.
    expect(seen.slice(0, 5).map((info) => info.delayMs)).toEqual([10, 20, 40, 80, 160]);
    expect(seen[0]!.reason).toMatch(/closed the connection right after connecting.*--relay-name/);
    expect(streams).toBeLessThanOrEqual(6);
  });
});

describe('RelaySubscriber and a 200 that is not an event stream', () => {
  it('(a captive portal, a proxy\'s page) is a reconnect that says what came, not a quiet "closed the connection"', async () => {
    const { url } = await standIn((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<html>sign in to the wifi</html>'));
    expect(await firstReconnectReason(url)).toBe('the relay answered 200 with text/html, not an event stream (a proxy or captive portal in the way?)');
  });
});

describe('RelaySubscriber and a stream cut mid-way', () => {
  it('says the stream broke off, not a bare "aborted"', async () => {
    const { url } = await standIn((_req, res) => {
      hello(res, 60_000);
      res.write(': and then nothing\n\n', () => res.socket?.destroy());
    });
    expect(await firstReconnectReason(url)).toBe("the relay's stream broke off (aborted)");
  });
});

describe('RelaySubscriber over long-polling', () => {
  it('acknowledges each entry of a batch once it is settled, not when the whole batch is (a respond: wait provider is waiting on it)', async () => {
    const acks: string[] = [];
    let polls = 0;
    const entry = (seq: string) => ({ seq, attempt: 0, ingressUrl: 'http://relay.test/in/x', respond: 'wait', record: { path: '/' } });
    const server = createServer((req, res) => {
      if (req.url?.includes('/poll')) {
        // The first poll carries a batch of two; later ones are held open (a long-poll with nothing new).
        if (polls++ > 0) return;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ channel: 'test', consumer: 'me', heartbeatMs: 60_000, ackTimeoutMs: 60_000, waiting: 2, entries: [entry('1'), entry('2')] }));
        return;
      }
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk));
      req.on('end', () => {
        acks.push(...(JSON.parse(text) as { acks: string[] }).acks);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const subscriber = new RelaySubscriber({
      subscribeUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sub/test`,
      token: 't',
      transport: 'long-poll',
      handle: async (relayed: RelayEntry): Promise<Settlement> => {
        if (relayed.seq === '2') await released;
        return { outcome: 'ack', answer: { status: 200, headers: {}, body: Buffer.from('ok') } };
      },
    });
    closers.push(() => subscriber.close());
    closers.push(() => release());
    subscriber.start();
    await until(() => acks.includes('1'));
    expect(acks).toEqual(['1']);
    release();
    await until(() => acks.includes('2'));
  });
});

describe('RelaySubscriber closing', () => {
  it('settlements whose acknowledgement failed while it was closing are sent in its last one, not dropped', async () => {
    const ackBodies: string[] = [];
    let holdFirst: (() => void) | undefined;
    const server = createServer((req, res) => {
      if (req.url?.endsWith('/events')) {
        hello(res, 60_000);
        res.write(`id: 1\nevent: delivery\ndata: ${JSON.stringify({ seq: '1', attempt: 0, ingressUrl: 'http://relay.test/in/x', respond: 'stored', record: { path: '/' } })}\n\n`);
        return;
      }
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk));
      req.on('end', () => {
        ackBodies.push(text);
        // The first acknowledgement is held until the subscriber is closing, then fails.
        if (ackBodies.length === 1) holdFirst = () => res.writeHead(500).end('{"error":"store down"}');
        else res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));
    const subscriber = new RelaySubscriber({
      subscribeUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sub/test`,
      token: 't',
      handle: async (): Promise<Settlement> => ({ outcome: 'ack', answer: { status: 200, headers: {}, body: Buffer.alloc(0) } }),
    });
    subscriber.start();
    await until(() => holdFirst !== undefined);
    const closing = subscriber.close();
    holdFirst!();
    await closing;
    expect(ackBodies.map((body) => (JSON.parse(body) as { acks: string[] }).acks)).toEqual([['1'], ['1']]);
  });
});

describe('RelaySubscriber reads ahead only so far', () => {
  it('with a listener slower than the relay, it stops reading (the relay waits on its socket) instead of taking the backlog into memory, and the watchdog does not count the pause as silence', async () => {
    const total = 300;
    const padding = 'x'.repeat(64 * 1024);
    let written = 0;
    let blockedSince: number | undefined;
    const heartbeatMs = 200;
    const { url } = await standIn(async (_req, res) => {
      hello(res, heartbeatMs);
      const pings = setInterval(() => res.write(': ping\n\n'), heartbeatMs);
      res.on('close', () => clearInterval(pings));
      for (let seq = 1; seq <= total; seq++) {
        const entry = { seq: String(seq), attempt: 0, ingressUrl: 'http://relay.test/in/x', respond: 'stored', record: { padding } };
        if (!res.write(`id: ${seq}\nevent: delivery\ndata: ${JSON.stringify(entry)}\n\n`)) {
          blockedSince = Date.now();
          await new Promise((resolve) => res.once('drain', resolve));
          blockedSince = undefined;
        }
        written = seq;
      }
    });
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const handled: string[] = [];
    const reconnects: ReconnectingInfo[] = [];
    const subscriber = new RelaySubscriber({
      subscribeUrl: url,
      token: 't',
      handle: async (entry: RelayEntry): Promise<Settlement> => {
        await released;
        handled.push(entry.seq);
        return { outcome: 'ack', answer: { status: 200, headers: {}, body: Buffer.alloc(0) } };
      },
      on: { reconnecting: (info) => reconnects.push(info) },
    });
    closers.push(() => subscriber.close());
    // close() waits for the entry in hand: a failed assertion must not leave it held.
    closers.push(() => release());
    subscriber.start();
    // The relay is held up by the subscriber's full socket for longer than two heartbeats, or it got everything out.
    await until(() => written === total || (blockedSince !== undefined && Date.now() - blockedSince > 3 * heartbeatMs));
    expect(written).toBeLessThan(total);
    expect(reconnects).toEqual([]);
    release();
    await until(() => handled.length === total, 20_000);
    expect(handled).toEqual(Array.from({ length: total }, (_, i) => String(i + 1)));
    expect(reconnects).toEqual([]);
  });
});

describe('hookctl listen --relay', () => {
  it('a relay that takes the connection and never answers (a buffering proxy): the listener starts anyway and says so, long before the watchdog', async () => {
    const sockets = new Set<Socket>();
    const silent = createTcpServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    closers.push(() => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => silent.close(resolve));
    });
    const dir = mkdtempSync(join(tmpdir(), 'hookctl-relay-flow-'));
    closers.push(() => rmSync(dir, { recursive: true, force: true }));
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, 'hkr_test\n', { mode: 0o600 });
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/sub/test`;
    const cli = new CliProcess(['listen', '--port', '0', '--no-capture', '--relay', url, '--relay-token-file', tokenFile, '--json']);
    closers.push(() => cli.stop('SIGKILL'));
    // The watchdog would speak after 33 s (two default heartbeats and slack).
    await cli.waitForRecord((record) => record.type === 'listening', 12_000);
    await cli.waitForLine((line) => /relay: connecting: .* has not answered yet/.test(line), { stream: 'stderr' });
  });
});
