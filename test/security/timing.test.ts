/**
 * Signature comparison is constant-time: every scheme compares the full decoded digest with
 * node:crypto's timingSafeEqual (spied on here through a module mock), never with ===, Buffer
 * equals or a loop that stops at the first different byte. A signature that shares a long prefix
 * with the right one costs exactly the same comparisons as one that differs in its first byte.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as nodeCrypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const { safeEqual } = await import('../../src/schemes/crypto.js');
const { getScheme } = await import('../../src/schemes/registry.js');

const spy = vi.mocked(nodeCrypto.timingSafeEqual);
const SRC = fileURLToPath(new URL('../../src/schemes/', import.meta.url));

interface Case {
  scheme: string;
  options?: Record<string, string>;
  secret: string;
  header: string;
  /** The signature text inside the header value. */
  span(value: string): [number, number];
  digestBytes: number;
  url?: string;
}

const after = (marker: string) => (value: string): [number, number] => {
  const start = value.indexOf(marker) + marker.length;
  const end = value.indexOf(',', start);
  return [start, end < 0 ? value.length : end];
};
const whole = (value: string): [number, number] => [0, value.length];

const CASES: Case[] = [
  { scheme: 'github', secret: 's3cret', header: 'X-Hub-Signature-256', span: after('sha256='), digestBytes: 32 },
  { scheme: 'stripe', secret: 'whsec_abc', header: 'Stripe-Signature', span: after('v1='), digestBytes: 32 },
  { scheme: 'standard', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', header: 'webhook-signature', span: after('v1,'), digestBytes: 32 },
  { scheme: 'slack', secret: 's3cret', header: 'X-Slack-Signature', span: after('v0='), digestBytes: 32 },
  { scheme: 'shopify', secret: 's3cret', header: 'X-Shopify-Hmac-Sha256', span: whole, digestBytes: 32 },
  { scheme: 'twilio', secret: 's3cret', header: 'X-Twilio-Signature', span: whole, digestBytes: 20, url: 'https://example.com/sms' },
  { scheme: 'hmac', options: { algorithm: 'sha512', encoding: 'hex' }, secret: 's3cret', header: 'X-Signature', span: whole, digestBytes: 64 },
];

const BODY = Buffer.from('From=%2B15550001111&Body=hello&MessageSid=SM1');

function signedInput(c: Case) {
  const scheme = getScheme(c.scheme, c.options ?? {});
  const now = 1_750_000_000;
  const raw = scheme.sign({ body: BODY, secret: c.secret, timestamp: now, id: 'msg_1', ...(c.url ? { url: c.url } : {}) });
  const headers: Record<string, string> = { 'content-type': c.scheme === 'twilio' ? 'application/x-www-form-urlencoded' : 'application/json' };
  // Shopify's library insists on the headers a real delivery carries.
  if (c.scheme === 'shopify') Object.assign(headers, { 'x-shopify-topic': 'orders/create', 'x-shopify-shop-domain': 'a.myshopify.com', 'x-shopify-api-version': '2025-10', 'x-shopify-webhook-id': 'w1' });
  for (const [name, value] of Object.entries(raw)) headers[name.toLowerCase()] = value;
  const input = { body: BODY, headers, secrets: [c.secret], toleranceSeconds: 300, nowMs: now * 1000, ...(c.url ? { url: c.url } : {}) };
  return { scheme, input, headers, name: c.header.toLowerCase() };
}

/**
 * The signature with one character changed: the first, or the second-to-last before any base64
 * padding (the last base64 character also holds spare bits, whose change is refused as
 * non-canonical before any comparison). Kept in the same alphabet so it parses.
 */
function changed(value: string, [start, end]: [number, number], position: 'first' | 'late'): string {
  const dataEnd = value.slice(start, end).replace(/=+$/, '').length + start;
  const index = position === 'first' ? start : dataEnd - 2;
  const char = value[index]!;
  // Swap within hex and base64 alphabets so the result still parses and reaches the comparison.
  const replacement = char === 'a' ? 'b' : char === 'A' ? 'B' : /[0-9]/.test(char) ? String((Number(char) + 1) % 10) : 'a';
  return value.slice(0, index) + replacement + value.slice(index + 1);
}

beforeEach(() => {
  spy.mockClear();
});

describe('constant-time signature comparison', () => {
  it('safeEqual is timingSafeEqual behind a length check (the length of a signature is public)', () => {
    expect(safeEqual(Buffer.from('abcd'), Buffer.from('abcd'))).toBe(true);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(safeEqual(Buffer.from('abcd'), Buffer.from('abce'))).toBe(false);
    expect(spy).toHaveBeenCalledTimes(2);
    expect(safeEqual(Buffer.from('abcd'), Buffer.from('abc'))).toBe(false);
    expect(spy).toHaveBeenCalledTimes(2);
    // By structure: no byte loop, no early return other than the length.
    const source = readFileSync(`${SRC}crypto.ts`, 'utf8');
    const body = /export function safeEqual\([^)]*\)[^{]*\{([\s\S]*?)\n\}/.exec(source)![1]!;
    expect(body).not.toMatch(/\bfor\b|\bwhile\b|\[\s*\w+\s*\]|\.every\(|\.some\(|\.equals\(|===\s*[ab]\b/);
    expect(body).toMatch(/timingSafeEqual\(a, b\)/);
  });

  for (const c of CASES) {
    it(`${c.scheme}: valid, prefix-matching and first-byte-wrong signatures all go through one full-length timingSafeEqual`, () => {
      const { scheme, input, headers, name } = signedInput(c);
      const value = headers[name]!;
      const span = c.span(value);
      const calls: number[] = [];
      const lengths: number[][] = [];
      for (const variant of [value, changed(value, span, 'late'), changed(value, span, 'first')]) {
        spy.mockClear();
        const result = scheme.verify({ ...input, headers: { ...headers, [name]: variant } });
        expect(result.verified, `${c.scheme} ${variant === value ? 'valid' : 'tampered'}: ${result.message}`).toBe(variant === value);
        calls.push(spy.mock.calls.length);
        lengths.push(spy.mock.calls.map(([a, b]) => [(a as Uint8Array).byteLength, (b as Uint8Array).byteLength]).flat());
      }
      // Same number of constant-time comparisons whichever byte is wrong, each over the whole digest.
      expect(calls[0]).toBeGreaterThanOrEqual(1);
      expect(calls[1]).toBe(calls[2]);
      for (const sizes of lengths.slice(1)) for (const size of sizes) expect(size).toBe(c.digestBytes);
      expect(lengths[0]).toContain(c.digestBytes);
    });
  }

  it('several signatures in one header (rotation) are all compared, not stopped at the first match', () => {
    const c = CASES.find((x) => x.scheme === 'standard')!;
    const { scheme, input, headers, name } = signedInput(c);
    const good = headers[name]!;
    const forged = changed(good, c.span(good), 'first');
    for (const [order, header] of [['good first', `${good} ${forged}`], ['good last', `${forged} ${good}`]] as const) {
      spy.mockClear();
      expect(scheme.verify({ ...input, headers: { ...headers, [name]: header } }).verified, order).toBe(true);
      expect(spy, order).toHaveBeenCalledTimes(2);
    }
  });

  it('no scheme compares signatures any other way: every HMAC scheme goes through safeEqual or matchSecrets', () => {
    for (const file of readdirSync(SRC).filter((name) => name.endsWith('.ts'))) {
      const source = readFileSync(`${SRC}${file}`, 'utf8');
      // Buffer#equals, Buffer.compare and string equality on digests stop at the first difference.
      expect(source.replace(/rawPublicKey\(createPublicKey\(key\)\)\.equals\(raw\.subarray\(32\)\)/, ''), file).not.toMatch(/\.equals\(|Buffer\.compare\(|\bcompare\(\s*(mine|expected|signature)/);
      if (/\bhmac\(/.test(source) && !['crypto.ts'].includes(file) && /verify\(input/.test(source)) {
        expect(source, file).toMatch(/\bsafeEqual\(|\bmatchSecrets\(/);
      }
    }
  });
});
