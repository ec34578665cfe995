import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, listen, post } from './support.js';

afterEach(cleanup);

/** Opens a raw TCP connection to the listener, for clients that misbehave on purpose. */
async function rawClient(url: string): Promise<{ socket: Socket; response: Promise<string> }> {
  const { port } = new URL(url);
  const socket = connect(Number(port), '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let text = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  const response = new Promise<string>((resolve) => {
    socket.on('close', () => resolve(text));
    socket.on('error', () => {});
  });
  return { socket, response };
}

describe('fault injection, seen from a real client', () => {
  it('--fail-first N fails the first N deliveries of each event id, with --fail-status and Retry-After', async () => {
    const listener = await listen({ idHeader: 'x-id', faults: { failFirst: 2, failStatus: 503, retryAfterMs: 1500 } });
    const a1 = await post(listener.url, '{}', { 'x-id': 'a' });
    expect(a1.status).toBe(503);
    expect(a1.headers.get('retry-after')).toBe('2');
    expect(a1.json.reason).toBe('injected_failure');
    expect((await post(listener.url, '{}', { 'x-id': 'b' })).status).toBe(503);
    expect((await post(listener.url, '{}', { 'x-id': 'a' })).status).toBe(503);
    const a3 = await post(listener.url, '{}', { 'x-id': 'a' });
    expect(a3.status).toBe(200);
    // The failures did not count as processed: the first success is not a duplicate.
    expect(a3.json.duplicate).toBe(false);
    expect((await post(listener.url, '{}', { 'x-id': 'a' })).json.duplicate).toBe(true);
    expect(listener.stats.injected).toBe(3);
  });

  it('--fail-rate P fails that fraction of deliveries', async () => {
    const all = await listen({ faults: { failRate: 1, failStatus: 429 } });
    const statuses = await Promise.all(Array.from({ length: 5 }, (_, i) => post(all.url, `{"id":"${i}"}`).then((r) => r.status)));
    expect(statuses).toEqual([429, 429, 429, 429, 429]);
    const draws = [0.1, 0.9, 0.3, 0.7];
    const half = await listen({ faults: { failRate: 0.5, random: () => draws.shift() ?? 1 } });
    const seq: number[] = [];
    for (let i = 0; i < 4; i++) seq.push((await post(half.url, `{"id":"h${i}"}`)).status);
    expect(seq).toEqual([500, 200, 500, 200]);
  });

  it('--reset-rate drops the connection without an answer; the delivery was processed, so the retry is a duplicate', async () => {
    const draws = [0.0, 0.99];
    const listener = await listen({ idHeader: 'x-id', faults: { resetRate: 0.5, random: () => draws.shift() ?? 1 } });
    await expect(post(listener.url, '{}', { 'x-id': 'lost-answer' })).rejects.toThrow(/fetch failed/);
    const retry = await post(listener.url, '{}', { 'x-id': 'lost-answer' });
    expect(retry.status).toBe(200);
    expect(retry.json.duplicate).toBe(true);
    const [first] = await listener.waitForDeliveries(2);
    expect(first).toMatchObject({ reset: true, status: null });
    expect(listener.stats.resets).toBe(1);
  });

  it('--delay waits before answering; --status answers with a fixed code', async () => {
    const slow = await listen({ faults: { delayMs: 150 } });
    const started = performance.now();
    expect((await post(slow.url, '{"id":"slow"}')).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);

    const accepted = await listen({ faults: { status: 202 } });
    expect((await post(accepted.url, '{"id":"s"}')).status).toBe(202);
    const noContent = await listen({ faults: { status: 204 } });
    const empty = await post(noContent.url, '{"id":"s"}');
    expect([empty.status, empty.text]).toEqual([204, '']);
    const broken = await listen({ faults: { status: 500 } });
    const first = await post(broken.url, '{"id":"s"}');
    expect(first.status).toBe(500);
    expect(broken.stats.duplicates).toBe(0);
  });
});

describe('bad input never crashes the listener', () => {
  it('405 for unsupported methods, 404 off --path', async () => {
    const listener = await listen({ path: '/webhooks' });
    expect(listener.url).toMatch(/\/webhooks$/);
    const get = await fetch(listener.url);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST, PUT, PATCH');
    expect((await post(listener.url.replace('/webhooks', '/other'), '{}')).status).toBe(404);
    expect((await post(`${listener.url}?q=1`, '{}')).status).toBe(200);
    const deliveries = await listener.waitForDeliveries(3);
    expect(deliveries.map((d) => d.reason)).toEqual(['method_not_allowed', 'not_found', null]);
    expect(listener.stats.rejected).toBe(2);
  });

  it('413 on a declared Content-Length over --max-body, answered before the body is sent', async () => {
    const listener = await listen({ maxBodyBytes: 1024 });
    const { socket, response } = await rawClient(listener.url);
    // Ten megabytes announced, only a few bytes sent: the answer must not wait for the rest.
    socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10485760\r\n\r\n{"partial":');
    const text = await response;
    expect(text).toMatch(/^HTTP\/1\.1 413 /);
    expect(text).toMatch(/body_too_large/);
    expect((await post(listener.url, '{"id":"fine"}')).status).toBe(200);
  });

  it('413 for a chunked body that goes over the limit, counted as it arrives', async () => {
    const listener = await listen({ maxBodyBytes: 1000 });
    const { socket, response } = await rawClient(listener.url);
    socket.write('POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
    const chunk = 'x'.repeat(600);
    socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    // Never terminated: the listener must answer on its own.
    expect(await response).toMatch(/^HTTP\/1\.1 413 /);
    const big = await post(listener.url, 'y'.repeat(1001));
    expect(big.status).toBe(413);
  });

  it('Expect: 100-continue with an oversized body is refused without a 100 Continue', async () => {
    const listener = await listen({ maxBodyBytes: 10 });
    const { socket, response } = await rawClient(listener.url);
    socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n');
    const text = await response;
    expect(text).not.toMatch(/100 Continue/);
    expect(text).toMatch(/^HTTP\/1\.1 413 /);
  });

  it('a client that is slow with its headers, or its body, is cut off', async () => {
    const listener = await listen({ headerTimeoutMs: 200, bodyTimeoutMs: 200 });
    const slowHeaders = await rawClient(listener.url);
    slowHeaders.socket.write('POST / HTTP/1.1\r\nHost: x\r\n');
    const slowBody = await rawClient(listener.url);
    slowBody.socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"half":');
    const [headersAnswer, bodyAnswer] = await Promise.all([slowHeaders.response, slowBody.response]);
    expect(headersAnswer).toMatch(/^HTTP\/1\.1 408 /);
    expect(bodyAnswer).toMatch(/^HTTP\/1\.1 408 /);
    expect((await post(listener.url, '{"id":"after"}')).status).toBe(200);
  });

  it('malformed requests get 400 and the listener keeps serving', async () => {
    const listener = await listen();
    for (const garbage of ['GARBAGE\r\n\r\n', 'POST / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n', 'POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n', '\x00\x01\x02\r\n\r\n']) {
      const { socket, response } = await rawClient(listener.url);
      socket.write(garbage);
      expect(await response).toMatch(/^HTTP\/1\.1 400 /);
    }
    // A client that disconnects mid-body is no delivery, and no crash.
    const { socket } = await rawClient(listener.url);
    socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{"x"');
    socket.destroy();
    expect((await post(listener.url, '{"id":"still-here"}')).status).toBe(200);
  });
});
