/**
 * `--route` on the listener, in line (no --ack-first): a delivery goes to every route it matches at
 * once and the sender gets the worst answer, so its retry reaches them all; a delivery no route
 * matches is processed (2xx) with nothing to forward. With --ack-first and no capture folder each
 * route gets its own in-memory forward.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseRoute } from '../../src/routes/route.js';
import { freePort } from '../helpers/free-port.js';
import { startServer, type Responder, type TestServer } from '../helpers/server.js';
import { cleanup, listen, onCleanup, post } from './support.js';

afterEach(cleanup);

async function app(respond?: Responder): Promise<TestServer> {
  const server = await startServer(respond);
  onCleanup(() => server.close());
  return server;
}

const json = { 'content-type': 'application/json' };
const body = (id: string, type: string) => JSON.stringify({ id, type });

describe('--route in line', () => {
  it('fan-out: every matching route gets it; all 2xx → 2xx; one refusing → its status and the id stays open; no route → 2xx, nothing forwarded', async () => {
    let auditStatus = 202;
    const billing = await app();
    const audit = await app((_request, res) => {
      res.statusCode = auditStatus;
      res.end('audit says so');
    });
    const listener = await listen({ forward: { routes: [parseRoute(`invoice.*=${billing.url}/billing`), parseRoute(`invoice.*,customer.*=${audit.url}/audit`)] } });

    const both = await post(listener.url, body('evt_1', 'invoice.paid'), json);
    expect(both.status).toBe(200);
    expect(billing.requests.map((r) => r.url)).toEqual(['/billing']);
    expect(audit.requests.map((r) => r.url)).toEqual(['/audit']);

    auditStatus = 409;
    const refused = await post(listener.url, body('evt_2', 'invoice.paid'), json);
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({ reason: 'forward_status' });
    // Not committed: the sender's retry reaches both routes again (billing sees the same key twice).
    auditStatus = 200;
    expect((await post(listener.url, body('evt_2', 'invoice.paid'), json)).status).toBe(200);
    expect(billing.requests.filter((r) => r.headers['idempotency-key'] === 'evt_2')).toHaveLength(2);
    expect((await post(listener.url, body('evt_2', 'invoice.paid'), json)).json).toMatchObject({ duplicate: true });

    const none = await post(listener.url, body('evt_3', 'charge.refunded'), json);
    expect(none.status).toBe(200);
    const deliveries = await listener.waitForDeliveries(5);
    expect(deliveries.at(-1)).toMatchObject({ eventId: 'evt_3', note: 'no route matches', forward: null });
    expect(listener.stats.unrouted).toBe(1);
    expect(billing.requests).toHaveLength(3);
  });

  it('an unreachable route makes it a 502 naming that route, even when another took it', async () => {
    const up = await app();
    const down = `http://127.0.0.1:${await freePort()}/down`;
    const listener = await listen({ forward: { url: `${up.url}/all`, routes: [parseRoute(`path:/stripe*=${down}`)] } });
    const answer = await post(`${listener.url}stripe`, body('evt_4', 'x'), json);
    expect(answer.status).toBe(502);
    expect(answer.json.error).toContain('/down');
    expect(up.requests).toHaveLength(1);
    const [delivery] = await listener.waitForDeliveries(1);
    expect(delivery!.note).toMatch(/forward failed: .*ECONNREFUSED.*\(1 of 2 routes\)/);
  });

  it('--ack-first --no-capture: one in-memory forward per matching route, each reported with its route', async () => {
    const a = await app();
    const b = await app();
    const routes = [parseRoute(`type:order.*=${a.url}/a`), parseRoute(`*=${b.url}/b`)];
    const listener = await listen({ forward: { routes, ackFirst: true } });
    expect((await post(listener.url, body('evt_5', 'order.placed'), json)).status).toBe(200);
    const forwards = await listener.waitForForwards(2);
    expect(forwards.map((f) => [f.route, f.delivered]).sort()).toEqual([
      [`*=${b.url}/b`, true],
      [`type:order.*=${a.url}/a`, true],
    ]);
    expect(listener.outbox).toBeNull();
  });
});
