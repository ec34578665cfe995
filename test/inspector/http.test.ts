/**
 * The inspector's HTTP face without a browser: who may talk to it (Host, token, Origin), what its
 * answers never contain (a secret), and the actions (replay re-signed or as captured, edited,
 * curl, fixture) checked by a real receiver and the provider's official library.
 */
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import type { ActionEvent } from '../../src/inspector/index.js';
import { toFixtureFile } from '../../src/records/record.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { api, cleanup, inspectFiles, SECRET, signedRecord, tempDir, writeJournal } from './support.js';

const stripe = new Stripe('sk_test_hookctl_inspector');
const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  await cleanup();
});

async function receiver(): Promise<TestServer> {
  const server = await startServer();
  servers.push(server);
  return server;
}

/** A raw request, so Host and Origin can be anything a hostile page or client would send. */
function raw(port: number, path: string, headers: Record<string, string>, method = 'GET', body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function oneDelivery(extra: Parameters<typeof signedRecord>[0] = {}, options: Parameters<typeof inspectFiles>[1] = {}) {
  const dir = tempDir();
  const record = signedRecord(extra);
  const inspector = await inspectFiles([writeJournal(dir, [record])], options);
  return { record, inspector };
}

describe('who may talk to the inspector', () => {
  it('serves the page with a strict CSP (its own inline scripts by hash, nothing else) and no data; the API needs the token', async () => {
    const { inspector } = await oneDelivery();
    expect(inspector.host).toBe('127.0.0.1');
    expect(inspector.url).toBe(`${inspector.origin}/#token=${inspector.token}`);
    const page = await fetch(`${inspector.origin}/`);
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await page.text();
    expect(html).not.toContain(inspector.token);
    // Exactly the page's own scripts and stylesheet may run: each by its hash, no file, no 'self'.
    const directive = (name: string) => csp.split(';').map((part) => part.trim()).find((part) => part.startsWith(`${name} `));
    const hashes = (tag: string) => [...html.matchAll(new RegExp(`<${tag}(\\s[^>]*)?>([\\s\\S]*?)</${tag}>`, 'g'))].map((match) => {
      expect(match[1], `<${tag}> with attributes`).toBeUndefined();
      return `'sha256-${createHash('sha256').update(match[2]!).digest('base64')}'`;
    });
    const scripts = hashes('script');
    expect(scripts).toHaveLength(2);
    expect(directive('script-src')).toBe(`script-src ${scripts.join(' ')}`);
    expect(directive('style-src')).toBe(`style-src ${hashes('style').join(' ')}`);
    expect((await fetch(`${inspector.origin}/assets/app.js`)).status).toBe(404);

    for (const path of ['/api/info', '/api/deliveries', '/api/deliveries/0', '/api/deliveries/0/fixture', '/api/events']) {
      expect((await fetch(`${inspector.origin}${path}`)).status, path).toBe(401);
      expect((await fetch(`${inspector.origin}${path}`, { headers: { 'x-hookctl-token': `${inspector.token}x` } })).status, path).toBe(401);
    }
    expect((await api(inspector, '/api/info')).body).toMatchObject({ mode: 'inspect', canSign: true, secretCount: 1, total: 1 });
  });

  it('answers only its own Host names: a DNS-rebinding name is refused, on the page and the API', async () => {
    const { inspector } = await oneDelivery();
    const token = { 'x-hookctl-token': inspector.token };
    const port = inspector.port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`]) {
      expect((await raw(port, '/', { host })).status, host).toBe(200);
      expect((await raw(port, '/api/info', { host, ...token })).status, host).toBe(200);
    }
    for (const host of [`rebind.attacker.example:${port}`, `127.0.0.1.nip.io:${port}`, `127.0.0.1:${port + 1}`, `10.0.0.8:${port}`, 'localhost']) {
      const page = await raw(port, '/', { host });
      expect(page.status, `Host: ${host}`).toBe(403);
      expect((await raw(port, '/api/deliveries', { host, ...token })).status, host).toBe(403);
    }
  });

  it('refuses actions that do not come from its own page: foreign or missing Origin, cross-site fetch, form posts', async () => {
    const target = await receiver();
    const events: ActionEvent[] = [];
    const { inspector } = await oneDelivery({}, { onAction: (event) => events.push(event) });
    const body = JSON.stringify({ to: target.url, mode: 'resign' });
    const port = inspector.port;
    const host = `127.0.0.1:${port}`;
    const token = inspector.token;
    const attempts: Array<[Record<string, string>, number]> = [
      [{ host, 'content-type': 'application/json', 'x-hookctl-token': token, origin: 'http://evil.example' }, 403],
      [{ host, 'content-type': 'application/json', 'x-hookctl-token': token, origin: `http://127.0.0.1:${port + 1}` }, 403],
      [{ host, 'content-type': 'application/json', 'x-hookctl-token': token }, 403],
      [{ host, 'content-type': 'application/json', 'x-hookctl-token': token, origin: `http://${host}`, 'sec-fetch-site': 'cross-site' }, 403],
      [{ host, 'content-type': 'application/json', origin: `http://${host}` }, 401],
      [{ host, 'content-type': 'text/plain', 'x-hookctl-token': token, origin: `http://${host}` }, 415],
    ];
    for (const [headers, status] of attempts) expect((await raw(port, '/api/deliveries/0/replay', headers, 'POST', body)).status, JSON.stringify(headers)).toBe(status);
    expect(target.requests).toHaveLength(0);
    expect(events).toHaveLength(0);
    // The same request from the page itself goes through: the refusals above are not a broken action.
    expect((await raw(port, '/api/deliveries/0/replay', { host, 'content-type': 'application/json', 'x-hookctl-token': token, origin: `http://${host}`, 'sec-fetch-site': 'same-origin' }, 'POST', body)).status).toBe(200);
    expect(target.requests).toHaveLength(1);
    expect(events).toMatchObject([{ action: 'replay', seq: 0, ok: true, status: 200 }]);
  });
});

