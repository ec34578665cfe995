/**
 * The relay as docs/relay-deploy.md deploys it: behind nginx (server-sent events through the proxy,
 * buffering off), and two `hookctl relay serve --redis` processes on one redis-server behind one
 * nginx, a delivery taken in by one relay reaching a subscriber on the other byte for byte (a bare
 * SSE client, and `hookctl listen --relay` forwarding to an app). Redis
 * down → ingress answers 503 + Retry-After (through nginx too), and works again once it is back.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { RelayEntry } from '../../src/relay/protocol.js';
import { CliProcess } from '../helpers/cli.js';
import { freePort } from '../helpers/free-port.js';
import { describeWithNginx, startNginx, type NginxServer } from '../helpers/nginx.js';
import { describeWithRedis } from '../helpers/redis-server.js';
import { startServer } from '../helpers/server.js';
import { cleanup, createChannel, entryBody, onCleanup, RELAY_LOCATION, send, SseSubscriber, startRelay, type RelayProcess } from './deploy-support.js';

/** Not UTF-8, a NUL, a JSON-looking start: bytes a re-serializing relay would change. */
function awkwardBody(): Buffer {
  return Buffer.concat([Buffer.from('{"id":12345678901234567890,"path":"a\\/b"}'), Buffer.from([0x00, 0xff, 0xfe, 0x80]), randomBytes(16)]);
}

/** Header names in mixed case, a repeated header, a signature-like value: kept as sent. */
function awkwardHeaders(tag: string): string[] {
  return ['Content-Type', 'application/octet-stream', 'X-Hub-Signature-256', `sha256=${tag}`, 'X-Repeat', 'first', 'x-repeat', 'second'];
}

function expectSameDelivery(entry: RelayEntry, body: Buffer, tag: string, ingressUrl: string): void {
  expect(entryBody(entry).equals(body)).toBe(true);
  const raw = entry.record.rawHeaders;
  const at = raw.indexOf('X-Hub-Signature-256');
  expect(raw[at + 1]).toBe(`sha256=${tag}`);
  expect(raw.slice(raw.indexOf('X-Repeat'), raw.indexOf('X-Repeat') + 4)).toEqual(['X-Repeat', 'first', 'x-repeat', 'second']);
  expect(entry.ingressUrl).toBe(ingressUrl);
}

describeWithNginx('the relay behind nginx (embedded store)', (nginxBinary) => {
  let nginx: NginxServer;
  let relay: RelayProcess;

  beforeAll(async () => {
    const port = await freePort();
    nginx = await startNginx(nginxBinary, { upstreams: [port], location: RELAY_LOCATION });
    relay = await startRelay(['--store', `${nginx.dir}/relay-store`], { port, publicUrl: nginx.url });
  });
  afterEach(cleanup);
  afterAll(async () => {
    await cleanup();
    await relay?.stop();
    await nginx?.stop();
  });

  it('streams a delivery sent through nginx to a subscriber connected through nginx while its stream stays open, byte for byte', async () => {
    const channel = await createChannel(nginx.url, relay.adminToken, 'behind-nginx');
    expect(channel.ingressUrl.startsWith(`${nginx.url}/in/`)).toBe(true);
    const subscriber = await SseSubscriber.open(channel.subscribeUrl, channel.token);
    for (const tag of ['one', 'two']) {
      const body = awkwardBody();
      const ingressUrl = `${channel.ingressUrl}/github/events?tag=${tag}`;
      const answer = await send(ingressUrl, { headers: awkwardHeaders(tag), body });
      expect(answer.status).toBe(200);
      // Arrives while the response is still open: nothing between the relay and the subscriber held it back.
      expectSameDelivery(await subscriber.nextDelivery(5_000), body, tag, ingressUrl);
      expect(subscriber.ended).toBe(false);
    }
  });
});

