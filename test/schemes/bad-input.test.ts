import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isUserError } from '../../src/errors.js';
import { getScheme, SCHEME_NAMES as ALL_SCHEME_NAMES, verifyWith } from '../../src/schemes/registry.js';
import { refillDiagnosisBudget } from '../../src/schemes/diagnose.js';
import type { HeaderMap } from '../../src/schemes/types.js';
import { input, lower, NOW_S, ours, sign } from './support.js';

const WHSEC = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const SHOPIFY_EXTRA = { 'X-Shopify-Topic': 'orders/create', 'X-Shopify-Shop-Domain': 'a.myshopify.com', 'X-Shopify-API-Version': '2025-10', 'X-Shopify-Webhook-Id': 'w1' };
const URL = 'https://example.com/hook';
/**
 * The first seven schemes and the generic HMAC; every provider added since is held to the same
 * rules in providers.test.ts, with its own keys and body shapes.
 */
const SCHEME_NAMES = ALL_SCHEME_NAMES.slice(0, 8);
const secretFor = (scheme: string) => (scheme === 'standard' || scheme === 'svix' ? WHSEC : 'a-plain-secret');

function signedCheck(scheme: string, body: string | Buffer) {
  const url = scheme === 'twilio' ? getScheme('twilio').targetUrl!(URL, Buffer.from(body)) : undefined;
  const headers: HeaderMap = { ...lower(sign(scheme, body, secretFor(scheme), { url })), ...(scheme === 'shopify' ? SHOPIFY_EXTRA : {}) };
  return { scheme, body, headers, secrets: secretFor(scheme), ...(url ? { url } : {}) };
}