describe('no secret value reaches the page', () => {
  it('other spellings of the secret (URL-encoded, upper case, the key without whsec_) are scrubbed too, and make the body unofferable', async () => {
    const dir = tempDir();
    const spellings = [encodeURIComponent(SECRET), SECRET.toUpperCase(), SECRET.slice('whsec_'.length).toLowerCase()];
    const record = signedRecord({ body: `a=${spellings[0]}&b=${spellings[1]}&c=${spellings[2]}` });
    writeFileSync(join(dir, 'spelled.json'), toFixtureFile(record));
    const inspector = await inspectFiles([dir]);
    const detail = await api(inspector, '/api/deliveries/0');
    expect(detail.status).toBe(200);
    for (const spelling of spellings) expect(detail.text.toLowerCase()).not.toContain(spelling.toLowerCase());
    expect(detail.body.body.redacted).toBe(true);
    expect((await api(inspector, '/api/deliveries/0/fixture')).status).toBe(409);
  });

  it('a secret in a header, the path or the body is replaced in every answer; curl and fixture are refused', async () => {
    const dir = tempDir();
    const leaky = signedRecord({ path: `/hooks?token=${SECRET}`, headers: { authorization: `Bearer ${SECRET}` }, body: JSON.stringify({ id: 'evt_leak', type: 'leak.test', echo: SECRET }) });
    const headerOnly = signedRecord({ headers: { 'x-api-key': SECRET } });
    writeFileSync(join(dir, 'leaky.json'), toFixtureFile(leaky));
    writeFileSync(join(dir, 'z-header.json'), toFixtureFile(headerOnly));
    const inspector = await inspectFiles([dir], { defaultTarget: 'http://127.0.0.1:9/' });
    const answers = [await api(inspector, '/api/info'), await api(inspector, '/api/deliveries'), await api(inspector, '/api/deliveries/0'), await api(inspector, '/api/deliveries/1'), await api(inspector, '/api/deliveries?q=leak')];
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.text).not.toContain(SECRET);
      expect(answer.text).not.toContain(SECRET.slice('whsec_'.length));
    }
    const detail = answers[2]!.body;
    expect(detail.body.redacted).toBe(true);
    expect(detail.body.data).toContain('[redacted: secret]');
    expect(detail.headers).toContainEqual(['authorization', 'Bearer [redacted: secret]']);
    for (const seq of [0, 1]) {
      const curl = await api(inspector, `/api/deliveries/${seq}/curl`, { body: { to: 'http://127.0.0.1:9/', mode: 'resign' } });
      expect(curl.status).toBe(409);
      expect(curl.text).not.toContain(SECRET);
      const fixture = await api(inspector, `/api/deliveries/${seq}/fixture`);
      expect(fixture.status).toBe(409);
      expect(fixture.text).not.toContain(SECRET);
    }
  });
});

