/**
 * The two cases the diagnosis missed (issue 14), with bodies as real senders write them:
 * - a lossy re-serialization: an app that verifies JSON.stringify(JSON.parse(body)) turns Python's
 *   `1.0` into `1` and `"\u00e9"` into `é`, re-orders integer-like keys and rounds Shopify's ids.
 *   Given the original bytes, the diagnosis names each change; without them it undoes what can be
 *   undone (escapes, separators) and names the class of bug where the body carries its marks.
 * - a compact JSON body that lost the trailing newline it was signed with: blamed on a
 *   re-serialization (which drops it), not only on `$(cat file)`.
 * Where a body explains the mismatch, the diagnosis returns it (`signedBody`).
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { diagnose, type DiagnoseOptions } from '../../src/schemes/diagnose.js';
import { getScheme } from '../../src/schemes/registry.js';
import { jsonChanges } from '../../src/schemes/json-changes.js';
import { input, lower, sign } from './support.js';

const SECRET = 'a-plain-secret';

/** What an app that parses before verifying checks: the body JSON.parse'd and JSON.stringify'd back. */
const roundTrip = (body: string) => JSON.stringify(JSON.parse(body));

/** Python's json.dumps, run for real: the body a Python sender signs and sends. */
function pythonDumps(literal: string): string {
  return execFileSync('python3', ['-c', `import json, sys; sys.stdout.write(json.dumps(${literal}))`], { encoding: 'utf8' });
}

function diagnosed(scheme: string, signedBody: string, checkedBody: string, options: DiagnoseOptions = {}, secret = SECRET) {
  const headers = lower(sign(scheme, signedBody, secret));
  const request = input({ scheme, body: checkedBody, headers, secrets: secret });
  const schemeImpl = getScheme(scheme);
  expect(schemeImpl.verify(request).reason).toBe('signature_mismatch');
  return diagnose(schemeImpl, request, options);
}

describe('a lossy re-serialization, compared with the original bytes', () => {
  it("Python's 1.0 and \\u00eb, turned into 1 and ë: each change named, the original returned as the signed body", () => {
    const sent = pythonDumps('{"id": "evt_1", "type": "invoice.paid", "amount": 1.0, "customer": "Zoë"}');
    expect(sent).toBe('{"id": "evt_1", "type": "invoice.paid", "amount": 1.0, "customer": "Zo\\u00eb"}');
    const appChecked = roundTrip(sent);
    // Nothing in what the app checked says 1.0 was there: without the original no variant can match.
    expect(diagnosed('stripe', sent, appChecked)?.signedBody).toBeUndefined();
    const found = diagnosed('stripe', sent, appChecked, { original: Buffer.from(sent) });
    expect(found?.cause).toContain('the signature matches the original body, and this copy is that body parsed and re-serialized, which changed');
    expect(found?.cause).toContain('1.0 → 1 at $.amount');
    expect(found?.cause).toContain('"Zo\\u00eb" → "Zoë" at $.customer');
    expect(found?.cause).toContain('the layout (spaced → compact)');
    expect(found?.cause).toMatch(/cannot give the signed bytes back .*raw request bytes/);
    expect(found?.signedBody?.toString('utf8')).toBe(sent);
  });

  it("Shopify's id beyond 2^53 (the published vector), rounded by JSON.parse: named with the original, and as a class without it", () => {
    // SIGNATURE-SCHEMES.md: secret "hush", this body -> D0UMXmhjwBRi4y66TmhJrDlhQABD7zI2fm3p6/QLMo8=
    const sent = '{"id":820982911946154508,"email":"jon@example.com"}';
    const headers = {
      'x-shopify-hmac-sha256': 'D0UMXmhjwBRi4y66TmhJrDlhQABD7zI2fm3p6/QLMo8=',
      'x-shopify-topic': 'orders/create',
      'x-shopify-shop-domain': 'a.myshopify.com',
      'x-shopify-api-version': '2025-10',
      'x-shopify-webhook-id': 'w1',
    };
    const appChecked = roundTrip(sent);
    expect(appChecked).toBe('{"id":820982911946154500,"email":"jon@example.com"}');
    const shopify = getScheme('shopify');
    const request = input({ scheme: 'shopify', body: appChecked, headers, secrets: 'hush' });
    expect(shopify.verify({ ...request, body: Buffer.from(sent) }).verified).toBe(true);

    const withOriginal = diagnose(shopify, request, { original: Buffer.from(sent) });
    expect(withOriginal?.cause).toContain('820982911946154508 → 820982911946154500 at $.id (beyond 2^53: JSON.parse rounds it)');
    expect(withOriginal?.signedBody?.toString('utf8')).toBe(sent);

    const without = diagnose(shopify, request);
    expect(without?.cause).toContain('the body holds 820982911946154500 at $.id: an integer beyond 2^53, written the way JSON.stringify writes a number JSON.parse rounded');
    expect(without?.cause).toMatch(/If the secret is right, the body was parsed and re-serialized/);
    expect(without?.signedBody).toBeUndefined();
  });

  it('integer-like keys moved first by JSON.parse: the key order is named', () => {
    const sent = '{"event":"order.updated","data":{"sku":"A1","10":"ten","2":"two"}}';
    const appChecked = roundTrip(sent);
    expect(appChecked).toBe('{"event":"order.updated","data":{"2":"two","10":"ten","sku":"A1"}}');
    const found = diagnosed('github', sent, appChecked, { original: Buffer.from(sent) });
    expect(found?.cause).toContain('key order at $.data (sku, 10, 2 → 2, 10, sku)');
  });

  it('a copy changed in content is said to be changed, not re-serialized', () => {
    const sent = '{"id":"evt_1","amount":4200}';
    const found = diagnosed('github', sent, '{"id":"evt_1","amount":4300}', { original: Buffer.from(sent) });
    expect(found?.cause).toContain('differs from it in content, not only in form (4200 → 4300 at $.amount)');
  });
});