describe('bad input: a reason, never an exception', () => {
  it('an empty body signs and verifies for every scheme; a mismatch on an empty body names the likely cause', () => {
    for (const scheme of SCHEME_NAMES) {
      const check = signedCheck(scheme, '');
      expect(ours(check), scheme).toMatchObject({ verified: true });
      const { result } = verifyWith(scheme, input({ ...check, secrets: scheme === 'standard' || scheme === 'svix' ? `whsec_${Buffer.from('x').toString('base64')}` : 'other' }));
      expect(result.reason, scheme).toBe('signature_mismatch');
      expect(result.diagnosis, scheme).toMatch(/body is empty/);
    }
  });

  it('a 0-length secret is bad_secret_format when verifying and refused when signing', () => {
    for (const scheme of SCHEME_NAMES) {
      const check = signedCheck(scheme, '{"a":1}');
      expect(ours({ ...check, secrets: '' }), scheme).toMatchObject({ verified: false, reason: 'bad_secret_format', message: expect.stringMatching(/empty/) });
      expect(() => sign(scheme, '{}', '', { url: URL }), scheme).toThrow(/empty/);
    }
  });

  it('no secret at all is no_secret', () => {
    for (const scheme of SCHEME_NAMES) expect(ours({ ...signedCheck(scheme, '{}'), secrets: [] }).reason, scheme).toBe('no_secret');
  });

  it('a whsec_ that is not base64 is bad_secret_format for Standard Webhooks, with whitespace called out', () => {
    const check = signedCheck('standard', '{"a":1}');
    expect(ours({ ...check, secrets: 'whsec_not*base64!' })).toMatchObject({ reason: 'bad_secret_format', message: expect.stringMatching(/not valid base64/) });
    expect(ours({ ...check, secrets: `${WHSEC}\n` })).toMatchObject({ reason: 'bad_secret_format', message: expect.stringMatching(/whitespace/) });
    // One good secret among bad ones still verifies (rotation with a typo in the old one).
    expect(ours({ ...check, secrets: ['whsec_***', WHSEC] })).toMatchObject({ verified: true, secretIndex: 1 });
    // Stripe uses the same string raw, so it is never a format problem there.
    expect(ours({ ...signedCheck('stripe', '{}'), secrets: 'whsec_not*base64!' }).reason).toBe('signature_mismatch');
  });

  it('garbage in the signature header is malformed_signature_header, naming what was expected', () => {
    const garbage: Record<string, [string, string]> = {
      github: ['x-hub-signature-256', 'md5=abc'],
      stripe: ['stripe-signature', 'garbage'],
      standard: ['webhook-signature', 'nonsense'],
      svix: ['svix-signature', 'v1,***'],
      slack: ['x-slack-signature', 'v0=XYZ'],
      shopify: ['x-shopify-hmac-sha256', '%%%'],
      twilio: ['x-twilio-signature', 'abc'],
      hmac: ['x-signature', 'zz'],
    };
    for (const scheme of SCHEME_NAMES) {
      const check = signedCheck(scheme, '{"a":1}');
      const [name, value] = garbage[scheme]!;
      const result = ours({ ...check, headers: { ...check.headers, [name]: value } });
      expect(result, scheme).toMatchObject({ verified: false, reason: 'malformed_signature_header' });
      expect(result.message, scheme).toMatch(/expected|not 64|no v1/);
    }
  });

  it('a missing signature header is missing_signature; twilio without a URL is missing_url', () => {
    for (const scheme of SCHEME_NAMES) expect(ours({ scheme, body: '{}', headers: { 'content-type': 'application/json' }, secrets: 'x' }).reason, scheme).toBe('missing_signature');
    const twilio = signedCheck('twilio', 'a=1&b=2');
    expect(ours({ ...twilio, url: undefined }).reason).toBe('missing_url');
  });

  it('a base64 signature in a non-canonical spelling (same bytes, other spare bits) is refused like the libraries do', () => {
    const check = signedCheck('shopify', '{"id":1}');
    const value = check.headers['x-shopify-hmac-sha256'] as string;
    // 32 bytes -> 43 characters + "=": the last character carries 2 spare bits.
    const last = value[42]!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const twin = alphabet[alphabet.indexOf(last) ^ 1]!;
    const changed = `${value.slice(0, 42)}${twin}=`;
    expect(Buffer.from(changed, 'base64')).toEqual(Buffer.from(value, 'base64'));
    expect(ours({ ...check, headers: { ...check.headers, 'x-shopify-hmac-sha256': changed } }).reason).toBe('malformed_signature_header');
  });

  it('duplicate headers: identical repeats are harmless, conflicting ones are named', () => {
    const github = signedCheck('github', '{"a":1}');
    const sig = github.headers['x-hub-signature-256'] as string;
    expect(ours({ ...github, headers: { 'x-hub-signature-256': [sig, sig] } }).verified).toBe(true);

    const stripe = signedCheck('stripe', '{"a":1}');
    const stripeSig = stripe.headers['stripe-signature'] as string;
    const older = lower(sign('stripe', '{"a":1}', 'a-plain-secret', { timestamp: NOW_S - 10 }))['stripe-signature']!;
    // Node joins repeated headers with ", "; a list arrives from fixtures.
    for (const headers of [{ 'stripe-signature': `${stripeSig}, ${older}` }, { 'stripe-signature': [stripeSig, older] }]) {
      expect(ours({ ...stripe, headers })).toMatchObject({ reason: 'malformed_signature_header', message: expect.stringMatching(/2 different t= values/) });
    }

    const standard = signedCheck('standard', '{"a":1}');
    expect(ours({ ...standard, headers: { ...standard.headers, 'webhook-id': ['msg_1', 'msg_2'] } })).toMatchObject({ reason: 'malformed_signature_header', message: expect.stringMatching(/webhook-id/) });
    expect(ours({ ...standard, headers: { ...standard.headers, 'webhook-timestamp': [String(NOW_S), '1'] } })).toMatchObject({ reason: 'malformed_timestamp' });
    const signature = standard.headers['webhook-signature'] as string;
    expect(ours({ ...standard, headers: { ...standard.headers, 'webhook-signature': ['v1,AAAA', signature] } }).verified).toBe(true);
    expect(ours({ ...standard, headers: { ...standard.headers, 'webhook-signature': `v1,AAAA, ${signature}` } }).verified).toBe(true);

    const slack = signedCheck('slack', '{"a":1}');
    expect(ours({ ...slack, headers: { ...slack.headers, 'x-slack-request-timestamp': `${NOW_S}, ${NOW_S + 1}` } })).toMatchObject({ reason: 'malformed_timestamp', message: expect.stringMatching(/more than once/) });
  });

  it('an unknown scheme is a usage error (exit 2) naming the choices', () => {
    for (const call of [() => getScheme('paypal'), () => verifyWith('paypal', input({ scheme: 'github', body: '', headers: {}, secrets: 'x' }))]) {
      try {
        call();
        expect.unreachable();
      } catch (error) {
        expect(isUserError(error)).toBe(true);
        expect((error as { exitCode: number }).exitCode).toBe(2);
        expect((error as Error).message).toMatch(/unknown scheme "paypal".*github, stripe/);
      }
    }
  });

  it('auto with no known header explains what it looked for', () => {
    const { result } = verifyWith('auto', input({ scheme: 'github', body: '{}', headers: { 'x-random': '1' }, secrets: 'x' }));
    expect(result).toMatchObject({ verified: false, scheme: 'auto', reason: 'missing_signature', message: expect.stringMatching(/Stripe-Signature.*--scheme/) });
  });
});