describe('actions', () => {
  it('replays re-signed (fresh timestamp, Stripe verifies) and as captured (headers unchanged)', async () => {
    const target = await receiver();
    const old = new Date(Date.now() - 3600_000);
    const { record, inspector } = await oneDelivery({ capturedAt: old });
    const resigned = await api(inspector, '/api/deliveries/0/replay', { body: { to: `${target.url}/hooks`, mode: 'resign' } });
    expect(resigned.status).toBe(200);
    expect(resigned.body).toMatchObject({ ok: true, status: 200, error: null, sent: { url: `${target.url}/hooks`, method: 'POST', bytes: record.bytes } });
    const asIs = await api(inspector, '/api/deliveries/0/replay', { body: { to: target.url, mode: 'as-is' } });
    expect(asIs.body.ok).toBe(true);
    const [fresh, captured] = await target.waitForRequests(2);
    expect(fresh!.body.toString('utf8')).toBe(record.body);
    expect(stripe.webhooks.constructEvent(fresh!.body, fresh!.headers['stripe-signature'] as string, SECRET)).toMatchObject({ type: 'invoice.paid' });
    expect(captured!.headers['stripe-signature']).toBe(record.headers['stripe-signature']);
    // An hour-old signature is refused by the provider's library: as-is really is as captured.
    expect(() => stripe.webhooks.constructEvent(captured!.body, captured!.headers['stripe-signature'] as string, SECRET)).toThrow(/tolerance/);
  });

  it('an edited body and headers are re-signed and sent byte for byte; a refusal comes back with the answer', async () => {
    const target = await receiver();
    const { inspector } = await oneDelivery();
    const edited = '{"id":"evt_edited","object":"event","type":"invoice.paid","data":{"object":{"amount":1}}}\n';
    const outcome = await api(inspector, '/api/deliveries/0/replay', { body: { to: target.url, mode: 'resign', edit: { headers: [['Content-Type', 'application/json'], ['X-Edited', 'yes']], body: edited, bodyEncoding: 'utf8' } } });
    expect(outcome.body.ok).toBe(true);
    const [received] = await target.waitForRequests(1);
    expect(received!.body.toString('utf8')).toBe(edited);
    expect(received!.headers['x-edited']).toBe('yes');
    expect(stripe.webhooks.constructEvent(received!.body, received!.headers['stripe-signature'] as string, SECRET)).toMatchObject({ id: 'evt_edited' });

    const refusing = await startServer((_request, res) => {
      res.statusCode = 422;
      res.end('{"error":"amount must be positive"}');
    });
    servers.push(refusing);
    const refused = await api(inspector, '/api/deliveries/0/replay', { body: { to: refusing.url, mode: 'resign' } });
    expect(refused.body).toMatchObject({ ok: false, status: 422 });
    expect(refused.body.error).toContain('amount must be positive');
  });

  it('refuses what it cannot do, with a reason: bad URLs, bad headers, as-is edits, re-signing without a secret', async () => {
    const { inspector } = await oneDelivery();
    const ask = async (body: unknown) => api(inspector, '/api/deliveries/0/replay', { body });
    expect((await ask({ to: 'javascript:alert(1)', mode: 'resign' })).body.error).toMatch(/only http/);
    expect((await ask({ to: 'not a url', mode: 'resign' })).status).toBe(400);
    expect((await ask({ to: 'http://127.0.0.1:9/', mode: 'sideways' })).status).toBe(400);
    expect((await ask({ to: 'http://127.0.0.1:9/', mode: 'resign', edit: { headers: [['Bad Header', 'x']], body: '{}', bodyEncoding: 'utf8' } })).body.error).toMatch(/not a header name/);
    expect((await ask({ to: 'http://127.0.0.1:9/', mode: 'resign', edit: { headers: [['X-A', 'a\r\nX-Injected: 1']], body: '{}', bodyEncoding: 'utf8' } })).body.error).toMatch(/line break/);
    expect((await ask({ to: 'http://127.0.0.1:9/', mode: 'as-is', edit: { headers: [], body: '{}', bodyEncoding: 'utf8' } })).body.error).toMatch(/always re-signed/);
    expect((await api(inspector, '/api/deliveries/7/replay', { body: { to: 'http://127.0.0.1:9/', mode: 'as-is' } })).status).toBe(404);

    const dir = tempDir();
    const unsigned = await inspectFiles([writeJournal(dir, [signedRecord()])], { settings: { secrets: [], scheme: 'auto', schemeOptions: {}, toleranceSeconds: 300 } });
    const noSecret = await api(unsigned, '/api/deliveries/0/replay', { body: { to: 'http://127.0.0.1:9/', mode: 'resign' } });
    expect(noSecret.status).toBe(409);
    expect(noSecret.body.error).toMatch(/--secret/);
  });

  it('downloads the delivery as a fixture file that replay reads back byte for byte', async () => {
    const { record, inspector } = await oneDelivery({ eventType: 'invoice.paid' });
    const response = await fetch(`${inspector.origin}/api/deliveries/0/fixture`, { headers: { 'x-hookctl-token': inspector.token } });
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="invoice.paid.json"');
    const fixture = JSON.parse(await response.text()) as typeof record;
    expect(fixture).toEqual(record);
  });
});

