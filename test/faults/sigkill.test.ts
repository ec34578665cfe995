/**
 * The listener killed with SIGKILL in the middle of heavy capture (16 clients posting signed
 * deliveries), in each capture mode, with and without --durable. Afterwards: every capture is
 * complete JSON (at most a torn last journal line, which a restart reports), the idempotency ledger
 * is consistent (parses, no id twice, every acknowledged id in it), and nothing that was answered
 * 2xx is missing from the captures. A restart on the same folder dedupes what was acknowledged.
 *
 * SIGKILL loses what the process had not yet handed to the kernel, not the page cache, so these
 * runs show the ordering (answer only after the write) for both modes; what --durable adds (fsync
 * before the answer, for power loss) is shown by test/listen/capture.test.ts's fsync spy.
 */
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { cleanup, drive, fixtureFiles, readJournal, readLedger, SECRET, signed, spawnListener, tempDir } from './support.js';

afterEach(cleanup);

const MODES = [
  { name: 'journal', args: [] as string[] },
  { name: 'journal --durable', args: ['--durable'] },
  { name: '--capture-files', args: ['--capture-files'] },
  { name: '--capture-files --durable', args: ['--capture-files', '--durable'] },
];

/** Event ids of the captures (non-duplicates in `ids`, every record in `all`), from the journal or the fixture files. */
function captured(dir: string, files: boolean): { ids: string[]; all: Set<string>; brokenLines: number[]; lines: number } {
  if (!files) {
    const journal = readJournal(join(dir, 'deliveries.ndjson'));
    return { ids: journal.records.filter((r) => !r.duplicate).map((r) => r.eventId!), all: new Set(journal.records.map((r) => r.eventId!)), brokenLines: journal.broken, lines: journal.lines };
  }
  const ids: string[] = [];
  const all = new Set<string>();
  for (const name of fixtureFiles(dir)) {
    // A fixture file is written to a temp name and renamed: it is whole or absent, never half.
    const record = JSON.parse(readFileSync(join(dir, name), 'utf8')) as { eventId: string; duplicate: boolean };
    all.add(record.eventId);
    if (!record.duplicate) ids.push(record.eventId);
  }
  return { ids, all, brokenLines: [], lines: ids.length };
}