describe('diagnosis of the usual mismatches', () => {
  const event = { id: 'evt_1', type: 'invoice.paid', data: { object: { amount: 4200, note: 'déjà vu' } } };
  const raw = JSON.stringify(event, null, 2);

  function diagnose(scheme: string, signedBody: string, receivedBody: string, signingSecret = secretFor(scheme), verifyingSecret = signingSecret) {
    const check = signedCheck(scheme, signedBody);
    const headers = { ...check.headers, ...lower(sign(scheme, signedBody, signingSecret, { url: check.url })) };
    refillDiagnosisBudget();
    const { result } = verifyWith(scheme, input({ ...check, headers, body: receivedBody, secrets: verifyingSecret }));
    expect(result.reason).toBe('signature_mismatch');
    return result.diagnosis;
  }

  it('re-serialized JSON (compact or pretty) is recognised for every body-signing scheme', () => {
    for (const scheme of ['github', 'stripe', 'standard', 'svix', 'slack', 'shopify', 'hmac']) {
      expect(diagnose(scheme, raw, JSON.stringify(event)), scheme).toMatch(/re-serialized pretty-printed with 2 spaces.*raw request bytes/);
      expect(diagnose(scheme, JSON.stringify(event), raw), scheme).toMatch(/re-serialized compact/);
    }
  });

  it('a trailing newline added or stripped, and CRLF line endings', () => {
    expect(diagnose('github', raw, `${raw}\n`)).toMatch(/without its trailing newline/);
    expect(diagnose('stripe', `${raw}\n`, raw)).toMatch(/with a trailing newline/);
    expect(diagnose('slack', raw, raw.replace(/\n/g, '\r\n'))).toMatch(/LF line endings.*CRLF/);
    expect(diagnose('shopify', raw.replace(/\n/g, '\r\n'), raw)).toMatch(/CRLF line endings/);
  });

  it('the secret in the wrong encoding (Stripe vs Standard Webhooks whsec_), its prefix, or with whitespace', () => {
    // The sender signed Standard-style (base64-decoded key) but the verifier is Stripe (raw key).
    const check = signedCheck('stripe', raw);
    const hmac = (key: Buffer) => createHmac('sha256', key).update(`${NOW_S}.${raw}`).digest('hex');
    const decodedKey = Buffer.from(WHSEC.slice(6), 'base64');
    refillDiagnosisBudget();
    const { result } = verifyWith('stripe', input({ ...check, headers: { 'stripe-signature': `t=${NOW_S},v1=${hmac(decodedKey)}` }, secrets: WHSEC }));
    expect(result.diagnosis).toMatch(/base64-decoded after its whsec_ prefix.*Stripe uses the secret string used as-is/);
    expect(diagnose('github', raw, raw, 'secret', 'secret\n')).toMatch(/without its surrounding whitespace/);
    expect(diagnose('github', raw, raw, 'abc123', 'whsec_abc123')).toMatch(/without its whsec_ prefix/);
  });

  it('a plainly wrong secret gets no invented diagnosis', () => {
    expect(diagnose('github', raw, raw, 'secret-a', 'secret-b')).toBeNull();
    expect(diagnose('stripe', raw, raw, 'whsec_a', 'whsec_b')).toBeNull();
  });
});