describe('the verification panel data', () => {
  it('valid, tampered and re-serialized deliveries: verdict, signed content, received vs computed, the signed body', async () => {
    const dir = tempDir();
    const body = JSON.stringify({ id: 'evt_reser', object: 'event', type: 'invoice.paid', data: { object: { amount: 5 } } });
    const records = [
      signedRecord({ body }),
      signedRecord({ body, arrived: body.replace('"amount":5', '"amount":500') }),
      signedRecord({ body, arrived: JSON.stringify(JSON.parse(body), null, 2) }),
    ];
    const inspector = await inspectFiles([writeJournal(dir, records)]);
    const [valid, tampered, reserialized] = await Promise.all([0, 1, 2].map(async (seq) => (await api(inspector, `/api/deliveries/${seq}`)).body.verification));
    const timestamp = Math.floor(Date.parse(records[0]!.capturedAt) / 1000);
    expect(valid).toMatchObject({ scheme: 'stripe', schemeTitle: 'Stripe', basis: 'rechecked', verified: true, reason: null, secretIndex: 0, secretCount: 1, timestamp, signedBody: null });
    expect(valid.explanation.signed).toEqual({ prefix: `${timestamp}.`, includesBody: true, suffix: '' });
    expect(valid.explanation.computed).toEqual([{ secretIndex: 0, signature: valid.explanation.received[0], matches: true }]);
    expect(tampered).toMatchObject({ verified: false, reason: 'signature_mismatch', signedBody: null });
    expect(tampered.explanation.computed[0].matches).toBe(false);
    expect(reserialized).toMatchObject({ verified: false, reason: 'signature_mismatch' });
    expect(reserialized.diagnosis).toMatch(/re-serialized/);
    expect(reserialized.signedBody).toEqual({ text: body, cause: expect.stringMatching(/compact/) });
  });
});
