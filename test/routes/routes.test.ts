import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { forwardRequest, matchRoutes, parseRoute, routesFrom } from '../../src/routes/index.js';
import { getScheme } from '../../src/schemes/registry.js';

describe('routes', () => {
  const pay = parseRoute('payment_intent.*=http://127.0.0.1:3000/pay');
  const billing = parseRoute('invoice.*, customer.*=http://127.0.0.1:3000/billing');
  const github = parseRoute('path:/github/*=http://127.0.0.1:4000/hooks');
  const pushOnly = parseRoute('type:push,path:/github/*=http://127.0.0.1:4000/push');
  const everything = routesFrom('http://127.0.0.1:5000/all')[0]!;
  const routes = [pay, billing, github, pushOnly, everything];
  const targets = (eventType: string | null, path = '/') => matchRoutes(routes, { eventType, path }).map((route) => route.url);

  it('parse filters and the target; the name is the route as written', () => {
    expect(pay).toEqual({ name: 'payment_intent.*=http://127.0.0.1:3000/pay', url: 'http://127.0.0.1:3000/pay', keepPath: false, types: ['payment_intent.*'], paths: [] });
    expect(billing.types).toEqual(['invoice.*', 'customer.*']);
    expect(pushOnly).toMatchObject({ types: ['push'], paths: ['/github/*'] });
    expect(everything).toEqual({ name: 'http://127.0.0.1:5000/all', url: 'http://127.0.0.1:5000/all', keepPath: false, types: [], paths: [] });
    // A target that names no path keeps each delivery's path.
    expect(parseRoute('type:push=http://127.0.0.1:4000').keepPath).toBe(true);
    expect(parseRoute('*=https://example.test/x?a=b').types).toEqual([]);
  });

  it('fan out: a delivery goes to every route it matches; types and paths are globs, both must match', () => {
    expect(targets('payment_intent.succeeded')).toEqual(['http://127.0.0.1:3000/pay', 'http://127.0.0.1:5000/all']);
    expect(targets('customer.created')).toEqual(['http://127.0.0.1:3000/billing', 'http://127.0.0.1:5000/all']);
    expect(targets('push', '/github/acme?x=1')).toEqual(['http://127.0.0.1:4000/hooks', 'http://127.0.0.1:4000/push', 'http://127.0.0.1:5000/all']);
    expect(targets('issues', '/github/acme')).toEqual(['http://127.0.0.1:4000/hooks', 'http://127.0.0.1:5000/all']);
    // A type filter never matches a delivery without a type; the dot in a glob is literal.
    expect(matchRoutes([pay], { eventType: null, path: '/' })).toEqual([]);
    expect(matchRoutes([pay], { eventType: 'payment_intentXsucceeded', path: '/' })).toEqual([]);
  });

  it('refuse malformed routes with the flag named', () => {
    const fail = (spec: string) => {
      try {
        parseRoute(spec);
      } catch (error) {
        expect(error).toBeInstanceOf(UserError);
        return (error as Error).message;
      }
      throw new Error('expected an error');
    };
    expect(fail('payment_intent.*')).toMatch(/^--route: "payment_intent\.\*" is not FILTER=URL/);
    expect(fail('path:=http://127.0.0.1:1/')).toMatch(/empty glob/);
    expect(() => routesFrom('http://127.0.0.1:1/', ['*=http://127.0.0.1:2/', '*=http://127.0.0.1:2/'])).toThrow(/given twice/);
  });
});

describe('the forwarded request', () => {
  const body = Buffer.from('{"id":"evt_1","type":"payment_intent.succeeded"}');
  const headers = {
    'content-type': 'application/json',
    'stripe-signature': 't=1,v1=old',
    connection: 'keep-alive, x-hop',
    'x-hop': 'dropped because Connection names it',
    'keep-alive': 'timeout=5',
    host: '127.0.0.1:8787',
    'content-length': String(body.length),
    'transfer-encoding': 'chunked',
    'x-custom': 'kept',
  };
  const source = { method: 'POST', path: '/', headers, body, eventId: 'evt_1', fallbackId: 'cap-1', scheme: getScheme('stripe') };

  it('keeps the original headers and body, drops hop-by-hop ones, adds Idempotency-Key: <event id>', () => {
    const request = forwardRequest(source, 'http://127.0.0.1:3000/pay');
    expect(request).toEqual({
      url: 'http://127.0.0.1:3000/pay',
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=old', 'x-custom': 'kept', 'idempotency-key': 'evt_1' },
    });
    expect(forwardRequest({ ...source, eventId: null }, 'http://127.0.0.1:3000/').headers['idempotency-key']).toBe('cap-1');
  });

  it('re-signs in the scheme the delivery arrived with, so the app verifies with its own secret', () => {
    const request = forwardRequest(source, 'http://127.0.0.1:3000/pay', { secret: 'whsec_app', fallbackScheme: 'auto', schemeOptions: {} });
    expect(request.headers['stripe-signature']).not.toBe('t=1,v1=old');
    const result = getScheme('stripe').verify({ body, headers: request.headers, secrets: ['whsec_app'], toleranceSeconds: 300, nowMs: Date.now() });
    expect(result.verified).toBe(true);
  });

  it('a provider that signs the URL (Square) is re-signed for the app\'s URL with the secret it verified with; an in-body one (Mailgun) in its body', () => {
    const square = getScheme('square');
    const squareBody = Buffer.from('{"event_id":"e1","type":"payment.created"}');
    const sent = square.sign({ body: squareBody, secret: 'sq_key', timestamp: 1, id: 'e1', url: 'https://public.example.com/hooks' });
    const forwarded = forwardRequest({ method: 'POST', path: '/hooks', headers: sent, body: squareBody, eventId: 'e1', fallbackId: 'c1', scheme: square, verifiedWith: 'sq_key' }, 'http://127.0.0.1:3000/square');
    expect(square.verify({ body: squareBody, headers: forwarded.headers, secrets: ['sq_key'], nowMs: Date.now(), url: 'http://127.0.0.1:3000/square' }).verified).toBe(true);

    const mailgun = getScheme('mailgun');
    const original = Buffer.from(JSON.stringify({ signature: { timestamp: '1', token: 't', signature: '00' }, 'event-data': { event: 'delivered', id: 'mg1' } }));
    const resigned = forwardRequest({ method: 'POST', path: '/', headers: {}, body: original, eventId: 'mg1', fallbackId: 'c2', scheme: mailgun }, 'http://127.0.0.1:3000/mg', { secret: 'app-key', fallbackScheme: 'auto', schemeOptions: {} });
    expect(mailgun.verify({ body: resigned.body, headers: {}, secrets: ['app-key'], nowMs: Date.now() }).verified).toBe(true);
    expect(JSON.parse(Buffer.from(resigned.body).toString())['event-data']).toEqual({ event: 'delivered', id: 'mg1' });
  });
});
