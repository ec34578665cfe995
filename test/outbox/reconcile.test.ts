/**
 * A damaged outbox loses no acknowledged forward: the capture records each acknowledged
 * delivery's pending forwards (and their ends after it), and a listener's start recreates what the
 * outbox lost — an emptied file, NUL bytes mid-file, a torn last line — and says so with counts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OUTBOX_FILE } from '../../src/outbox/entry.js';
import { freePort } from '../helpers/free-port.js';
import { startServer } from '../helpers/server.js';
import { CliProcess } from '../helpers/cli.js';
import { cleanup, listen, onCleanup, post, tempDir } from '../listen/support.js';

afterEach(cleanup);

const COUNT = 60;
const ids = Array.from({ length: COUNT }, (_, i) => `evt_r${i}`);

type Damage = 'emptied' | 'nul' | 'torn';

function damage(dir: string, how: Damage): void {
  const path = join(dir, OUTBOX_FILE);
  const bytes = readFileSync(path);
  if (how === 'emptied') writeFileSync(path, '');
  else if (how === 'nul') {
    const middle = Math.floor(bytes.length / 2);
    bytes.fill(0, middle, middle + 300);
    writeFileSync(path, bytes);
  } else {
    // The last line, an acknowledged pending entry, cut in half by a crash.
    const text = bytes.toString('utf8');
    const lastStart = text.lastIndexOf('\n', text.length - 2) + 1;
    expect(JSON.parse(text.slice(lastStart)).state).toBe('pending');
    writeFileSync(path, text.slice(0, lastStart + Math.floor((text.length - lastStart) / 2)));
  }
}

async function scenario(how: Damage, files = false) {
  const dir = tempDir();
  const port = await freePort();
  const forward = { url: `http://127.0.0.1:${port}/hooks`, ackFirst: true, retryScheduleMs: [0, 60_000] };
  const first = await listen({ captureDir: dir, captureFiles: files, forward });
  for (const id of ids) expect((await post(first.url, JSON.stringify({ id, type: 'invoice.paid' }), { 'content-type': 'application/json' })).status).toBe(200);
  await first.close();
  damage(dir, how);

  const app = await startServer(undefined, port);
  onCleanup(() => app.close());
  const second = await listen({ captureDir: dir, captureFiles: files, forward });
  const report = second.outbox!;
  // Every acknowledged forward has a state again: the survivors wait for their second attempt
  // (a minute away), the recreated ones are due now and reach the app.
  expect(report.resumed).toBe(COUNT);
  const seen = new Set<string>();
  await expect.poll(() => {
    for (const request of app.requests) seen.add(JSON.parse(request.body.toString()).id);
    return seen.size;
  }, { timeout: 15_000 }).toBe(report.recreated);
  return { report, second };
}

describe('a damaged outbox is reconciled with the capture at start', () => {
  it('emptied: every acknowledged forward is recreated and delivered, and the start says so', async () => {
    const { report } = await scenario('emptied');
    expect(report).toMatchObject({ empty: true, recreated: COUNT, resumed: COUNT });
  });

  it('300 NUL bytes mid-file: the damaged lines are counted and their forwards recreated', async () => {
    const { report } = await scenario('nul');
    expect(report.nulBytes).toBe(300);
    expect(report.damagedLines).toBeGreaterThanOrEqual(1);
    expect(report.recreated).toBeGreaterThanOrEqual(1);
    expect(report.resumed).toBe(COUNT);
  });

  it('a torn last line that was an acknowledged entry: recreated', async () => {
    const { report } = await scenario('torn');
    expect(report).toMatchObject({ tornTail: true, recreated: 1, resumed: COUNT });
  });

  it('--capture-files, emptied: recreated from the fixture files', async () => {
    const { report } = await scenario('emptied', true);
    expect(report).toMatchObject({ empty: true, recreated: COUNT, resumed: COUNT });
  });

  it('an intact outbox: nothing recreated, nothing delivered twice', async () => {
    const dir = tempDir();
    const app = await startServer();
    onCleanup(() => app.close());
    const forward = { url: app.url, ackFirst: true, retryScheduleMs: [0] };
    const first = await listen({ captureDir: dir, forward });
    for (const id of ids.slice(0, 5)) expect((await post(first.url, JSON.stringify({ id }), { 'content-type': 'application/json' })).status).toBe(200);
    await first.waitForForwards(5);
    await first.close();
    const second = await listen({ captureDir: dir, forward });
    expect(second.outbox).toMatchObject({ recreated: 0, resumed: 0, empty: false });
    await second.close();
    expect(app.requests).toHaveLength(5);
  });

  it('hookctl listen says what was wrong with the outbox and how many forwards it recreated', async () => {
    const dir = tempDir();
    const port = await freePort();
    const args = ['listen', '--port', '0', '--json', '--capture', dir, '--forward-to', `http://127.0.0.1:${port}/`, '--ack-first', '--forward-retry-schedule', '0,60s'];
    const first = new CliProcess(args);
    onCleanup(() => first.stop('SIGKILL'));
    const { url } = await first.waitForRecord<{ url: string }>((r) => r.type === 'listening');
    for (const id of ids.slice(0, 3)) expect((await post(url, JSON.stringify({ id }), { 'content-type': 'application/json' })).status).toBe(200);
    await first.stop('SIGINT');
    damage(dir, 'emptied');
    const second = new CliProcess(args);
    onCleanup(() => second.stop('SIGKILL'));
    await second.waitForRecord((r) => r.type === 'listening');
    await second.waitForLine((line) => line.includes('recreated'), { stream: 'stderr' });
    expect(second.stderrLines.join('\n')).toContain('the outbox was empty or missing: 3 acknowledged forwards the capture records as owed were recreated from it');
  });

  it('a dead letter the emptied outbox lost is a dead letter again, with the app\'s answer', async () => {
    const dir = tempDir();
    const app = await startServer((_request, res) => {
      res.statusCode = 410;
      res.end('gone for good');
    });
    onCleanup(() => app.close());
    const forward = { url: app.url, ackFirst: true, retryScheduleMs: [0, 60_000] };
    const first = await listen({ captureDir: dir, forward });
    expect((await post(first.url, JSON.stringify({ id: 'evt_dead_then_lost' }), { 'content-type': 'application/json' })).status).toBe(200);
    await first.waitForForwards(1);
    await first.close();
    damage(dir, 'emptied');
    const second = await listen({ captureDir: dir, forward });
    expect(second.outbox).toMatchObject({ recreated: 1, dead: 1, resumed: 0 });
    await second.close();
    const entry = readFileSync(join(dir, OUTBOX_FILE), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line)).find((line) => line.event === 'evt_dead_then_lost');
    expect(entry).toMatchObject({ state: 'dead', status: 410, reason: 'refused' });
    expect(app.requests).toHaveLength(1);
  });
});
