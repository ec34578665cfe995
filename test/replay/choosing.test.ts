/**
 * Which deliveries replay sends and in what order it reports them: --last (the latest capture,
 * without typing its path), failures before sending reported in file order, --extract refusing
 * an existing --out before it says anything, and --scheme auto.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { toFixtureFile, toJournalLine } from '../../src/records/record.js';
import { runCli } from '../helpers/cli.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { SECRET, githubRecord, records, removeTempDirs, tempDir } from './support.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  removeTempDirs();
});

function captured(n: number, at: string) {
  return githubRecord(`{"n":${n}}`, { id: `20260115T10000${n}000Z-00000${n}`, capturedAt: at, eventId: `d-${n}`, headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': `d-${n}` } });
}

describe('replay --last', () => {
  it('sends only the latest capture under the paths, whichever file it is in, and names it', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.ndjson'), [captured(1, '2026-01-15T10:00:01.000Z'), captured(3, '2026-01-15T10:00:03.000Z')].map(toJournalLine).join('\n') + '\n');
    writeFileSync(join(dir, 'b.json'), toFixtureFile(captured(2, '2026-01-15T10:00:02.000Z')));
    server = await startServer();
    const result = await runCli(['replay', dir, '--last', '--to', server.url, '--secret', SECRET]);
    expect(result.code, result.stderr).toBe(0);
    expect(server.requests.map((request) => request.body.toString())).toEqual(['{"n":3}']);
    expect(result.stderr).toMatch(/replaying the latest capture, .*a\.ndjson:2 \(push, captured 2026-01-15 10:00:03Z\) to /);
    expect(result.stdout).toMatch(/1 replayed: 1 ok/);

    const two = await runCli(['replay', dir, '--last', '2', '--to', server.url, '--secret', SECRET, '--json']);
    expect(two.code, two.stderr).toBe(0);
    expect(server.requests.slice(1).map((request) => request.body.toString())).toEqual(['{"n":2}', '{"n":3}']);
    expect(records(two.stdout).at(-1)).toMatchObject({ type: 'summary', total: 2, ok: 2 });
  });

  it('--last with --pick, or a bad N, is a usage error', async () => {
    const both = await runCli(['replay', 'fixtures/github', '--last', '--pick', '--to', 'http://127.0.0.1:9/', '--secret', SECRET]);
    expect(both.code).toBe(2);
    expect(both.stderr).toBe('hookctl: --last and --pick: give one way of choosing\n');
    const bad = await runCli(['replay', 'fixtures/github', '--last', 'zero', '--to', 'http://127.0.0.1:9/', '--secret', SECRET]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^hookctl: --last: expected a whole number/);
  });
});

describe('replay: the report reads in plan order', () => {
  it('a file that fails before sending is reported in its place, not ahead of the delivery in flight', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a-good.json'), toFixtureFile(captured(1, '2026-01-15T10:00:01.000Z')));
    writeFileSync(join(dir, 'b-good.json'), toFixtureFile(captured(2, '2026-01-15T10:00:02.000Z')));
    writeFileSync(join(dir, 'c-corrupt.json'), '{"format": "hookctl.delivery.v1", "body": ');
    const names = (stdout: string) => stdout.split('\n').map((line) => /[a-c]-(good|corrupt)\.json/.exec(line)?.[0]).filter(Boolean);
    const plan = await runCli(['replay', dir, '--dry-run']);
    expect(names(plan.stdout)).toEqual(['a-good.json', 'b-good.json', 'c-corrupt.json']);
    // The target answers a little late, so the corrupt file is read while the last good one is in flight.
    server = await startServer((_request, res) => void setTimeout(() => res.end('ok'), 150));
    const result = await runCli(['replay', dir, '--to', server.url, '--secret', SECRET]);
    expect(result.code).toBe(1);
    expect(names(result.stdout)).toEqual(names(plan.stdout));
  });
});

describe('replay --extract', () => {
  it('an existing --out is refused without first saying it wrote anything', async () => {
    const dir = tempDir();
    // Two records with the same event id: the "wrote the first" warning must not come before a refusal.
    writeFileSync(join(dir, 'journal.ndjson'), [captured(1, '2026-01-15T10:00:01.000Z'), { ...captured(2, '2026-01-15T10:00:02.000Z'), eventId: 'd-1' }].map(toJournalLine).join('\n') + '\n');
    const out = join(tempDir(), 'kept.json');
    writeFileSync(out, 'mine\n');
    const result = await runCli(['replay', dir, '--extract', 'd-1', '--out', out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`hookctl: --out: ${out} already exists (pass --force to replace it)\n`);
    expect(result.stdout).toBe('');
    expect(readFileSync(out, 'utf8')).toBe('mine\n');

    const forced = await runCli(['replay', dir, '--extract', 'd-1', '--out', out, '--force']);
    expect(forced.code).toBe(0);
    expect(forced.stderr).toMatch(/2 records match "d-1" .*wrote the first/);
    expect(JSON.parse(readFileSync(out, 'utf8')).body).toBe('{"n":1}');
  });
});

describe('replay --scheme auto', () => {
  it('is accepted, and re-signs each delivery with the scheme it was captured with', async () => {
    server = await startServer();
    const result = await runCli(['replay', 'fixtures/github/push.json', '--scheme', 'auto', '--to', server.url, '--secret', SECRET]);
    expect(result.code, result.stderr).toBe(0);
    expect(server.requests[0]!.headers['x-hub-signature-256']).toMatch(/^sha256=/);
  });
});
