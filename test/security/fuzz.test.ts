/**
 * Property and fuzz tests for what test/schemes/properties.test.ts and test/records/reader.test.ts
 * do not already cover: the id/type extractors and detect() of every scheme (they read attacker
 * JSON and headers on every request), header lookup, Retry-After, header flags, file slugs,
 * record envelopes with hostile field names, and raw bytes thrown at a spawned listener.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { FixtureFileWriter } from '../../src/capture/files.js';
import { parseRetryAfter } from '../../src/delivery/retry-after.js';
import { readAllFixtures } from '../../src/records/reader.js';
import { RECORD_FORMAT, decodeBody, safeFileSlug, toFixtureFile, toJournalLine, type DeliveryRecord } from '../../src/records/record.js';
import { parseHeaderFlag } from '../../src/options/units.js';
import { header, normalizeHeaders } from '../../src/schemes/headers.js';
import { getScheme, SCHEME_NAMES } from '../../src/schemes/registry.js';
import type { HeaderMap } from '../../src/schemes/types.js';
import { cleanup, expectStillServes, rawClient, SECRET, spawnListener } from './support.js';

afterEach(cleanup);

const dir = mkdtempSync(join(tmpdir(), 'hookctl-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', 'id', 'type', 'event_id', 'event', 'action', 'data', 'object'];
const key = fc.oneof(fc.constantFrom(...HOSTILE_KEYS), fc.string({ maxLength: 12 }));
/** JSON values with the field names extractors look for, nested, with hostile keys mixed in. */
const jsonValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.string({ unit: 'binary', maxLength: 30 }), fc.double(), fc.integer(), fc.boolean(), fc.constant(null), tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(key, tie('value'), { maxKeys: 6 }),
})).value;
const body = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  jsonValue.map((value) => Buffer.from(JSON.stringify(value) ?? 'null')),
  // Form bodies (Twilio): repeated, empty and percent-broken parameters.
  fc.array(fc.tuple(fc.constantFrom('MessageSid', 'CallSid', 'Sid', 'SmsStatus', 'CallStatus', '%', '', '%zz'), fc.string({ maxLength: 10 })), { maxLength: 6 }).map((pairs) => Buffer.from(pairs.map(([k, v]) => `${k}=${v}`).join('&'))),
);
const HEADER_NAMES = [
  'x-github-event', 'x-github-delivery', 'webhook-id', 'svix-id', 'x-shopify-topic', 'x-shopify-webhook-id', 'x-shopify-event-id', 'i-twilio-idempotency-token',
  'content-type', 'x-event-id', 'x-event-type', 'stripe-signature', 'x-hub-signature-256', 'webhook-signature', '__proto__', 'constructor', 'toString',
];
const headerValue: fc.Arbitrary<string | string[] | undefined> = fc.oneof(fc.string({ unit: 'binary', maxLength: 60 }), fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 }), fc.constant(undefined));
const headers: fc.Arbitrary<HeaderMap> = fc.dictionary(fc.constantFrom(...HEADER_NAMES), headerValue, { maxKeys: 8 });

