/**
 * The capture disk fills up or goes away mid-run. The listener must say so clearly (stderr), keep
 * answering — 503 with Retry-After for what it could not record, so senders retry, never a silent
 * 200 — and recover on its own once writing works again.
 *
 * How the faults are made, honestly: a real full disk is a tiny tmpfs mounted for the test
 * (`mount -t tmpfs -o size=…`; needs root or CAP_SYS_ADMIN, so those cases are skipped elsewhere),
 * filled up by the captures themselves and freed by deleting a filler file. chmod cannot make a
 * folder unwritable for root, so "unwritable" is the capture folder replaced by a plain file,
 * which works for any user (--capture-files opens a file per delivery; a journal keeps its open
 * descriptor, which is why the journal case uses the full tmpfs instead).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fixtureFiles, onCleanup, readJournal, SECRET, signed, spawnListener, tempDir } from './support.js';

afterEach(cleanup);

/** Whether this process may mount a tmpfs (decided before the tests are declared, for skipIf). */
function mountable(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  const probe = mkdtempSync(join(tmpdir(), 'hookctl-mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

const canMount = mountable();

/** A tmpfs of `kb` kilobytes with a filler file taking `fillerKb` of it; unmounted after the test. */
function tinyDisk(kb: number, fillerKb: number): { root: string; filler: string } {
  const root = tempDir('hookctl-tmpfs-');
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${kb}k`, 'tmpfs', root]);
  onCleanup(() => execFileSync('umount', ['-l', root], { stdio: 'ignore' }));
  const filler = join(root, 'filler');
  writeFileSync(filler, Buffer.alloc(fillerKb * 1024, 1));
  return { root, filler };
}

async function deliver(url: string, id: string): Promise<{ status: number; retryAfter: string | null; json: Record<string, unknown> }> {
  const { body, headers } = signed(id, 'x'.repeat(900));
  const response = await fetch(url, { method: 'POST', body, headers });
  const text = await response.text();
  return { status: response.status, retryAfter: response.headers.get('retry-after'), json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** Posts fresh deliveries until one is refused with 503 (the disk is full); returns what was answered. */
async function fillUp(url: string, prefix: string): Promise<{ acked: string[]; refused: string }> {
  const acked: string[] = [];
  for (let i = 0; i < 400; i++) {
    const id = `${prefix}-${i}`;
    const answer = await deliver(url, id);
    if (answer.status === 200) {
      acked.push(id);
      continue;
    }
    expect(answer.status).toBe(503);
    expect(answer.json).toMatchObject({ reason: 'capture_failed' });
    expect(answer.retryAfter).toBe('1');
    return { acked, refused: id };
  }
  throw new Error('the disk never filled up');
}

describe('disk full mid-run (a tiny tmpfs)', () => {
  for (const mode of [{ name: 'journal', args: [] as string[] }, { name: '--capture-files', args: ['--capture-files'] }, { name: 'journal --durable', args: ['--durable'] }]) {
    it.skipIf(!canMount)(`${mode.name}: 503 + Retry-After and a clear warning while full, still verifying; recovers when space returns`, async () => {
      const { root, filler } = tinyDisk(256, 160);
      const dir = join(root, 'captured');
      const listener = await spawnListener(['--capture', dir, '--secret', SECRET, ...mode.args]);
      const { acked, refused } = await fillUp(listener.url, 'full');
      expect(acked.length).toBeGreaterThan(5);
      await listener.cli.waitForLine((line) => /no space left on the device.*503/.test(line), { stream: 'stderr' });
      // Still up and still judging: a second delivery is 503 again, a forged one is still 401.
      expect((await deliver(listener.url, 'full-again')).status).toBe(503);
      const forged = signed('forged');
      expect((await fetch(listener.url, { method: 'POST', body: forged.body, headers: { ...forged.headers, 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` } })).status).toBe(401);

      rmSync(filler);
      // The senders' retries of what was refused now go through, and so does new traffic.
      const retried = await deliver(listener.url, refused);
      expect(retried.status).toBe(200);
      expect((await deliver(listener.url, 'full-again')).status).toBe(200);
      expect((await deliver(listener.url, 'after-recovery')).status).toBe(200);
      const { code } = await listener.cli.stop('SIGINT');
      expect(code).toBe(0);
      const summary = listener.cli.records().find((r) => r.type === 'summary')!;
      expect(summary.captureErrors).toBeGreaterThan(0);

      // Every delivery answered 200 is on disk with its bytes, and a batch the full disk took only
      // part of was cut back: no partial record is left mid-journal.
      const wanted = [...acked, refused, 'full-again', 'after-recovery'];
      let present: Set<string>;
      if (mode.args.includes('--capture-files')) {
        present = new Set(fixtureFiles(dir).map((name) => (JSON.parse(readFileSync(join(dir, name), 'utf8')) as { eventId: string }).eventId));
      } else {
        const journal = readJournal(join(dir, 'deliveries.ndjson'));
        expect(journal.broken).toEqual([]);
        expect(journal.endsWithNewline).toBe(true);
        present = new Set(journal.records.map((r) => r.eventId!));
      }
      for (const id of wanted) expect(present.has(id), id).toBe(true);
    });
  }
});

describe('capture folder unwritable mid-run (replaced by a file; works without root)', () => {
  it('--capture-files: 503 while the folder is a file, a clear warning, and capture resumes when it is a folder again', async () => {
    const root = tempDir();
    const dir = join(root, 'captured');
    const listener = await spawnListener(['--capture', dir, '--capture-files', '--secret', SECRET]);
    expect((await deliver(listener.url, 'u-1')).status).toBe(200);
    rmSync(dir, { recursive: true });
    writeFileSync(dir, 'not a folder');
    const refused = await deliver(listener.url, 'u-2');
    expect(refused.status).toBe(503);
    expect(refused.retryAfter).toBe('1');
    await listener.cli.waitForLine((line) => /capture failed for .*\(.+\); answering 503 so the sender retries/.test(line), { stream: 'stderr' });
    // A delivery record says what happened, for scripts.
    expect(await listener.cli.waitForRecord((r) => r.type === 'delivery' && r.eventId === 'u-2')).toMatchObject({ status: 503, note: 'capture failed', verified: true });
    rmSync(dir);
    mkdirSync(dir);
    expect((await deliver(listener.url, 'u-2')).status).toBe(200);
    expect((await listener.cli.stop('SIGINT')).code).toBe(0);
    expect(fixtureFiles(dir).map((name) => (JSON.parse(readFileSync(join(dir, name), 'utf8')) as { eventId: string }).eventId)).toEqual(['u-2']);
  });
});
