import { describe, expect, it } from 'vitest';
import { RECORD_FORMAT, decodeBody, encodeBody, type DeliveryRecord } from '../../src/records/record.js';
import { eventTypeMatcher } from '../../src/replay/glob.js';
import { asIsRequest, replayableHeaders, resignedRequest } from '../../src/replay/request.js';
import { parseSince } from '../../src/commands/replay.js';
import { withCapturedPath } from '../../src/replay/plan.js';
import { getScheme } from '../../src/schemes/registry.js';
import { SECRET } from './support.js';

function record(body: string, headers: Record<string, string>, extra: Partial<DeliveryRecord> = {}): DeliveryRecord {
  return {
    format: RECORD_FORMAT,
    id: 'c1',
    capturedAt: '2026-01-15T10:00:00.000Z',
    receivedAt: null,
    method: 'POST',
    path: '/',
    headers,
    ...encodeBody(Buffer.from(body)),
    scheme: null,
    eventId: null,
    eventType: null,
    verified: null,
    reason: null,
    duplicate: false,
    ...extra,
  };
}

describe('--filter globs', () => {
  it('match event types with *, ?, {a,b} and comma lists; untyped events only with a bare *', () => {
    const cases: Array<[string, string | null, boolean]> = [
      ['invoice.*', 'invoice.payment_failed', true],
      ['invoice.*', 'invoices.paid', false],
      ['invoice.*', 'xinvoice.paid', false],
      ['orders/*', 'orders/create', true],
      ['push', 'push', true],
      ['push', 'pull_request.opened', false],
      ['pull_request.?pened', 'pull_request.opened', true],
      ['{payment_intent,charge}.succeeded', 'charge.succeeded', true],
      ['{payment_intent,charge}.succeeded', 'invoice.succeeded', false],
      ['ping, invoice.*', 'ping', true],
      ['ping,invoice.*', 'invoice.paid', true],
      ['a+b', 'a+b', true],
      ['a+b', 'aab', false],
      ['*', null, true],
      ['invoice.*', null, false],
    ];
    for (const [glob, type, expected] of cases) expect(eventTypeMatcher(glob)(type), `${glob} ~ ${type}`).toBe(expected);
  });
});

describe('--since', () => {
  it('reads durations ago and ISO times', () => {
    const now = Date.parse('2026-01-15T12:00:00Z');
    expect(parseSince('2h', now)).toBe(Date.parse('2026-01-15T10:00:00Z'));
    expect(parseSince('90s', now)).toBe(now - 90_000);
    expect(parseSince('2026-01-15T10:00:00Z', now)).toBe(Date.parse('2026-01-15T10:00:00Z'));
    expect(parseSince('2026-01-15', now)).toBe(Date.parse('2026-01-15'));
    expect(() => parseSince('soon', now)).toThrow(/--since: expected an ISO time/);
  });
});

describe('--keep-path', () => {
  it('joins the target path and the captured path and query', () => {
    expect(withCapturedPath('http://app.test', '/webhooks/stripe?x=1')).toBe('http://app.test/webhooks/stripe?x=1');
    expect(withCapturedPath('http://app.test/base/', '/gh')).toBe('http://app.test/base/gh');
    expect(withCapturedPath('http://app.test/base?q=1', 'gh')).toBe('http://app.test/base/gh');
  });
});

