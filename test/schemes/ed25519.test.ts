import { generateKeyPairSync, createPrivateKey, createPublicKey, sign as edSign, verify as edVerify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ed25519Sign, generateEd25519KeyPair } from '../../src/schemes/ed25519.js';
import { lower, NOW_S, ours, sign } from './support.js';

// No official JS library implements Standard Webhooks' v1a, so the judge is node:crypto itself,
// reached through JWK (not the DER wrapping our module uses), plus RFC 8032's own test vector.
function jwkPair() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const seed = Buffer.from(jwk.d!, 'base64url');
  const pub = Buffer.from(jwk.x!, 'base64url');
  return { privateKey, publicKey, seed, pub, whsk: `whsk_${seed.toString('base64')}`, whpk: `whpk_${pub.toString('base64')}` };
}

const id = 'msg_ed25519';
const body = '{"type":"invoice.paid","amount":4200}';
const content = (timestamp = NOW_S, payload: string | Buffer = body) => Buffer.concat([Buffer.from(`${id}.${timestamp}.`), Buffer.from(payload)]);

describe('Standard Webhooks v1a (Ed25519)', () => {
  it('RFC 8032 test 1: a whsk_ seed signs exactly the published signature', () => {
    const seed = Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex');
    const expected = 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b';
    expect(ed25519Sign(`whsk_${seed.toString('base64')}`, Buffer.alloc(0)).toString('hex')).toBe(expected);
  });

  it('ours signs -> node:crypto verifies with the independently derived public key', () => {
    const pair = jwkPair();
    const headers = lower(sign('standard', body, pair.whsk, { id }));
    const [version, signature] = headers['webhook-signature']!.split(',');
    expect(version).toBe('v1a');
    expect(edVerify(null, content(), pair.publicKey, Buffer.from(signature!, 'base64'))).toBe(true);
    expect(edVerify(null, content(NOW_S + 1), pair.publicKey, Buffer.from(signature!, 'base64'))).toBe(false);
  });

  it('node:crypto signs -> ours verifies with the whpk_ public key (and with the whsk_ secret key)', () => {
    const pair = jwkPair();
    const signature = edSign(null, content(), pair.privateKey).toString('base64');
    const headers = { 'webhook-id': id, 'webhook-timestamp': String(NOW_S), 'webhook-signature': `v1a,${signature}` };
    expect(ours({ scheme: 'standard', body, headers, secrets: pair.whpk })).toMatchObject({ verified: true });
    expect(ours({ scheme: 'standard', body, headers, secrets: pair.whsk })).toMatchObject({ verified: true });
    expect(ours({ scheme: 'standard', body, headers, secrets: jwkPair().whpk })).toMatchObject({ verified: false, reason: 'signature_mismatch' });
    expect(ours({ scheme: 'standard', body: `${body}\n`, headers, secrets: pair.whpk })).toMatchObject({ verified: false, reason: 'signature_mismatch' });
    // Same tolerance rule as v1: both directions.
    expect(ours({ scheme: 'standard', body, headers, secrets: pair.whpk, nowMs: (NOW_S + 301) * 1000 })).toMatchObject({ reason: 'timestamp_outside_tolerance' });
    expect(ours({ scheme: 'standard', body, headers, secrets: pair.whpk, nowMs: (NOW_S - 301) * 1000 })).toMatchObject({ reason: 'timestamp_outside_tolerance' });
  });

  it('binary bodies are signed byte for byte', () => {
    const pair = jwkPair();
    const binary = Buffer.from([0xff, 0x00, 0xfe, 0x80, 0x0a]);
    const headers = lower(sign('standard', binary, pair.whsk, { id }));
    expect(edVerify(null, content(NOW_S, binary), pair.publicKey, Buffer.from(headers['webhook-signature']!.slice(4), 'base64'))).toBe(true);
    expect(ours({ scheme: 'standard', body: binary, headers, secrets: pair.whpk }).verified).toBe(true);
  });

  it('generated key pairs use the documented format and work with node:crypto', () => {
    const { secretKey, publicKey } = generateEd25519KeyPair();
    expect(secretKey).toMatch(/^whsk_[A-Za-z0-9+/]{43}=$/);
    expect(publicKey).toMatch(/^whpk_[A-Za-z0-9+/]{43}=$/);
    const seed = Buffer.from(secretKey.slice(5), 'base64');
    const fromJwk = createPublicKey(createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: seed.toString('base64url'), x: Buffer.from(publicKey.slice(5), 'base64').toString('base64url') }, format: 'jwk' }));
    const headers = lower(sign('standard', body, secretKey, { id }));
    expect(edVerify(null, content(), fromJwk, Buffer.from(headers['webhook-signature']!.slice(4), 'base64'))).toBe(true);
  });

  it('the 64-byte libsodium secret key (seed + public key) is accepted; an inconsistent one is refused', () => {
    const pair = jwkPair();
    const libsodium = `whsk_${Buffer.concat([pair.seed, pair.pub]).toString('base64')}`;
    expect(lower(sign('standard', body, libsodium, { id }))).toEqual(lower(sign('standard', body, pair.whsk, { id })));
    const broken = `whsk_${Buffer.concat([pair.seed, jwkPair().pub]).toString('base64')}`;
    const headers = lower(sign('standard', body, pair.whsk, { id }));
    expect(ours({ scheme: 'standard', body, headers, secrets: broken })).toMatchObject({ reason: 'bad_secret_format' });
    expect(() => sign('standard', body, broken, { id })).toThrow(/second half is not the public key/);
  });

  it('rotation across kinds: one header with v1 and v1a, secrets of both kinds', () => {
    const pair = jwkPair();
    const hmacSecret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
    const a = lower(sign('standard', body, hmacSecret, { id }));
    const b = lower(sign('standard', body, pair.whsk, { id }));
    const headers = { ...a, 'webhook-signature': `${a['webhook-signature']} ${b['webhook-signature']}` };
    expect(ours({ scheme: 'standard', body, headers, secrets: hmacSecret })).toMatchObject({ verified: true, secretIndex: 0 });
    expect(ours({ scheme: 'standard', body, headers, secrets: [jwkPair().whpk, pair.whpk] })).toMatchObject({ verified: true, secretIndex: 1 });
    // A v1a-only header checked with an HMAC secret cannot match, and says what it computed.
    expect(ours({ scheme: 'standard', body, headers: b, secrets: hmacSecret })).toMatchObject({ reason: 'signature_mismatch' });
  });

  it('bad keys are a bad_secret_format reason, never an exception', () => {
    const headers = lower(sign('standard', body, jwkPair().whsk, { id }));
    for (const secret of ['whpk_', 'whpk_AAAA', 'whsk_not*base64', `whpk_${Buffer.alloc(31).toString('base64')}`]) {
      expect(ours({ scheme: 'standard', body, headers, secrets: secret }).reason, secret).toBe('bad_secret_format');
    }
    expect(() => sign('standard', body, jwkPair().whpk, { id })).toThrow(/whsk_/);
  });
});