describeWithRedis(
  'two relays on one Redis behind nginx',
  (redis) => {
    describeWithNginx('(nginx)', (nginxBinary) => {
      let nginx: NginxServer;
      const relays: RelayProcess[] = [];

      beforeAll(async () => {
        const ports = [await freePort(), await freePort()];
        nginx = await startNginx(nginxBinary, { upstreams: ports, location: RELAY_LOCATION });
        // One admin token for the fleet: the first relay makes it, the second reads it.
        const adminTokenFile = join(nginx.dir, 'admin-token');
        for (const port of ports) relays.push(await startRelay(['--redis', redis().url], { port, publicUrl: nginx.url, adminTokenFile }));
      });
      afterEach(cleanup);
      afterAll(async () => {
        await cleanup();
        await Promise.all(relays.map((relay) => relay.stop()));
        await nginx?.stop();
      });

      it('hands a delivery taken in by either relay to a subscriber on the other, in order, byte for byte', async () => {
        // Made through nginx on whichever relay it picked; both relays know it (the channels live in Redis).
        const channel = await createChannel(nginx.url, relays[0]!.adminToken, 'shared');
        const subscriber = await SseSubscriber.open(channel.subscribeUrl, channel.token, 'laptop');
        const path = new URL(channel.ingressUrl).pathname;
        // One straight to each relay (so one of them is not the subscriber's), then four through nginx's round robin.
        const targets = [relays[0]!.url, relays[1]!.url, nginx.url, nginx.url, nginx.url, nginx.url];
        const sent: Array<{ body: Buffer; tag: string; ingressUrl: string }> = [];
        for (const [index, origin] of targets.entries()) {
          const tag = `d${index}`;
          const body = awkwardBody();
          const answer = await send(`${origin}${path}/stripe?n=${index}`, { headers: awkwardHeaders(tag), body });
          expect(answer.status).toBe(200);
          // The provider's URL as the relay saw it is built on --public-url, whichever relay took it in.
          sent.push({ body, tag, ingressUrl: `${nginx.url}${path}/stripe?n=${index}` });
        }
        for (const expected of sent) expectSameDelivery(await subscriber.nextDelivery(5_000), expected.body, expected.tag, expected.ingressUrl);
      });

      it('hookctl listen --relay through nginx forwards to the app what providers sent to either relay, byte for byte', async () => {
        const channel = await createChannel(nginx.url, relays[0]!.adminToken, 'to-app');
        const app = await startServer();
        onCleanup(() => app.close());
        const tokenFile = join(nginx.dir, 'to-app-token');
        writeFileSync(tokenFile, `${channel.token}\n`, { mode: 0o600 });
        const listener = new CliProcess(['listen', '--port', '0', '--relay', channel.subscribeUrl, '--relay-token-file', tokenFile, '--no-capture', '--forward-to', app.url, '--json']);
        onCleanup(() => listener.stop('SIGKILL'));
        await listener.waitForRecord((record) => record.type === 'listening');
        const path = new URL(channel.ingressUrl).pathname;
        const sent = [relays[0]!.url, relays[1]!.url, nginx.url].map((origin, index) => ({ origin, tag: `app${index}`, body: awkwardBody() }));
        for (const { origin, tag, body } of sent) expect((await send(`${origin}${path}/hooks`, { headers: awkwardHeaders(tag), body })).status).toBe(200);
        const received = await app.waitForRequests(3, 15_000);
        expect(received.map((request) => request.body.toString('base64'))).toEqual(sent.map(({ body }) => body.toString('base64')));
        expect(received.map((request) => request.headers['x-hub-signature-256'])).toEqual(sent.map(({ tag }) => `sha256=${tag}`));
        expect(listener.records().filter((record) => record.type === 'delivery').every((record) => record.via === 'relay')).toBe(true);
      });

      it('respond: wait passes the listener\'s answer back to the provider through whichever relay holds the request', async () => {
        const channel = await createChannel(nginx.url, relays[0]!.adminToken, 'challenge', 'wait');
        const tokenFile = join(nginx.dir, 'challenge-token');
        writeFileSync(tokenFile, `${channel.token}\n`, { mode: 0o600 });
        // 201: an answer only the listener gives (the relay itself says 200 stored, or 202 when nobody answered).
        const listener = new CliProcess(['listen', '--port', '0', '--relay', channel.subscribeUrl, '--relay-token-file', tokenFile, '--no-capture', '--id-header', 'x-event-id', '--status', '201', '--json']);
        onCleanup(() => listener.stop('SIGKILL'));
        await listener.waitForRecord((record) => record.type === 'listening');
        const path = new URL(channel.ingressUrl).pathname;
        // The listener's stream is on one relay; each relay in turn holds a provider's request.
        for (const [index, relay] of relays.entries()) {
          const answer = await send(`${relay.url}${path}`, { headers: { 'content-type': 'application/json', 'x-event-id': `evt_wait_${index}` }, body: `{"type":"invoice.paid","n":${index}}` });
          expect(answer.status).toBe(201);
          expect(JSON.parse(answer.body.toString())).toMatchObject({ ok: true, eventId: `evt_wait_${index}` });
        }
      });

      it('answers 503 + Retry-After while Redis is down, on both relays and through nginx, and takes deliveries again once it is back', async () => {
        const channel = await createChannel(nginx.url, relays[0]!.adminToken, 'outage');
        const path = new URL(channel.ingressUrl).pathname;
        // Each relay has taken a delivery for this channel before the outage.
        for (const relay of relays) expect((await send(`${relay.url}${path}`, { body: 'before' })).status).toBe(200);
        await redis().kill();
        try {
          for (const origin of [relays[0]!.url, relays[1]!.url, nginx.url]) {
            const answer = await send(`${origin}${path}`, { headers: { 'content-type': 'application/json' }, body: '{"during":"outage"}' });
            expect(answer.status).toBe(503);
            expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
          }
          // An ingress id this relay never saw cannot be looked up either: 503 too, never a 500.
          const unseen = await send(`${relays[0]!.url}/in/never-seen-ingress-id`, { body: '{}' });
          expect(unseen.status).toBe(503);
        } finally {
          await redis().restart();
        }
        // Each relay reconnects by itself (no restart); the channel survived (appendonly, fsync always).
        for (const relay of relays) {
          const deadline = Date.now() + 15_000;
          let status = 0;
          while (Date.now() < deadline && (status = (await send(`${relay.url}${path}`, { body: 'after' })).status) !== 200) await new Promise((resolve) => setTimeout(resolve, 50));
          expect(status).toBe(200);
        }
        const subscriber = await SseSubscriber.open(channel.subscribeUrl, channel.token, 'after-outage');
        const bodies = [];
        for (let i = 0; i < 4; i++) bodies.push(entryBody(await subscriber.nextDelivery(5_000)).toString());
        expect(bodies).toEqual(['before', 'before', 'after', 'after']);
      });
    });
  },
  { persistence: true },
);