describe('id, type and detect extractors never throw and return strings or undefined', () => {
  it('every scheme, arbitrary headers and bodies (JSON with hostile keys, forms, bytes)', () => {
    const schemes = SCHEME_NAMES.map((name) => getScheme(name, { signatureHeader: 'X-Signature' }));
    fc.assert(
      fc.property(headers, body, (h, b) => {
        for (const scheme of schemes) {
          const id = scheme.eventId(h, b);
          const type = scheme.eventType(h, b);
          expect(id === undefined || typeof id === 'string', scheme.name).toBe(true);
          expect(type === undefined || typeof type === 'string', scheme.name).toBe(true);
          expect(typeof scheme.detect(h)).toBe('boolean');
          // Never an inherited property dressed up as data ("function Object() …").
          for (const text of [id, type]) if (text !== undefined) expect(text, scheme.name).not.toMatch(/\[native code\]/);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('header() and normalizeHeaders() on arbitrary maps: strings out, names lower-cased, no inherited keys', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.oneof(fc.constantFrom('__proto__', 'constructor', 'Content-Type', 'CONTENT-TYPE'), fc.string({ maxLength: 10 })), headerValue, { maxKeys: 8 }), (h) => {
        const normal = normalizeHeaders(h);
        for (const [name, value] of Object.entries(normal)) {
          expect(name).toBe(name.toLowerCase());
          expect(typeof value).toBe('string');
        }
        expect(header(h, 'constructor') === undefined || typeof header(h, 'constructor') === 'string').toBe(true);
        expect(header({}, 'constructor')).toBeUndefined();
        expect(header({}, 'toString')).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });
});

describe('small parsers on the edge of the network', () => {
  it('parseRetryAfter: any value a server sends gives undefined or a finite, non-negative number of ms', () => {
    const value = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.constantFrom('', ' ', '-1', '1e309', '99999999999999999999', '1.5', 'NaN', 'Infinity', 'Wed, 21 Oct 2015 07:28:00 GMT', 'Fri, 31 Dec 9999 23:59:59 GMT', '0'),
      fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }),
      fc.constant(undefined),
    );
    fc.assert(
      fc.property(value, fc.integer({ min: 0, max: 4_000_000_000_000 }), (v, now) => {
        const ms = parseRetryAfter(v as string | string[] | undefined, now);
        if (ms !== undefined) {
          expect(Number.isFinite(ms), String(v)).toBe(true);
          expect(ms).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('parseHeaderFlag: a [name, value] pair with a token name, or a usage error naming the flag', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
        try {
          const [name, value] = parseHeaderFlag(text, '--header');
          expect(name).toMatch(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/);
          expect(typeof value).toBe('string');
        } catch (error) {
          expect((error as Error).message).toMatch(/^--header: /);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('an id or type ending in a dot, or holding a run of dots, never puts `..` in a fixture file name (seen in CI: id "-.")', () => {
    for (const text of ['-.', 'a..b', 'x...', '...', 'evt.', 'a.-.']) {
      const name = FixtureFileWriter.fileName({ id: '20261123T000000000Z-000001', eventId: text, eventType: text } as DeliveryRecord);
      expect(name).not.toContain('..');
      expect(name).toMatch(/^[0-9TZ-]+(_[A-Za-z0-9-][A-Za-z0-9._-]*)*\.json$/);
    }
    expect(safeFileSlug('a..b')).toBe('a.b');
    expect(safeFileSlug('-.')).toBe('-');
  });

  it('safeFileSlug and fixture file names: only [A-Za-z0-9._-], no leading dot, bounded length, whatever the id and type', () => {
    fc.assert(
      fc.property(fc.option(fc.string({ unit: 'binary', maxLength: 300 }), { nil: null }), fc.option(fc.string({ unit: 'grapheme', maxLength: 300 }), { nil: null }), (id, type) => {
        const slug = safeFileSlug(id, 40);
        expect(slug).toMatch(/^[A-Za-z0-9-][A-Za-z0-9._-]{0,39}$/);
        const record = { id: '20261123T000000000Z-000001', eventId: id, eventType: type } as DeliveryRecord;
        const name = FixtureFileWriter.fileName(record);
        expect(name).toMatch(/^[0-9TZ-]+(_[A-Za-z0-9-][A-Za-z0-9._-]*)*\.json$/);
        expect(name).not.toContain('..');
        expect(Buffer.byteLength(name)).toBeLessThanOrEqual(255);
      }),
      { numRuns: 400 },
    );
  });
});

describe('fixture reader: hostile envelopes', () => {
  function envelope(fields: Record<string, unknown>): Record<string, unknown> {
    return { format: RECORD_FORMAT, id: 'c1', capturedAt: '2026-01-01T00:00:00.000Z', method: 'POST', path: '/', headers: {}, bodyEncoding: 'utf8', body: '{}', bytes: 2, ...fields };
  }

  it('an envelope with arbitrary field values (and hostile header names) is an entry or a problem, never a throw', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom('id', 'method', 'path', 'headers', 'bodyEncoding', 'body', 'eventId', 'eventType', 'verified', 'capturedAt', 'scheme', '__proto__'), jsonValue, { maxKeys: 5 }), async (fields) => {
        const file = join(dir, `e${run++}.json`);
        writeFileSync(file, JSON.stringify(envelope(fields)));
        const { entries, problems } = await readAllFixtures([file]);
        expect(entries.length + problems.length).toBe(1);
        for (const entry of entries) {
          expect(decodeBody(entry.record)).toBeInstanceOf(Buffer);
          for (const value of Object.values(entry.record.headers)) expect(typeof value).toBe('string');
        }
      }),
      { numRuns: 300 },
    );
  });

  it('header names that are Object.prototype members round-trip as plain data', async () => {
    const names = ['constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'];
    const headersIn = Object.fromEntries(names.map((name) => [name, `v-${name}`]));
    const record = envelope({ headers: headersIn }) as unknown as DeliveryRecord;
    const file = join(dir, 'proto.json');
    const journal = join(dir, 'proto.ndjson');
    writeFileSync(file, toFixtureFile(record));
    writeFileSync(journal, `${toJournalLine(record)}\n`);
    const { entries, problems } = await readAllFixtures([file, journal]);
    expect(problems).toEqual([]);
    for (const entry of entries) expect(entry.record.headers).toEqual(headersIn);
  });

  it('deeply nested JSON and a 5 MB line in a journal are reported or read, never fatal', async () => {
    const journal = join(dir, 'deep.ndjson');
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    const good = toJournalLine(envelope({ id: 'good', body: 'ok' }) as unknown as DeliveryRecord);
    const huge = toJournalLine(envelope({ id: 'huge', body: 'x'.repeat(5 * 1024 * 1024) }) as unknown as DeliveryRecord);
    writeFileSync(journal, `${deep}\n${good}\n${huge}\n`);
    const { entries, problems } = await readAllFixtures([journal]);
    expect(entries.map((entry) => entry.record.id)).toEqual(['good', 'huge']);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.line).toBe(1);
  });
});

describe('raw bytes at a spawned listener', () => {
  it('200 random requests (garbage, truncated HTTP, random methods and headers) never take it down', async () => {
    const listener = await spawnListener(['--no-capture', '--secret', SECRET, '--header-timeout', '300ms', '--body-timeout', '300ms', '--max-body', '4kb']);
    const token = fc.string({ unit: 'binary-ascii', minLength: 0, maxLength: 20 });
    const request = fc.oneof(
      fc.uint8Array({ maxLength: 400 }),
      fc
        .record({
          method: fc.constantFrom('POST', 'GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'CONNECT', 'TRACE', 'P\u0000ST', 'POST '),
          path: fc.oneof(fc.constantFrom('/', '*', '//', '/../../etc', 'http://evil/', '/%00', ''), fc.webPath()),
          headers: fc.array(fc.tuple(token, token), { maxLength: 8 }),
          body: fc.uint8Array({ maxLength: 300 }),
          length: fc.oneof(fc.constant(undefined), fc.integer({ min: -5, max: 10_000 }).map(String), token),
          chunked: fc.boolean(),
        })
        .map(({ method, path, headers: hs, body: b, length, chunked }) => {
          const lines = [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1', ...hs.map(([k, v]) => `${k}: ${v}`)];
          if (length !== undefined) lines.push(`Content-Length: ${length}`);
          if (chunked) lines.push('Transfer-Encoding: chunked');
          return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), Buffer.from(b)]);
        }),
    );
    const samples = fc.sample(request, { numRuns: 200, seed: 7 });
    // In batches, so a few hundred sockets at most are open at once.
    for (let start = 0; start < samples.length; start += 50) {
      await Promise.all(
        samples.slice(start, start + 50).map(async (bytes) => {
          const client = await rawClient(listener.port);
          client.socket.write(bytes);
          client.socket.end();
          await client.closed;
        }),
      );
    }
    expect(listener.cli.child.exitCode).toBeNull();
    await expectStillServes(listener);
    expect(listener.cli.stderrLines.join('\n')).not.toMatch(/\n\s+at |unexpected error|TypeError|RangeError/);
  });
});
