import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { newEventId } from '../../src/events/ids.js';
import { getScheme, SCHEME_NAMES } from '../../src/schemes/registry.js';
import { signRequest } from '../../src/schemes/sign-request.js';
import { createPreparer, EventFactory, type EventTemplate, type SendPlan } from '../../src/send/event.js';
import { idSequence } from '../../src/send/ids.js';

afterEach(() => {
  vi.useRealTimers();
});

const WHSEC = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const pem = (pair: { privateKey: KeyObject; publicKey: KeyObject }) => [pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), pair.publicKey.export({ type: 'spki', format: 'pem' }).toString()] as const;
const ED = pem(generateKeyPairSync('ed25519'));
const EC = pem(generateKeyPairSync('ec', { namedCurve: 'P-256' }));
const RSA = pem(generateKeyPairSync('rsa', { modulusLength: 2048 }));
const KEYS: Record<string, readonly [string, string]> = { discord: ED, telnyx: ED, sendgrid: EC, plaid: EC, sns: RSA, pubsub: RSA };
const SECRETS: Record<string, string> = { standard: WHSEC, svix: WHSEC, clerk: WHSEC, resend: WHSEC, openai: WHSEC, replicate: WHSEC, render: WHSEC, loops: WHSEC, ...Object.fromEntries(Object.entries(KEYS).map(([name, [privateKey]]) => [name, privateKey])) };
/** Schemes whose signature is randomised (ECDSA; Mailgun's token): equal headers but for it, and both verify. */
const RANDOMISED = ['sendgrid', 'plaid', 'mailgun'];

function template(body: string, eventType: string | undefined): EventTemplate {
  return { body: Buffer.from(body), contentType: 'application/json', eventType, eventId: undefined, bodyEventId: undefined, rewritable: false, method: 'POST', source: 'test' };
}

describe('createPreparer', () => {
  it.each(SCHEME_NAMES)('%s: produces exactly the headers and URL of signRequest', (name) => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-01T12:00:00Z'));
    const scheme = getScheme(name);
    const url = 'http://127.0.0.1:8787/hooks?x=1';
    const plan: SendPlan = { scheme, secret: SECRETS[name] ?? 'secret-for-tests', url, signingUrl: url, headerOverrides: [] };
    const type = name === 'github' ? 'push' : 'thing.happened';
    const event = new EventFactory(template('{"hello":"world"}', type), plan).make({ id: newEventId(name) });
    const prepared = createPreparer(plan)(event)(1);
    const expected = signRequest(scheme, { body: event.body, secret: plan.secret, timestamp: Math.floor(Date.now() / 1000), id: event.id, url, type });
    const withType = { ...expected.headers };
    if (!Object.keys(withType).some((key) => key.toLowerCase() === 'content-type')) withType['Content-Type'] = 'application/json';
    expect(prepared.url).toBe(expected.url);
    if (!RANDOMISED.includes(name)) {
      expect(prepared.headers).toEqual(withType);
      expect(Buffer.from(prepared.body).toString()).toBe(Buffer.from(expected.body).toString());
    } else {
      const unsigned = (headers: Record<string, string>) => Object.fromEntries(Object.entries(headers).filter(([key]) => !scheme.signatureHeaders.includes(key.toLowerCase())));
      expect(unsigned(prepared.headers)).toEqual(unsigned(withType));
    }
    const secrets = [KEYS[name]?.[1] ?? plan.secret];
    expect(scheme.verify({ body: prepared.body, headers: prepared.headers, secrets, nowMs: Date.now(), url: prepared.url }).verified).toBe(true);
    // The body is sent as given, unless the signature travels inside it (Linear's timestamp, Mailgun, SNS).
    if (!scheme.signBody) expect(Buffer.from(prepared.body).toString()).toBe('{"hello":"world"}');
  });

  it('applies --header overrides case-insensitively, last', () => {
    const scheme = getScheme('github');
    const plan: SendPlan = { scheme, secret: 's', url: 'http://127.0.0.1:1/', headerOverrides: [['user-agent', 'mine'], ['X-Hub-Signature-256', 'sha256=forged']] };
    const prepared = createPreparer(plan)(new EventFactory(template('{}', 'push'), plan).make())(1);
    expect(prepared.headers['user-agent']).toBe('mine');
    expect(prepared.headers['User-Agent']).toBeUndefined();
    expect(prepared.headers['X-Hub-Signature-256']).toBe('sha256=forged');
  });

  it("swaps the event id inside the body for each fresh event, and nothing else", () => {
    const scheme = getScheme('stripe');
    const plan: SendPlan = { scheme, secret: 'whsec_x', url: 'http://127.0.0.1:1/', headerOverrides: [] };
    const body = '{\n  "id": "evt_ORIGINAL0001",\n  "type": "x.y",\n  "data": {"ref": "evt_ORIGINAL0001"}\n}';
    const factory = new EventFactory({ ...template(body, 'x.y'), bodyEventId: 'evt_ORIGINAL0001', eventId: 'evt_ORIGINAL0001' }, plan);
    expect(factory.make().body.toString()).toBe(body); // a user's body is sent as given
    const fresh = factory.make({ fresh: true });
    expect(fresh.id).not.toBe('evt_ORIGINAL0001');
    expect(fresh.body.toString()).toBe(body.replaceAll('evt_ORIGINAL0001', fresh.id));
  });
});

describe('idSequence', () => {
  it.each(['stripe', 'standard', 'svix', 'slack', 'twilio', 'hmac', 'github', 'shopify'])('%s: distinct ids in the provider shape', (name) => {
    const next = idSequence(name);
    const ids = Array.from({ length: 5000 }, next);
    expect(new Set(ids).size).toBe(5000);
    const sample = newEventId(name);
    for (const id of [ids[0]!, ids[4999]!]) {
      expect(id).toHaveLength(sample.length);
      if (/^[0-9a-f]{8}-/.test(sample)) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      else expect(id.slice(0, 2)).toBe(sample.slice(0, 2));
    }
  });
});