describe('replay requests', () => {
  it('drop transport headers, those named by Connection, and values with line breaks', () => {
    expect(
      replayableHeaders({
        host: 'old:1',
        'content-length': '10',
        'transfer-encoding': 'chunked',
        connection: 'keep-alive, x-hop',
        'x-hop': 'drop me',
        'keep-alive': 'timeout=5',
        expect: '100-continue',
        'x-evil': 'a\r\nx-injected: 1',
        'x-kept': 'yes',
        'user-agent': 'GitHub-Hookshot/1',
      }),
    ).toEqual({ 'x-kept': 'yes', 'user-agent': 'GitHub-Hookshot/1' });
  });

  it('re-signing drops every old signature header (even another scheme’s) and keeps the rest', () => {
    const body = '{"type":"user.created"}';
    const captured = record(body, {
      'content-type': 'application/json',
      'stripe-signature': 't=1,v1=aa',
      'x-hub-signature-256': 'sha256=00',
      'x-slack-signature': 'v0=00',
      'x-slack-request-timestamp': '1',
      'webhook-id': 'msg_old',
      'webhook-timestamp': '1',
      'webhook-signature': 'v1,old',
      'x-trace': 'kept',
    }, { scheme: 'stripe', eventId: 'msg_old' });
    const request = resignedRequest(captured, decodeBody(captured), { scheme: getScheme('standard'), capturedScheme: getScheme('stripe'), secret: SECRET, url: 'http://127.0.0.1:1/', newIds: false, now: () => 1_768_471_200_000 });
    const { headers } = request.prepare(1);
    const lower = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
    expect(lower['stripe-signature']).toBeUndefined();
    expect(lower['x-hub-signature-256']).toBeUndefined();
    expect(lower['x-slack-signature']).toBeUndefined();
    expect(lower['x-slack-request-timestamp']).toBeUndefined();
    expect(lower['webhook-signature']).toMatch(/^v1,/);
    expect(lower['webhook-signature']).not.toBe('v1,old');
    expect(lower['webhook-timestamp']).toBe('1768471200');
    expect(lower['webhook-id']).toBe('msg_old');
    expect(lower['x-trace']).toBe('kept');
    // One spelling per header: no "webhook-id" beside a "Webhook-Id".
    expect(Object.keys(headers)).toHaveLength(Object.keys(lower).length);
    expect(getScheme('standard').verify({ body: request.body, headers, secrets: [SECRET], toleranceSeconds: 300, nowMs: 1_768_471_200_000 }).verified).toBe(true);
  });

  it('each attempt gets a fresh timestamp and signature with the same id', () => {
    let now = 1_768_471_200_000;
    const captured = record('{"id":"evt_1","type":"invoice.paid"}', { 'content-type': 'application/json' }, { scheme: 'stripe', eventId: 'evt_1' });
    const request = resignedRequest(captured, decodeBody(captured), { scheme: getScheme('stripe'), secret: SECRET, url: 'http://127.0.0.1:1/', newIds: false, now: () => now });
    const first = request.prepare(1).headers['Stripe-Signature'];
    now += 5_000;
    const second = request.prepare(2).headers['Stripe-Signature'];
    expect(first).toMatch(/^t=1768471200,/);
    expect(second).toMatch(/^t=1768471205,/);
    expect(request.eventId).toBe('evt_1');
  });

  it('--new-ids replaces the id where the scheme reads it, and only there', () => {
    const body = '{"id":"evt_1","object":"event","data":{"object":{"id":"pi_1","metadata":{"note":"evt_1 is mentioned"}}},"type":"invoice.paid"}';
    const captured = record(body, { 'content-type': 'application/json' }, { scheme: 'stripe', eventId: 'evt_1' });
    const request = resignedRequest(captured, decodeBody(captured), { scheme: getScheme('stripe'), secret: SECRET, url: 'http://127.0.0.1:1/', newIds: true });
    expect(request.eventId).toMatch(/^evt_[0-9A-Za-z]{24}$/);
    expect(request.bodyChanged).toBe(true);
    expect(request.body.toString()).toBe(body.replace('"evt_1"', JSON.stringify(request.eventId)));

    const github = record('{"zen":"x"}', { 'x-github-event': 'ping', 'x-github-delivery': 'd-old' }, { scheme: 'github', eventId: 'd-old' });
    const fresh = resignedRequest(github, decodeBody(github), { scheme: getScheme('github'), secret: SECRET, url: 'http://127.0.0.1:1/', newIds: true });
    expect(fresh.bodyChanged).toBe(false);
    expect(fresh.prepare(1).headers['x-github-delivery']).toBe(fresh.eventId);
    expect(fresh.eventId).not.toBe('d-old');
  });

  it('a bare body re-signed as GitHub gets the provider headers it lacks', () => {
    const bare = record('{"zen":"x"}', { 'content-type': 'application/json' });
    const request = resignedRequest(bare, decodeBody(bare), { scheme: getScheme('github'), secret: SECRET, url: 'http://127.0.0.1:1/', newIds: false });
    const { headers } = request.prepare(1);
    expect(headers['X-GitHub-Delivery']).toBe(request.eventId);
    expect(headers['X-Hub-Signature-256']).toMatch(/^sha256=/);
    expect(headers['content-type']).toBe('application/json');
  });

  it('--as-is keeps signatures and drops only transport headers', () => {
    const captured = record('x', { 'stripe-signature': 't=1,v1=aa', host: 'h', 'content-length': '1', 'x-a': 'b' }, { method: 'PUT' });
    const request = asIsRequest(captured, decodeBody(captured), 'http://127.0.0.1:1/');
    expect(request.prepare(1)).toEqual({ url: 'http://127.0.0.1:1/', method: 'PUT', headers: { 'stripe-signature': 't=1,v1=aa', 'x-a': 'b' }, body: Buffer.from('x') });
  });
});
