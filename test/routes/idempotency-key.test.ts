/**
 * An event id with characters above U+00FF (issue 21.6) is forwarded with its Idempotency-Key
 * percent-encoded (UTF-8), instead of failing with "invalid idempotency-key header" on every retry.
 */
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { headerSafeKey } from '../../src/delivery/forward-request.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { cleanup, listen, onCleanup, post } from '../listen/support.js';

afterEach(cleanup);

const SECRET = 'whsec_idempotency_test_secret';

async function app(): Promise<TestServer> {
  const server = await startServer();
  onCleanup(() => server.close());
  return server;
}

describe('Idempotency-Key for any event id', () => {
  it('printable ASCII as it is; anything else percent-encoded as UTF-8, reversibly', () => {
    expect(headerSafeKey('evt_1NqW2e')).toBe('evt_1NqW2e');
    expect(headerSafeKey('evt_é')).toBe('evt_%C3%A9');
    expect(headerSafeKey('注文-42')).toBe('%E6%B3%A8%E6%96%87-42');
    expect(headerSafeKey('50%_off_注')).toBe('50%25_off_%E6%B3%A8');
    for (const id of ['evt_é', '注文-42', '50%_off_注', '😀\u0000x']) expect(decodeURIComponent(headerSafeKey(id))).toBe(id);
  });

  it('a Stripe event whose id holds CJK characters reaches the app, the key decodable to the id', async () => {
    const target = await app();
    const listener = await listen({ secrets: [SECRET], forward: { url: `${target.url}/hooks` } });
    const id = 'evt_注文_1';
    const body = Buffer.from(JSON.stringify({ id, type: 'invoice.paid', object: 'event' }));
    const t = Math.floor(Date.now() / 1000);
    const signature = createHmac('sha256', SECRET).update(`${t}.${body.toString('utf8')}`).digest('hex');
    const answer = await post(listener.url, body, { 'content-type': 'application/json', 'stripe-signature': `t=${t},v1=${signature}` });
    expect(answer.status).toBe(200);
    const [received] = await target.waitForRequests(1);
    expect(received!.headers['idempotency-key']).toBe('evt_%E6%B3%A8%E6%96%87_1');
    expect(decodeURIComponent(String(received!.headers['idempotency-key']))).toBe(id);
  });
});
