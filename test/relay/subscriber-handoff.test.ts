/**
 * How a relayed entry enters the listener: over loopback HTTP, as the provider sent it, with this
 * run's marker header (src/relay/to-listener.ts, src/listen/relayed.ts). Real listener, real app.
 */
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeBody, RECORD_FORMAT } from '../../src/records/record.js';
import type { RelayEntry } from '../../src/relay/protocol.js';
import { ListenerHandOff } from '../../src/relay/to-listener.js';
import { startServer } from '../helpers/server.js';
import { cleanup, listen, onCleanup, post, tempDir } from '../listen/support.js';
import { twilioWebhooks } from '../schemes/support.js';

afterEach(cleanup);

const MARKER = 'test-marker-0123456789';

function entry(seq: string, ingressUrl: string, path: string, rawHeaders: string[], body: Uint8Array, method = 'POST'): RelayEntry {
  const headers: Record<string, string> = {};
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    headers[name] = headers[name] === undefined ? rawHeaders[i + 1]! : `${headers[name]}, ${rawHeaders[i + 1]}`;
  }
  return {
    seq,
    attempt: 0,
    ingressUrl,
    respond: 'stored',
    record: { format: RECORD_FORMAT, id: `r${seq}`, capturedAt: new Date().toISOString(), method, path, headers, rawHeaders, ...encodeBody(body), scheme: null, eventId: null, eventType: null, verified: null, reason: null, duplicate: false },
  };
}

function handOff(url: string): ListenerHandOff {
  const off = new ListenerHandOff(url, MARKER);
  onCleanup(() => off.close());
  return off;
}

