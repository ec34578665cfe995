/**
 * The idempotency ledger under growth and damage. It was read whole at start-up: past 512 MiB
 * (≈4.4M ids, or 37k replays of one GitHub delivery with 15k-character ids) the listener no longer
 * started, and the error blamed permissions. Now: long ids are hashed, ids are remembered for a
 * window (a week by default), the file is compacted so its size follows the window, read line by
 * line, and a file that cannot be read is named with the real cause.
 */
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { IdempotencyLedger, LEDGER_FILE, ledgerKey, MAX_REMEMBERED_ID_LENGTH, type Claim } from '../../src/capture/ledger.js';
import { CliProcess } from '../helpers/cli.js';
import { cleanup, onCleanup, tempDir as makeTempDir } from './support.js';

afterEach(cleanup);

const tempDir = () => makeTempDir('hookctl-ledger-');

const HOUR = 3600_000;
const DAY = 24 * HOUR;

/** A ledger in `dir` on a clock the test moves. */
async function ledgerAt(dir: string, clock: { ms: number }, dedupeWindowMs?: number) {
  const ledger = new IdempotencyLedger(join(dir, LEDGER_FILE), { now: () => clock.ms, ...(dedupeWindowMs !== undefined ? { dedupeWindowMs } : {}) });
  const load = await ledger.open();
  onCleanup(() => ledger.close());
  return { ledger, load };
}

async function commit(ledger: IdempotencyLedger, id: string): Promise<boolean> {
  const claim = (await ledger.claim(id)) as Claim;
  if (claim.duplicate) return false;
  await claim.commit('capture-id');
  return true;
}

function lines(dir: string): string[] {
  return readFileSync(join(dir, LEDGER_FILE), 'utf8').split('\n').filter(Boolean);
}

