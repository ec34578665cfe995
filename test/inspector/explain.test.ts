/**
 * schemes/explain.ts against every scheme: the signed text is what the contract says each provider
 * signs, the signature computed with the right secret is the one received (and with a wrong one it
 * is not), and secrets that cannot sign say why without saying the secret.
 */
import { describe, expect, it } from 'vitest';
import { explainSignature } from '../../src/schemes/explain.js';
import { generateEd25519KeyPair } from '../../src/schemes/ed25519.js';
import { getScheme, verifyWith } from '../../src/schemes/registry.js';
import { signRequest } from '../../src/schemes/sign-request.js';
import { SECRET } from './support.js';

const BODY = Buffer.from('{"id":"evt_1","type":"invoice.paid"}');
const TIMESTAMP = 1_768_471_200;
const URL_ = 'https://hooks.example.test/twilio';

const EXPECTED: Record<string, { prefix: string; includesBody: boolean; header: string }> = {
  github: { prefix: '', includesBody: true, header: 'x-hub-signature-256' },
  stripe: { prefix: `${TIMESTAMP}.`, includesBody: true, header: 'stripe-signature' },
  standard: { prefix: `msg_1.${TIMESTAMP}.`, includesBody: true, header: 'webhook-signature' },
  svix: { prefix: `msg_1.${TIMESTAMP}.`, includesBody: true, header: 'svix-signature' },
  slack: { prefix: `v0:${TIMESTAMP}:`, includesBody: true, header: 'x-slack-signature' },
  shopify: { prefix: '', includesBody: true, header: 'x-shopify-hmac-sha256' },
  hmac: { prefix: '', includesBody: true, header: 'x-signature' },
};

describe('explainSignature', () => {
  it.each(Object.entries(EXPECTED))('%s: signed text, received vs computed for the right and a wrong secret', (name, expected) => {
    const scheme = getScheme(name);
    const signed = signRequest(scheme, { body: BODY, secret: SECRET, timestamp: TIMESTAMP, id: 'msg_1', type: 'invoice.paid' });
    const explained = explainSignature(scheme, { headers: signed.headers, body: BODY, secrets: [`${SECRET.slice(0, -4)}AAAA`, SECRET] });
    expect(explained.header).toBe(expected.header);
    expect(explained.signed).toEqual({ prefix: expected.prefix, includesBody: expected.includesBody, suffix: '' });
    expect(explained.timestamp).toBe(expected.prefix === '' ? null : TIMESTAMP);
    expect(explained.received).toHaveLength(1);
    expect(explained.computed.map((computed) => computed.matches)).toEqual([false, true]);
    expect(explained.computed[1]!.signature).toBe(explained.received[0]);
    expect(JSON.stringify(explained)).not.toContain(SECRET);
  });

  it('twilio: the URL and sorted form parameters are what is signed; JSON bodies sign the URL with bodySHA256', () => {
    const scheme = getScheme('twilio');
    const form = Buffer.from('To=%2B15550001&From=%2B15550002&Body=hi');
    const headers = { 'content-type': 'application/x-www-form-urlencoded', ...signRequest(scheme, { body: form, secret: SECRET, timestamp: 0, id: 'x', url: URL_ }).headers };
    const explained = explainSignature(scheme, { headers, body: form, secrets: [SECRET], url: URL_ });
    expect(explained.signed).toEqual({ prefix: `${URL_}BodyhiFrom+15550002To+15550001`, includesBody: false, suffix: '' });
    expect(explained.computed[0]).toMatchObject({ matches: true });
    expect(verifyWith('twilio', { body: form, headers, secrets: [SECRET], toleranceSeconds: 300, nowMs: Date.now(), url: URL_ }).result.verified).toBe(true);

    const json = signRequest(scheme, { body: BODY, secret: SECRET, timestamp: 0, id: 'x', url: URL_ });
    const jsonExplained = explainSignature(scheme, { headers: json.headers, body: BODY, secrets: [SECRET], url: json.url! });
    expect(jsonExplained.signed!.prefix).toMatch(/\?bodySHA256=[0-9a-f]{64}$/);
    expect(jsonExplained.computed[0]).toMatchObject({ matches: true });
    // Without the URL nothing can be recomputed, and the panel says the signed content is unknown.
    expect(explainSignature(scheme, { headers: json.headers, body: BODY, secrets: [SECRET] })).toMatchObject({ signed: null, computed: [{ signature: null, matches: false }] });
  });

  it('secrets that cannot sign: an Ed25519 public key verifies only; a malformed key says what is wrong with it', () => {
    const scheme = getScheme('standard');
    const { secretKey, publicKey } = generateEd25519KeyPair();
    const signed = signRequest(scheme, { body: BODY, secret: secretKey, timestamp: TIMESTAMP, id: 'msg_1' });
    const explained = explainSignature(scheme, { headers: signed.headers, body: BODY, secrets: [publicKey, secretKey, 'whsec_not base64!'] });
    expect(explained.received[0]).toMatch(/^v1a,/);
    expect(explained.computed[0]).toMatchObject({ signature: null, matches: false, note: expect.stringMatching(/whpk_ key can only verify/) });
    expect(explained.computed[1]).toMatchObject({ matches: true });
    expect(explained.computed[2]).toMatchObject({ signature: null, note: expect.stringMatching(/not valid base64/) });
    expect(JSON.stringify(explained)).not.toContain('not base64!');
  });

  it('a request missing part of the signed content (no timestamp) has no signed text and nothing computed', () => {
    const explained = explainSignature(getScheme('stripe'), { headers: { 'stripe-signature': 'v1=abc' }, body: BODY, secrets: [SECRET] });
    expect(explained).toMatchObject({ signed: null, timestamp: null, received: ['v1=abc'], computed: [{ signature: null, matches: false }] });
  });
});