describe('a relayed entry handed to the listener', () => {
  it('Twilio: verified against the ingress URL the provider signed, re-signed for the app, recorded via relay', async () => {
    const token = 'twilio-auth-token';
    const app = await startServer();
    onCleanup(() => app.close());
    const appUrl = `${app.url}/sms`;
    const dir = tempDir();
    const listener = await listen({ scheme: 'twilio', secrets: [token], captureDir: dir, relayMarker: MARKER, forward: { url: appUrl } });
    const ingressUrl = 'https://relay.example.com/in/AbCdEf0123456789/sms?team=a';
    const params = { MessageSid: 'SM1', From: '+15005550006', Body: 'héllo & bye' };
    const form = new URLSearchParams(params).toString();
    const signature = twilioWebhooks.getExpectedTwilioSignature(token, ingressUrl, params);
    const raw = ['Host', 'relay.example.com', 'Content-Type', 'application/x-www-form-urlencoded', 'X-Twilio-Signature', signature, 'Connection', 'close'];
    const settlement = await handOff(listener.url).send(entry('1', ingressUrl, '/sms?team=a', raw, Buffer.from(form)));
    expect(settlement.outcome).toBe('ack');
    const [delivery] = await listener.waitForDeliveries(1);
    expect(delivery!.via).toBe('relay');
    expect(delivery!.verified).toBe(true);
    expect(delivery!.headers['hookctl-relay-entry']).toBeUndefined();
    const [request] = await app.waitForRequests(1);
    expect(request!.headers['hookctl-relay-entry']).toBeUndefined();
    expect(twilioWebhooks.validateRequest(token, String(request!.headers['x-twilio-signature']), appUrl, Object.fromEntries(new URLSearchParams(request!.body.toString('utf8'))))).toBe(true);
    // The capture record says where it came from.
    const { readFileSync, readdirSync } = await import('node:fs');
    const journal = readdirSync(dir).find((name) => name.endsWith('.ndjson'))!;
    const record = JSON.parse(readFileSync(`${dir}/${journal}`, 'utf8').trim().split('\n')[0]!) as { via?: string; receivedAt: string };
    expect(record.via).toBe('relay');
    expect(record.receivedAt).toBe(ingressUrl);
  });

  it('a request with a wrong marker is an ordinary delivery, and the header goes no further', async () => {
    const app = await startServer();
    onCleanup(() => app.close());
    const listener = await listen({ relayMarker: MARKER, forward: { url: app.url } });
    const response = await post(listener.url, '{"id":"evt_fake"}', { 'content-type': 'application/json', 'hookctl-relay-entry': 'guessed-marker https://evil.example/in/x' });
    expect(response.status).toBe(200);
    const [delivery] = await listener.waitForDeliveries(1);
    expect(delivery!.via).toBeUndefined();
    const [request] = await app.waitForRequests(1);
    expect(request!.headers['hookctl-relay-entry']).toBeUndefined();
  });

  it('the settlement follows the listener\'s answer: app 2xx and duplicates ack, app 4xx acks, app 5xx or down fails', async () => {
    let status = 200;
    const app = await startServer((_request, res) => {
      res.statusCode = status;
      res.end('app says');
    });
    onCleanup(() => app.close());
    const listener = await listen({ relayMarker: MARKER, idHeader: 'x-event-id', forward: { url: app.url } });
    const off = handOff(listener.url);
    const send = (seq: string, id: string) => off.send(entry(seq, 'https://relay.example.com/in/x', '/', ['Content-Type', 'application/json', 'X-Event-Id', id], Buffer.from(`{"n":${seq}}`)));
    expect((await send('1', 'a')).outcome).toBe('ack');
    expect((await send('2', 'a')).outcome).toBe('ack'); // duplicate
    status = 422;
    expect((await send('3', 'b')).outcome).toBe('ack');
    status = 503;
    const failed = await send('4', 'c');
    expect(failed).toMatchObject({ outcome: 'fail' });
    expect(failed.outcome === 'fail' && failed.error).toMatch(/the listener answered 503/);
    status = 200;
    expect((await send('5', 'c')).outcome).toBe('ack'); // the relay's retry is processed again
    expect(app.requests.map((r) => r.headers['x-event-id'])).toEqual(['a', 'b', 'c', 'c']);
    await listener.close();
    const down = await send('6', 'd');
    expect(down).toMatchObject({ outcome: 'fail' });
  });

  it('a body over the listener\'s --max-body fails (retried, then a dead letter the relay can requeue), not an ack that drops it', async () => {
    const listener = await listen({ relayMarker: MARKER, maxBodyBytes: 64 });
    const off = handOff(listener.url);
    const big = await off.send(entry('1', 'https://relay.example.com/in/x', '/', ['Content-Type', 'application/json'], Buffer.from(`{"pad":"${'x'.repeat(100)}"}`)));
    expect(big).toMatchObject({ outcome: 'fail' });
    expect(big.outcome === 'fail' && big.error).toMatch(/413.*--max-body/);
  });

  it('on the wire: method, path and query, headers in order with case and repeats, body bytes, framing fixed', async () => {
    let wire = Buffer.alloc(0);
    const server = createServer((socket) => {
      socket.on('data', (chunk: Buffer) => {
        wire = Buffer.concat([wire, chunk]);
        if (wire.includes('\r\n\r\n') && wire.length - wire.indexOf('\r\n\r\n') - 4 >= 4) socket.end('HTTP/1.1 204 No Content\r\n\r\n');
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    onCleanup(() => new Promise((resolve) => server.close(resolve)));
    const body = Buffer.from([0xff, 0x00, 0xfe, 0x80]);
    const raw = ['Host', 'relay.example.com', 'X-Dup', 'one', 'x-dup', 'Two', 'Transfer-Encoding', 'chunked', 'Keep-Alive', 'timeout=5', 'X-Last', 'z'];
    const settlement = await handOff(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`).send(entry('9', 'https://relay.example.com/in/x/p', '/p/q?a=1&a=2', raw, body, 'PUT'));
    expect(settlement.outcome).toBe('ack');
    const head = wire.subarray(0, wire.indexOf('\r\n\r\n')).toString('latin1').split('\r\n');
    expect(head[0]).toBe('PUT /p/q?a=1&a=2 HTTP/1.1');
    expect(head.slice(1, 5)).toEqual(['Host: relay.example.com', 'X-Dup: one', 'x-dup: Two', 'X-Last: z']);
    expect(head).toContain('Content-Length: 4');
    expect(head.some((line) => /^hookctl-relay-entry: test-marker-0123456789 https:\/\/relay\.example\.com\/in\/x\/p$/.test(line))).toBe(true);
    expect(head.some((line) => /transfer-encoding|keep-alive:/i.test(line))).toBe(false);
    expect(wire.subarray(wire.indexOf('\r\n\r\n') + 4)).toEqual(body);
  });
});
