/** verify --fixture takes the journal listen writes: its last delivery, or the one --id names; unreadable input is exit 2, a bad signature exit 1. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliProcess, runCli } from '../helpers/cli.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const dir = mkdtempSync(join(tmpdir(), 'hookctl-verify-journal-'));
const secretFile = join(dir, 'secret');
const journal = join(dir, 'captured', 'deliveries.ndjson');
const ids: string[] = [];

beforeAll(async () => {
  writeFileSync(secretFile, `${SECRET}\n`);
  const listener = new CliProcess(['listen', '--port', '0', '--json', '--capture', join(dir, 'captured'), '--secret-file', secretFile]);
  try {
    const { url } = await listener.waitForRecord<{ url: string }>((record) => record.type === 'listening');
    for (const event of ['invoice.paid', 'charge.refunded']) {
      const sent = await runCli(['send', url, '--scheme', 'stripe', '--event', event, '--secret-file', secretFile, '--json']);
      expect(sent.code, sent.stderr).toBe(0);
      const delivery = await listener.waitForRecord<{ eventId: string }>((record) => record.type === 'delivery' && record.eventType === event);
      ids.push(delivery.eventId);
    }
  } finally {
    await listener.stop();
  }
}, 30_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('hookctl verify --fixture JOURNAL', () => {
  it('verifies the last delivery and says which it took', async () => {
    const result = await runCli(['verify', '--fixture', journal, '--secret-file', secretFile, '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ verified: true });
    expect(result.stderr).toContain(`verifying the last of 2 deliveries in ${journal} (${journal}:2, event ${ids[1]}); --id EVENT_ID picks another`);
  });

  it('--id picks a delivery by its event id', async () => {
    const result = await runCli(['verify', '--fixture', journal, '--id', ids[0]!, '--secret-file', secretFile]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
  });

  it('a wrong secret is exit 1; an unknown id, a file that is no capture and a missing one are exit 2', async () => {
    expect((await runCli(['verify', '--fixture', journal, '--secret', 'whsec_dGhpcyBpcyBub3QgdGhlIHNlY3JldA=='])).code).toBe(1);
    const unknown = await runCli(['verify', '--fixture', journal, '--id', 'evt_nope', '--secret-file', secretFile]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim()).toBe(`hookctl: --id: no delivery with event id or capture id evt_nope in ${journal} (2 deliveries)`);
    const notes = join(dir, 'notes.json');
    writeFileSync(notes, 'not json at all');
    const garbage = await runCli(['verify', '--fixture', notes, '--secret-file', secretFile]);
    expect(garbage.code).toBe(2);
    expect(garbage.stderr.trim().split('\n')).toHaveLength(1);
    const missing = await runCli(['verify', '--fixture', join(dir, 'nope.ndjson'), '--secret-file', secretFile]);
    expect(missing.code).toBe(2);
  });
});