describe('idempotency ledger', () => {
  it(`remembers ids over ${MAX_REMEMBERED_ID_LENGTH} characters by their hash: short lines, the same dedupe`, async () => {
    const dir = tempDir();
    const clock = { ms: Date.now() };
    const { ledger } = await ledgerAt(dir, clock);
    const long = `gh-${'x'.repeat(15_000)}`;
    expect(await commit(ledger, long)).toBe(true);
    expect(await commit(ledger, long)).toBe(false);
    // Another long id, even one differing only at its end, is another event.
    expect(await commit(ledger, `${long.slice(0, -1)}y`)).toBe(true);
    await ledger.close();
    const written = lines(dir);
    expect(written.every((line) => line.length < 400)).toBe(true);
    expect(JSON.parse(written[0]!).eventId).toBe(ledgerKey(long));
    expect(ledgerKey(long)).toMatch(/^long-id:sha256:[0-9a-f]{64}$/);
    expect(ledgerKey('evt_short')).toBe('evt_short');
    const { ledger: again } = await ledgerAt(dir, clock);
    expect(await commit(again, long)).toBe(false);
  });

  it('remembers any id across a restart: quotes, backslashes, control characters, non-ASCII', async () => {
    const dir = tempDir();
    const clock = { ms: Date.now() };
    const ids = ['plain', 'with "quotes"', 'back\\slash', 'tab\tnew\nline', 'ünïcødé €', '😀', '{"eventId":"nested"}', ''];
    const { ledger } = await ledgerAt(dir, clock);
    for (const id of ids) expect(await commit(ledger, id)).toBe(true);
    await ledger.close();
    const { ledger: again, load } = await ledgerAt(dir, clock);
    expect(load).toMatchObject({ entries: ids.length, skipped: 0 });
    for (const id of ids) expect(await commit(again, id), id).toBe(false);
    expect(await commit(again, 'nested')).toBe(true);
  });

  it('forgets ids older than the dedupe window (a week by default), in memory and at start-up', async () => {
    const dir = tempDir();
    const clock = { ms: Date.now() };
    const { ledger } = await ledgerAt(dir, clock);
    expect(await commit(ledger, 'evt_old')).toBe(true);
    clock.ms += 7 * DAY - HOUR;
    expect(await commit(ledger, 'evt_old')).toBe(false);
    expect(await commit(ledger, 'evt_newer')).toBe(true);
    clock.ms += 2 * HOUR;
    // A week and an hour later: a delivery of that id is processed again.
    expect(await commit(ledger, 'evt_old')).toBe(true);
    await ledger.close();
    clock.ms += 7 * DAY - HOUR;
    const { ledger: restarted, load } = await ledgerAt(dir, clock);
    // evt_newer is past the window now; evt_old's second commit is not.
    expect(load).toMatchObject({ entries: 1, expired: 2 });
    expect(await commit(restarted, 'evt_newer')).toBe(true);
    expect(await commit(restarted, 'evt_old')).toBe(false);
  });

  it('compacts the file while running so its size follows the window, losing no entry committed meanwhile', async () => {
    const dir = tempDir();
    const clock = { ms: Date.now() };
    const { ledger } = await ledgerAt(dir, clock, HOUR);
    await Promise.all(Array.from({ length: 20_000 }, (_, i) => commit(ledger, `early-${i}`)));
    clock.ms += 40 * 60_000;
    const mid = Array.from({ length: 5000 }, (_, i) => `mid-${i}`);
    await Promise.all(mid.map((id) => commit(ledger, id)));
    clock.ms += 30 * 60_000;
    // The first commit past the early ids' window forgets them and starts a compaction (a snapshot
    // of the mid ids); the later ones, one at a time, land while it writes and swaps the file.
    const late: string[] = [];
    for (let i = 0; i < 1500; i++) {
      late.push(`late-${i}`);
      expect(await commit(ledger, `late-${i}`)).toBe(true);
    }
    await ledger.close();
    const ids = new Set(lines(dir).map((line) => JSON.parse(line).eventId as string));
    expect([...ids].filter((id) => id.startsWith('early-'))).toEqual([]);
    expect([...mid, ...late].filter((id) => !ids.has(id))).toEqual([]);
    expect(lines(dir).length).toBeLessThan(2 * (mid.length + late.length) + 1000);
    const { load } = await ledgerAt(dir, clock, HOUR);
    expect(load.entries).toBe(mid.length + late.length);
  });

  it('compacts at start-up a file that is mostly expired', async () => {
    const dir = tempDir();
    const old = new Date(Date.now() - 30 * DAY).toISOString();
    const now = new Date().toISOString();
    const text = [...Array.from({ length: 5000 }, (_, i) => JSON.stringify({ eventId: `stale-${i}`, at: old })), ...['a', 'b', 'c'].map((id) => JSON.stringify({ eventId: id, at: now }))];
    writeFileSync(join(dir, LEDGER_FILE), `${text.join('\n')}\n`);
    const { ledger, load } = await ledgerAt(dir, { ms: Date.now() });
    expect(load).toMatchObject({ entries: 3, expired: 5000, compacted: true });
    expect(lines(dir).map((line) => JSON.parse(line).eventId)).toEqual(['a', 'b', 'c']);
    expect(await commit(ledger, 'b')).toBe(false);
  });

  it('a listener starts on a ledger larger than a string can hold, read line by line (a 600 MB damaged line, then entries)', async () => {
    const dir = tempDir();
    const path = join(dir, LEDGER_FILE);
    // Sparse: 600 MB of NUL bytes cost no disk. Read whole, this file once kept the listener from starting.
    const fd = openSync(path, 'w');
    writeSync(fd, `\n${JSON.stringify({ eventId: 'kept-1', at: new Date().toISOString() })}\n`, 600 * 1024 * 1024);
    closeSync(fd);
    const cli = new CliProcess(['listen', '--port', '0', '--json', '--capture', dir, '--id-header', 'x-id']);
    onCleanup(() => cli.stop('SIGKILL'));
    const { url } = await cli.waitForRecord<{ url: string }>((r) => r.type === 'listening', 30_000);
    const answer = await fetch(url, { method: 'POST', body: '{}', headers: { 'x-id': 'kept-1' } });
    expect(await answer.json()).toMatchObject({ duplicate: true });
  });

  it('a ledger that cannot be read is one clear line naming it and the real cause', async () => {
    const folder = tempDir();
    mkdirSync(join(folder, LEDGER_FILE));
    const garbage = tempDir();
    writeFileSync(join(garbage, LEDGER_FILE), 'PK\u0003\u0004 not a ledger\nat all\n');
    for (const [dir, cause] of [
      [folder, /cannot read the idempotency ledger .*\.hookctl-ledger \(it is a folder\)/],
      [garbage, /\.hookctl-ledger is not an idempotency ledger \(2 lines, none of them an entry\): move it away/],
    ] as const) {
      const cli = new CliProcess(['listen', '--port', '0', '--capture', dir]);
      onCleanup(() => cli.stop('SIGKILL'));
      const { code } = await cli.exited;
      expect(code).toBe(1);
      expect(cli.stderrLines).toHaveLength(1);
      expect(cli.stderrLines[0]).toMatch(cause);
      expect(cli.stderrLines[0]).not.toMatch(/permission|cannot write/);
    }
  });
});