describe('SIGKILL during heavy capture', () => {
  for (const mode of MODES) {
    it(`${mode.name}: complete JSON, consistent ledger, every 2xx captured; a restart dedupes what was acknowledged`, async () => {
      const dir = tempDir();
      const files = mode.args.includes('--capture-files');
      const listener = await spawnListener(['--capture', dir, '--secret', SECRET, '--quiet', ...mode.args]);
      let killed = false;
      const load = await drive(listener.url, {
        workers: 16,
        stop: (result) => {
          if (!killed && result.acked.size >= 300) {
            killed = true;
            listener.cli.child.kill('SIGKILL');
          }
          return false;
        },
      });
      expect((await listener.cli.exited).signal).toBe('SIGKILL');
      expect(load.acked.size).toBeGreaterThanOrEqual(300);

      const after = captured(dir, files);
      if (files) {
        // A kill mid-write can leave a temp file behind: a dot file, which the reader skips, so
        // replay sees exactly the complete fixtures.
        const leftovers = readdirSync(dir).filter((name) => name.endsWith('.tmp'));
        for (const name of leftovers) expect(name.startsWith('.')).toBe(true);
        const dry = await runCli(['replay', dir, '--dry-run', '--json']);
        const planned = dry.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>).filter((r) => r.type === 'plan');
        expect(planned).toHaveLength(fixtureFiles(dir).length);
        expect(planned.every((r) => r.ok === true)).toBe(true);
      }
      // Only the very last journal line may be torn by a crash.
      for (const line of after.brokenLines) expect(line).toBe(after.lines);
      const capturedIds = new Set(after.ids);
      const missing = [...load.acked].filter((id) => !capturedIds.has(id));
      expect(missing, 'answered 2xx but not captured').toEqual([]);
      // Before the restart, nothing is captured twice as new.
      expect(after.ids.length).toBe(capturedIds.size);

      const ledger = readLedger(dir);
      for (const line of ledger.broken) expect(line).toBe(ledger.ids.length + ledger.broken.length);
      expect(new Set(ledger.ids).size).toBe(ledger.ids.length);
      const inLedger = new Set(ledger.ids);
      expect([...load.acked].filter((id) => !inLedger.has(id)), 'answered 2xx but not in the ledger').toEqual([]);
      // Entries without a capture (or captures without an entry) can only be requests in flight at the kill.
      const orphans = [...inLedger].filter((id) => !capturedIds.has(id)).length + [...capturedIds].filter((id) => !inLedger.has(id)).length;
      expect(orphans).toBeLessThanOrEqual(16);

      // Restart on the same folder: it starts, knows the ids, and the senders' retries are safe.
      const restarted = await spawnListener(['--capture', dir, '--secret', SECRET, ...mode.args]);
      const banner = await restarted.cli.waitForLine((line) => /idempotency ledger: \d+ event ids/.test(line), { stream: 'stderr' });
      expect(Number(/ledger: (\d+)/.exec(banner)![1])).toBe(inLedger.size);
      const retried = [...load.acked].slice(0, 40);
      for (const id of retried) {
        const { body, headers } = signed(id, 'p'.repeat(200));
        const answer = await fetch(restarted.url, { method: 'POST', body, headers });
        expect(answer.status).toBe(200);
        expect(await answer.json()).toMatchObject({ duplicate: true });
      }
      // What was never acknowledged is retried by its sender and processed now (or was already, once).
      for (const id of load.unacked) {
        const { body, headers } = signed(id, 'p'.repeat(200));
        expect((await fetch(restarted.url, { method: 'POST', body, headers })).status).toBe(200);
      }
      expect((await restarted.cli.stop('SIGINT')).code).toBe(0);
      // Every event's bytes are captured now. One whose ledger entry landed just before the kill but
      // whose capture did not (the two are written side by side) was captured on the retry, flagged
      // duplicate: the ledger is the truth about "processed", the capture keeps the bytes.
      // The mirror case: a capture that landed without its ledger entry is processed again on the
      // retry and captured twice as new. Only requests in flight at the kill (never acknowledged)
      // can be in either case; an acknowledged one is captured as new exactly once.
      const final = captured(dir, files);
      for (const id of [...load.acked, ...load.unacked]) expect(final.all.has(id), id).toBe(true);
      const asNew = new Map<string, number>();
      for (const id of final.ids) asNew.set(id, (asNew.get(id) ?? 0) + 1);
      for (const id of load.acked) expect(asNew.get(id), id).toBe(1);
      const twice = [...asNew].filter(([, n]) => n > 1).map(([id]) => id);
      for (const id of twice) expect(load.unacked.has(id), id).toBe(true);
      expect(twice.length).toBeLessThanOrEqual(16);
      const finalLedger = readLedger(dir);
      expect(new Set(finalLedger.ids).size).toBe(finalLedger.ids.length);
    });
  }

  it('a torn last line in the journal and the ledger (a crash mid-write) is reported on restart, never fatal; replay reads the rest', async () => {
    const dir = tempDir();
    const first = await spawnListener(['--capture', dir, '--secret', SECRET, '--quiet']);
    const ids = ['torn-a', 'torn-b', 'torn-c'];
    for (const id of ids) {
      const { body, headers } = signed(id);
      expect((await fetch(first.url, { method: 'POST', body, headers })).status).toBe(200);
    }
    await first.cli.stop('SIGKILL');
    // What a write cut off by a power loss leaves: half a record, no newline.
    const journalPath = join(dir, 'deliveries.ndjson');
    const lastLine = readFileSync(journalPath, 'utf8').trim().split('\n').at(-1)!;
    appendFileSync(journalPath, lastLine.slice(0, lastLine.length >> 1));
    appendFileSync(join(dir, '.hookctl-ledger'), '{"eventId":"torn-d","at":"2026-');

    const restarted = await spawnListener(['--capture', dir, '--secret', SECRET]);
    await restarted.cli.waitForLine((line) => /journal ended in a torn line/.test(line), { stream: 'stderr' });
    await restarted.cli.waitForLine((line) => /ledger ended in a torn line/.test(line), { stream: 'stderr' });
    const { body, headers } = signed('torn-d');
    // torn-d's ledger entry was torn, so it is not a duplicate: processed now.
    expect(await (await fetch(restarted.url, { method: 'POST', body, headers })).json()).toMatchObject({ ok: true, duplicate: false });
    const again = signed('torn-a');
    expect(await (await fetch(restarted.url, { method: 'POST', body: again.body, headers: again.headers })).json()).toMatchObject({ duplicate: true });
    expect((await restarted.cli.stop('SIGINT')).code).toBe(0);

    const journal = readJournal(journalPath);
    expect(journal.broken).toEqual([4]);
    expect(journal.records.map((r) => r.eventId)).toEqual(['torn-a', 'torn-b', 'torn-c', 'torn-d', 'torn-a']);
    const dry = await runCli(['replay', journalPath, '--dry-run', '--json']);
    const planned = dry.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(planned.filter((r) => r.type === 'plan' && r.ok === true)).toHaveLength(5);
    expect(`${dry.stderr}\n${dry.stdout}`).toMatch(/:4\b/);
  });
});