describe('a lossy re-serialization, without the original: undone where the text allows', () => {
  it("Python's json.dumps (\", \" separators, \\u escapes) turned compact by the app: matched, and the signed body returned", () => {
    const sent = pythonDumps('{"id": "evt_2", "type": "customer.updated", "name": "Zoë Ångström"}');
    const appChecked = roundTrip(sent);
    expect(appChecked).toBe('{"id":"evt_2","type":"customer.updated","name":"Zoë Ångström"}');
    const found = diagnosed('github', sent, appChecked);
    expect(found?.cause).toContain("the signature matches this JSON as Python's json.dumps");
    expect(found?.signedBody?.toString('utf8')).toBe(sent);
  });

  it('non-ASCII escaped in an otherwise JSON.stringify-shaped body (Python with separators=(",", ":")): matched', () => {
    const sent = pythonDumps('{"id": "evt_3", "city": "Zürich"}').replace(/, /g, ',').replace(/": /g, '":');
    expect(sent).toBe('{"id":"evt_3","city":"Z\\u00fcrich"}');
    const found = diagnosed('stripe', sent, roundTrip(sent));
    expect(found?.cause).toContain('its non-ASCII characters escaped (\\u00fc for ü)');
    expect(found?.signedBody?.toString('utf8')).toBe(sent);
  });

  it("Go's encoding/json escapes <, > and & (\\u003c, \\u003e, \\u0026): matched", () => {
    const sent = '{"id":"evt_4","url":"https://shop.example/c?a=1\\u0026b=2","note":"\\u003cb\\u003ebold\\u003c/b\\u003e"}';
    const found = diagnosed('github', sent, roundTrip(sent));
    expect(found?.cause).toContain("as Rails' to_json or Go's encoding/json");
    expect(found?.signedBody?.toString('utf8')).toBe(sent);
  });

  it('a file signed as saved (pretty, final newline) and re-serialized compact on the way: matched', () => {
    const sent = `${JSON.stringify({ id: 'evt_5', type: 'ping' }, null, 2)}\n`;
    const found = diagnosed('standard', sent, roundTrip(sent), {}, 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
    expect(found?.cause).toContain('pretty-printed with 2 spaces with a trailing newline');
    expect(found?.signedBody?.toString('utf8')).toBe(sent);
  });
});

describe('a compact body missing the newline it was signed with', () => {
  it('exactly what JSON.stringify writes: blamed on a re-serialization first, $(cat file) second', () => {
    const sent = '{"id":"evt_6","type":"ping"}\n';
    const found = diagnosed('github', sent, roundTrip(sent));
    expect(found?.cause).toMatch(/^the signature matches the body with a trailing newline, and the body is exactly what JSON.stringify writes: it was probably parsed and re-serialized, which drops the newline/);
    expect(found?.cause).toContain('$(cat file)');
    expect(found?.signedBody?.toString('utf8')).toBe(sent);
  });

  it('not in JSON.stringify form (a hand-written body): still the $(cat file) / trim() cause', () => {
    const sent = '{"id": "evt_7"}\n';
    const found = diagnosed('github', sent, '{"id": "evt_7"}');
    expect(found?.cause).toBe('the signature matches the body with a trailing newline: the sender signed a newline that was stripped (e.g. by $(cat file) or a trim())');
  });
});

describe('the body that matched is returned; other causes carry none', () => {
  it('a secret-side cause has no signedBody', () => {
    const body = '{"id":"evt_8"}';
    const headers = lower(sign('github', body, 'secret'));
    const found = diagnose(getScheme('github'), input({ scheme: 'github', body, headers, secrets: 'secret\n' }));
    expect(found?.cause).toMatch(/without its surrounding whitespace/);
    expect(found?.signedBody).toBeUndefined();
  });

  it('jsonChanges reads the bytes as written: what parsing hides is what it reports', () => {
    const found = jsonChanges('{"a":1.50,"b":"\\/x","a2":[1e3]}', '{"a":1.5,"b":"/x","a2":[1000]}');
    expect(found?.changes.map((change) => [change.kind, change.path, change.before, change.after])).toEqual([
      ['number', '$.a', '1.50', '1.5'],
      ['escape', '$.b', '"\\/x"', '"/x"'],
      ['number', '$.a2[0]', '1e3', '1000'],
    ]);
    expect(jsonChanges('{"a":1}', 'not json')).toBeUndefined();
  });
});
