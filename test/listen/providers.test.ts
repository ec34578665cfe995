/**
 * Every provider end to end in one process: the event `send` would build (its minimal event, or
 * a handshake's challenge), prepared by send's own code (EventFactory, createPreparer), posted to
 * a real listener on loopback that names the scheme; each one verifies, and `auto` names the
 * providers it can recognise.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { newEventId } from '../../src/events/ids.js';
import { DETECT_ORDER, getScheme, SCHEME_NAMES } from '../../src/schemes/registry.js';
import { minimalEvent } from '../../src/send/minimal-events.js';
import { createPreparer, EventFactory, type SendPlan } from '../../src/send/event.js';
import { cleanup, listen } from './support.js';

afterEach(cleanup);

const pem = (pair: ReturnType<typeof generateKeyPairSync>) => ({ sign: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), verify: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString() });
const KEYS: Record<string, { sign: string; verify: string }> = {
  discord: pem(generateKeyPairSync('ed25519')),
  telnyx: pem(generateKeyPairSync('ed25519')),
  sendgrid: pem(generateKeyPairSync('ec', { namedCurve: 'P-256' })),
  sns: pem(generateKeyPairSync('rsa', { modulusLength: 2048 })),
  plaid: pem(generateKeyPairSync('ec', { namedCurve: 'P-256' })),
  pubsub: pem(generateKeyPairSync('rsa', { modulusLength: 2048 })),
};
const WHSEC = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const keysFor = (name: string) => KEYS[name] ?? (getScheme(name).keyEncoding === 'base64' ? { sign: WHSEC, verify: WHSEC } : { sign: `secret-of-${name}`, verify: `secret-of-${name}` });

async function sendOne(url: string, name: string) {
  const scheme = getScheme(name);
  const id = newEventId(name);
  const minimal = minimalEvent(name, id);
  const plan: SendPlan = { scheme, secret: keysFor(name).sign, url, signingUrl: url, headerOverrides: [] };
  const template = { body: Buffer.from(minimal.body), contentType: minimal.contentType, eventType: minimal.type, eventId: undefined, bodyEventId: id, rewritable: true, method: 'POST', source: 'test' };
  const event = new EventFactory(template, plan).make({ id });
  const request = createPreparer(plan)(event)(1);
  const response = await fetch(request.url, { method: 'POST', headers: request.headers, body: Buffer.from(request.body) });
  return response.status;
}

describe('every provider: what send builds, the listener verifies', () => {
  it('named with --scheme, all of them', async () => {
    for (const name of SCHEME_NAMES) {
      const listener = await listen({ scheme: name, secrets: [keysFor(name).verify] });
      expect(await sendOne(listener.url, name), name).toBe(200);
      const [delivery] = await listener.waitForDeliveries(1);
      expect(delivery, name).toMatchObject({ scheme: name, verified: true });
      await listener.close();
    }
  });

  it('with auto, every provider in the detect order is recognised by its headers', async () => {
    for (const name of DETECT_ORDER) {
      const listener = await listen({ scheme: 'auto', secrets: [keysFor(name).verify] });
      await sendOne(listener.url, name);
      const [delivery] = await listener.waitForDeliveries(1);
      expect(delivery, name).toMatchObject({ scheme: name, verified: true });
      await listener.close();
    }
  });
});
