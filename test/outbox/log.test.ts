/**
 * The outbox log on its own: last line wins per entry, totals counted once per transition, a torn
 * last line ignored, compaction that keeps exactly what is live (and the changes made while it
 * runs), and a reopened log that sees what the closed one saw.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OutboxLog, parseOutbox, type OutboxEntry } from '../../src/outbox/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hookctl-outbox-'));
  dirs.push(dir);
  return dir;
}

function entry(log: OutboxLog, n: number): OutboxEntry {
  const now = Date.now();
  return { id: log.newId(now), capture: `cap-${n}`, event: `evt-${n}`, type: 'invoice.paid', route: 'http://127.0.0.1:1/', target: 'http://127.0.0.1:1/', state: 'pending', attempts: 0, due: now, at: now };
}

function lines(path: string): string[] {
  return readFileSync(path, 'utf8').split('\n').filter(Boolean);
}

describe('outbox log', () => {
  it('the last line about an entry wins; totals count transitions, so a line applied twice counts once', () => {
    const text = [
      { id: '1-0', capture: 'c1', event: 'e1', type: null, route: 'r', target: 'r', state: 'pending', attempts: 0, due: 1, at: 1 },
      { id: '1-0', state: 'pending', attempts: 1, due: 5, status: 503, error: 'HTTP 503', at: 2 },
      { id: '1-0', state: 'pending', attempts: 1, due: 5, status: 503, error: 'HTTP 503', at: 2 },
      { id: '1-0', state: 'delivered', attempts: 2, status: 200, at: 6 },
      { id: '1-0', state: 'delivered', attempts: 2, status: 200, at: 6 },
      { id: '2-0', capture: 'c2', event: 'e2', type: null, route: 'r', target: 'r', state: 'pending', attempts: 0, due: 1, at: 1 },
      { id: '2-0', state: 'dead', attempts: 1, status: 410, error: 'HTTP 410', reason: 'refused', at: 3 },
      { id: '9-9', state: 'delivered', attempts: 1, at: 7 },
    ]
      .map((line) => JSON.stringify(line))
      .join('\n');
    const parsed = parseOutbox(`${text}\nnot json\n{"id":"3-0","capture":"c3"`);
    expect(parsed.totals).toEqual({ delivered: 1, retried: 1, dead: 1 });
    expect([...parsed.entries.keys()]).toEqual(['2-0']);
    expect(parsed.entries.get('2-0')).toMatchObject({ state: 'dead', capture: 'c2', status: 410, reason: 'refused' });
    expect(parsed.tornTail).toBe(true);
    expect(parsed.skipped).toBe(1);
  });

  it('compaction keeps exactly the live entries, changes made while it runs are kept, and a reopened log sees the same state', async () => {
    const dir = tempDir();
    const log = new OutboxLog(dir, { compactMinLines: 40 });
    await log.open();
    const entries = Array.from({ length: 60 }, (_, n) => entry(log, n));
    await log.add(entries);
    // Deliver most, leave some pending (one retrying) and kill two.
    const changes: Array<Promise<void>> = [];
    entries.forEach((e, n) => {
      if (n < 50) changes.push(log.update(e.id, { state: 'delivered', attempts: 1, status: 200 }));
      else if (n < 52) changes.push(log.update(e.id, { state: 'dead', attempts: 4, status: 500, error: 'HTTP 500', reason: 'exhausted' }));
      else if (n === 52) changes.push(log.update(e.id, { state: 'pending', attempts: 2, due: Date.now() + 60_000, status: 503, error: 'HTTP 503' }));
    });
    await Promise.all(changes);
    // 60 + 53 lines passed the threshold: a compaction ran (or is running); wait for it.
    await log.compact();
    const after = lines(log.path);
    // The totals line and the 10 live entries.
    expect(after).toHaveLength(11);
    expect(JSON.parse(after[0]!)).toMatchObject({ totals: { delivered: 50, dead: 2, retried: 1 } });
    // Changes during a compaction: started, then written while the rename happens.
    const compaction = log.compact();
    const during = log.update(entries[53]!.id, { state: 'delivered', attempts: 1, status: 200 });
    await Promise.all([compaction, during]);
    await log.close();
    const reopened = new OutboxLog(dir);
    const load = await reopened.open();
    expect(load.entries).toBe(9);
    expect(reopened.totals).toEqual({ delivered: 51, dead: 2, retried: 1 });
    expect(reopened.get(entries[52]!.id)).toMatchObject({ state: 'pending', attempts: 2, status: 503 });
    expect(reopened.get(entries[50]!.id)).toMatchObject({ state: 'dead', reason: 'exhausted' });
    expect(reopened.get(entries[53]!.id)).toBeUndefined();
    // Closing compacted it: only what is live is left.
    expect(lines(reopened.path)).toHaveLength(10);
    await reopened.close();
  });

  it('deliveries are written many to a line, with the next entries added or shortly after, and count once', async () => {
    const dir = tempDir();
    const log = new OutboxLog(dir);
    await log.open();
    const entries = Array.from({ length: 4 }, (_, n) => entry(log, n));
    await log.add(entries.slice(0, 3));
    log.delivered(entries[0]!.id);
    log.delivered(entries[1]!.id);
    log.delivered(entries[1]!.id);
    // Dropped at once in memory, counted once.
    expect(log.get(entries[0]!.id)).toBeUndefined();
    expect(log.totals.delivered).toBe(2);
    // Written with the next entry, in one line before it.
    await log.add([entries[3]!]);
    const written = lines(log.path).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(written.slice(-2)).toMatchObject([{ delivered: [entries[0]!.id, entries[1]!.id] }, { id: entries[3]!.id, state: 'pending' }]);
    // Nothing added next: written on its own shortly after.
    log.delivered(entries[2]!.id);
    await expect.poll(() => lines(log.path).length).toBe(written.length + 1);
    expect(JSON.parse(lines(log.path).at(-1)!)).toMatchObject({ delivered: [entries[2]!.id] });
    // A reader (a restart, queue status) sees the same: one pending, three delivered, even with a line applied twice.
    appendFileSync(log.path, `${JSON.stringify({ delivered: [entries[0]!.id], at: Date.now() })}\n`);
    const parsed = parseOutbox(readFileSync(log.path, 'utf8'));
    expect([...parsed.entries.keys()]).toEqual([entries[3]!.id]);
    expect(parsed.totals.delivered).toBe(3);
    expect(parsed.deliveredAt).toHaveLength(3);
    await log.close();
  });

  it('a delivery not written yet when the listener stops is written by close()', async () => {
    const dir = tempDir();
    const log = new OutboxLog(dir);
    await log.open();
    const first = entry(log, 1);
    await log.add([first, entry(log, 2)]);
    log.delivered(first.id);
    await log.close();
    const reopened = new OutboxLog(dir);
    expect(await reopened.open()).toMatchObject({ entries: 1 });
    expect(reopened.totals.delivered).toBe(1);
    await reopened.close();
  });

  it('a torn last line (a crash mid-write) is ignored and the next line starts fresh', async () => {
    const dir = tempDir();
    const log = new OutboxLog(dir);
    await log.open();
    const first = entry(log, 1);
    await log.add([first]);
    await log.close();
    appendFileSync(log.path, '{"id":"12-0","capture":"torn');
    const reopened = new OutboxLog(dir);
    expect(await reopened.open()).toMatchObject({ entries: 1, tornTail: true });
    await reopened.update(first.id, { state: 'pending', attempts: 1, due: 5, status: null, error: 'connection refused' });
    await reopened.close();
    const parsed = parseOutbox(readFileSync(reopened.path, 'utf8'));
    expect(parsed.tornTail).toBe(false);
    expect(parsed.entries.get(first.id)).toMatchObject({ attempts: 1 });
  });

  it('entry ids are unique and shaped like stream ids, even many in one millisecond', async () => {
    const log = new OutboxLog(tempDir());
    const ids = Array.from({ length: 1000 }, () => log.newId(1_000));
    expect(new Set(ids).size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^\d+-\d+$/);
  });
});
