/** The subscriber's small parts: the reconnect backoff and the server-sent events reader. */
import { describe, expect, it } from 'vitest';
import { Backoff } from '../../src/relay/backoff.js';
import { SseParser, type SseEvent } from '../../src/relay/sse.js';

describe('Backoff', () => {
  it('doubles up to the cap, half fixed and half jitter, and starts over after a success', () => {
    const low = new Backoff({ baseMs: 100, maxMs: 1000, random: () => 0 });
    const high = new Backoff({ baseMs: 100, maxMs: 1000, random: () => 0.999999 });
    expect(Array.from({ length: 6 }, () => low.next())).toEqual([50, 100, 200, 400, 500, 500]);
    expect(Array.from({ length: 6 }, () => high.next())).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(low.attempt).toBe(6);
    low.reset();
    expect(low.next()).toBe(50);
  });
});

describe('SseParser', () => {
  it('events split anywhere across chunks, CRLF or LF, comments ignored, the last id kept', () => {
    const text = ': hi\r\nretry: 1000\r\nevent: hello\r\ndata: {"a":1}\r\n\r\nid: 7\nevent: delivery\ndata: {"seq":"7",\ndata: "x":"é"}\n\nevent: ping\ndata: {}\n\n';
    const bytes = Buffer.from(text);
    for (const size of [1, 2, 3, 7, bytes.length]) {
      const events: SseEvent[] = [];
      const parser = new SseParser((event) => events.push(event));
      for (let i = 0; i < bytes.length; i += size) parser.push(bytes.subarray(i, i + size));
      expect(events).toEqual([
        { event: 'hello', data: '{"a":1}', id: undefined },
        { event: 'delivery', data: '{"seq":"7",\n"x":"é"}', id: '7' },
        { event: 'ping', data: '{}', id: '7' },
      ]);
    }
  });
});

describe('RelaySubscriber', () => {
  it('an unreachable relay is retried with growing waits; close() is idempotent and ends the retries', async () => {
    const { RelaySubscriber } = await import('../../src/relay/subscriber.js');
    const { freePort } = await import('../helpers/free-port.js');
    const port = await freePort();
    const attempts: Array<{ attempt: number; delayMs: number; reason: string }> = [];
    let third!: () => void;
    const thirdSeen = new Promise<void>((resolve) => (third = resolve));
    const subscriber = new RelaySubscriber({
      subscribeUrl: `http://127.0.0.1:${port}/sub/nobody`,
      token: 't',
      handle: () => Promise.reject(new Error('nothing to handle')),
      backoff: { baseMs: 10, maxMs: 40, random: () => 1 },
      on: {
        reconnecting: (info) => {
          attempts.push(info);
          if (attempts.length === 3) third();
        },
        connected: () => expect.fail('nothing listens there'),
      },
    });
    subscriber.start();
    await thirdSeen;
    const closing = subscriber.close();
    expect(subscriber.close()).toBe(closing);
    await closing;
    expect(attempts.slice(0, 3).map((info) => [info.attempt, info.delayMs])).toEqual([[1, 10], [2, 20], [3, 40]]);
    expect(attempts[0]!.reason).toMatch(/ECONNREFUSED/);
    const seen = attempts.length;
    await new Promise((resolve) => setImmediate(resolve));
    expect(attempts.length).toBe(seen);
  });
});
