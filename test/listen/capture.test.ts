import { constants, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sign as octokitSign } from '@octokit/webhooks-methods';
import { afterEach, describe, expect, it } from 'vitest';
import { realFileOps, type FileOps } from '../../src/capture/file-ops.js';
import { decodeBody, isDeliveryRecord, RECORD_FORMAT, type DeliveryRecord } from '../../src/records/record.js';
import { startListener } from '../../src/listen/server.js';
import { cleanup, listen, post, tempDir } from './support.js';

afterEach(cleanup);

const SECRET = 'capture-secret-value';

function journal(dir: string): DeliveryRecord[] {
  return readFileSync(join(dir, 'deliveries.ndjson'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as DeliveryRecord);
}

/** Everything written under a folder, as one string. */
function allText(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => readFileSync(join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name), 'utf8'))
    .join('\n');
}

describe('capture', () => {
  it('journal: one delivery record per line, bodies byte for byte (text as text, binary as base64)', async () => {
    const dir = tempDir();
    const listener = await listen({ captureDir: dir, secrets: [SECRET] });
    const text = '{"msg":"héllo ✓"}\r\n';
    const binary = Buffer.from([0xff, 0x00, 0xfe, 0x80, 0x0a]);
    expect((await post(listener.url, text, { 'x-hub-signature-256': await octokitSign(SECRET, text), 'x-github-delivery': 'j-1' })).status).toBe(200);
    const sig = `sha256=${(await import('node:crypto')).createHmac('sha256', SECRET).update(binary).digest('hex')}`;
    expect((await post(new URL('/bin?q=1', listener.url).href, binary, { 'x-hub-signature-256': sig, 'content-type': 'application/octet-stream' })).status).toBe(200);
    expect((await post(listener.url, 'tampered', { 'x-hub-signature-256': sig })).status).toBe(401);
    await listener.close();

    const [a, b, c] = journal(dir);
    for (const record of [a, b, c]) expect(isDeliveryRecord(record)).toBe(true);
    expect(a).toMatchObject({ format: RECORD_FORMAT, method: 'POST', path: '/', bodyEncoding: 'utf8', scheme: 'github', eventId: 'j-1', verified: true, duplicate: false });
    expect(decodeBody(a!).equals(Buffer.from(text))).toBe(true);
    expect(a!.headers['x-hub-signature-256']).toMatch(/^sha256=/);
    expect(a!.receivedAt).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(b).toMatchObject({ path: '/bin?q=1', bodyEncoding: 'base64', bytes: 5 });
    expect(decodeBody(b!).equals(binary)).toBe(true);
    expect(c).toMatchObject({ verified: false, reason: 'signature_mismatch' });
    // Capture ids sort by arrival.
    expect([a!.id, b!.id, c!.id]).toEqual([a!.id, b!.id, c!.id].sort());
  });

  it('never writes the listener secret, even when a sender echoes it in a header', async () => {
    const dir = tempDir();
    const listener = await listen({ captureDir: dir, secrets: [SECRET] });
    const body = '{}';
    await post(listener.url, body, { 'x-hub-signature-256': await octokitSign(SECRET, body), authorization: `Bearer ${SECRET}` });
    const [delivery] = await listener.waitForDeliveries(1);
    expect(JSON.stringify(delivery!.headers)).not.toContain(SECRET);
    await listener.close();
    expect(allText(dir)).not.toContain(SECRET);
    expect(journal(dir)[0]!.headers.authorization).toMatch(/redacted/);
  });

  it('credential headers are redacted in captures and reports unless kept; the app still gets them intact', async () => {
    const dir = tempDir();
    const { startServer } = await import('../helpers/server.js');
    const app = await startServer();
    const listener = await listen({ captureDir: dir, keepHeaders: ['x-api-key'], forward: { url: app.url }, idHeader: 'x-id' });
    await post(listener.url, '{}', { 'x-id': 'c-1', authorization: 'Bearer tok_secret_1', cookie: 'sid=abc', 'x-api-key': 'kept-key', 'x-hub-signature-256': `sha256=${'a'.repeat(64)}` });
    const [delivery] = await listener.waitForDeliveries(1);
    await listener.close();
    await app.close();
    expect(delivery!.headers).toMatchObject({ authorization: expect.stringMatching(/^\[redacted/), cookie: expect.stringMatching(/^\[redacted/), 'x-api-key': 'kept-key' });
    expect(allText(dir)).not.toContain('tok_secret_1');
    expect(journal(dir)[0]!.headers['x-hub-signature-256']).toBe(`sha256=${'a'.repeat(64)}`);
    expect(app.requests[0]!.headers).toMatchObject({ authorization: 'Bearer tok_secret_1', cookie: 'sid=abc' });
  });

  it('--capture-files: one fixture per delivery, sorted by arrival, safe names for hostile ids, no temp files left', async () => {
    const dir = tempDir();
    const listener = await listen({ captureDir: dir, captureFiles: true, idHeader: 'x-id' });
    const ids = ['../../etc/passwd', 'a/b\\c', '.hidden', 'ok-1'];
    for (const id of ids) await post(listener.url, `{"type":"evt/../x","n":"${id.length}"}`, { 'x-id': id });
    const deliveries = await listener.waitForDeliveries(ids.length);
    await listener.close();
    const files = readdirSync(dir).filter((name) => !name.startsWith('.'));
    expect(files).toHaveLength(ids.length);
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    for (const name of files) expect(name).toMatch(/^[0-9TZ-]+_[A-Za-z0-9._-]+\.json$/);
    // Sorted by name = sorted by arrival.
    const byName = [...files].sort().map((name) => (JSON.parse(readFileSync(join(dir, name), 'utf8')) as DeliveryRecord).eventId);
    expect(byName).toEqual(ids);
    expect(deliveries.map((d) => d.capture!.startsWith(dir))).toEqual(ids.map(() => true));
    const fixture = readFileSync(deliveries[0]!.capture!, 'utf8');
    expect(fixture.endsWith('}\n')).toBe(true);
    expect(fixture).toContain('\n  "format"');
  });

  it('--durable: 2xx only once on disk, with group commit (fewer write+sync batches than records under load)', async () => {
    const dir = tempDir();
    const opened: Array<string | number> = [];
    // A slow disk (each write takes 20 ms more): records arriving meanwhile must share the next
    // write, however loaded the machine running the test is.
    const ops: FileOps = {
      ...realFileOps,
      open: (path, flags, mode) => (opened.push(flags), realFileOps.open(path, flags, mode)),
      writeAll: (fd, data, position) => new Promise((resolve) => setTimeout(resolve, 20)).then(() => realFileOps.writeAll(fd, data, position)),
    };
    const listener = await listen({ captureDir: dir, durable: true, fileOps: ops });
    // The journal and the ledger are opened for synchronous writes (O_DSYNC): a write returns once on disk.
    expect(opened.filter((flags) => typeof flags === 'number' && (flags & constants.O_DSYNC) !== 0)).toHaveLength(2);
    const count = 60;
    const responses = await Promise.all(Array.from({ length: count }, (_, i) => post(listener.url, `{"id":"d-${i}"}`)));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    // Every answered record is already in the file.
    expect(journal(dir)).toHaveLength(count);
    const writes = listener.writes();
    expect(writes.journal.lines).toBe(count);
    expect(writes.ledger.lines).toBe(count);
    // Group commit: records that arrived together shared a write (and its sync).
    expect(writes.journal.batches).toBeLessThan(count);
  });

  it('--durable with --capture-files fsyncs each file and shares the folder fsyncs', async () => {
    const dir = tempDir();
    const listener = await listen({ captureDir: dir, durable: true, captureFiles: true });
    const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => post(listener.url, `{"id":"f-${i}"}`)));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(readdirSync(dir).filter((name) => name.endsWith('.json'))).toHaveLength(10);
  });

  it('an unwritable capture folder is one clear error at start-up', async () => {
    const dir = tempDir();
    const blocker = join(dir, 'not-a-folder');
    writeFileSync(blocker, 'x');
    await expect(startListener({ port: 0, captureDir: join(blocker, 'captured') })).rejects.toThrow(/^--capture: cannot write to .*not-a-folder\/captured \(.+\); pick another folder/);
    await expect(startListener({ port: 0, captureDir: blocker, captureFiles: true })).rejects.toThrow(/^--capture: cannot write to/);
  });

  it('a journal write failure mid-run answers 503 (so the sender retries) and recovers when the disk does', async () => {
    const dir = tempDir();
    let broken = false;
    const noSpace = () => Object.assign(new Error('no space'), { code: 'ENOSPC' });
    const ops: FileOps = {
      ...realFileOps,
      writeAll: (fd, data, position) => (broken ? Promise.reject(noSpace()) : realFileOps.writeAll(fd, data, position)),
      writeAllSync: (fd, data) => {
        if (broken) throw noSpace();
        realFileOps.writeAllSync(fd, data);
      },
    };
    const listener = await listen({ captureDir: dir, fileOps: ops, idHeader: 'x-id' });
    expect((await post(listener.url, '{}', { 'x-id': 'w-1' })).status).toBe(200);
    broken = true;
    const failed = await post(listener.url, '{}', { 'x-id': 'w-2' });
    expect(failed.status).toBe(503);
    expect(failed.json.reason).toBe('capture_failed');
    expect(failed.headers.get('retry-after')).toBe('1');
    expect(listener.warnings.join('\n')).toMatch(/no space left/);
    broken = false;
    // The retry is processed (not a duplicate: the failed attempt released its id).
    const retried = await post(listener.url, '{}', { 'x-id': 'w-2' });
    expect(retried.status).toBe(200);
    expect(retried.json.duplicate).toBe(false);
    await listener.close();
    expect(journal(dir).map((r) => r.eventId)).toEqual(['w-1', 'w-2']);
    // The record and its ledger entry both failed to write.
    expect(listener.stats.captureErrors).toBe(2);
  });

  it('--capture-files: the folder replaced by a file mid-run gives 503, and capture resumes once it is back', async () => {
    const root = tempDir();
    const dir = join(root, 'captured');
    const listener = await listen({ captureDir: dir, captureFiles: true, idHeader: 'x-id' });
    expect((await post(listener.url, '{}', { 'x-id': 'r-1' })).status).toBe(200);
    rmSync(dir, { recursive: true });
    writeFileSync(dir, 'in the way');
    expect((await post(listener.url, '{}', { 'x-id': 'r-2' })).status).toBe(503);
    rmSync(dir);
    mkdirSync(dir);
    expect((await post(listener.url, '{}', { 'x-id': 'r-2' })).status).toBe(200);
    // A folder removed outright is recreated.
    rmSync(dir, { recursive: true });
    expect((await post(listener.url, '{}', { 'x-id': 'r-3' })).status).toBe(200);
    expect(readdirSync(dir).filter((n) => n.endsWith('.json'))).toHaveLength(1);
  });

  it('a torn last journal line (an earlier crash) is reported and new records start on a fresh line', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'deliveries.ndjson'), '{"format":"hookctl.delivery.v1","id":"torn');
    const listener = await listen({ captureDir: dir });
    expect(listener.capture.tornJournal).toBe(true);
    await post(listener.url, '{"id":"after-crash"}');
    await listener.close();
    const lines = readFileSync(join(dir, 'deliveries.ndjson'), 'utf8').split('\n');
    expect(lines[0]).toBe('{"format":"hookctl.delivery.v1","id":"torn');
    expect(JSON.parse(lines[1]!).eventId).toBe('after-crash');
  });

  it('--no-capture: nothing is recorded, duplicates are still caught in memory', async () => {
    const listener = await listen({});
    await post(listener.url, '{"id":"x"}');
    expect((await post(listener.url, '{"id":"x"}')).json.duplicate).toBe(true);
    const [delivery] = await listener.waitForDeliveries(1);
    expect(delivery!.capture).toBeNull();
    expect(listener.capture.dir).toBeNull();
    expect(listener.stats.captured).toBe(0);
  });
});
