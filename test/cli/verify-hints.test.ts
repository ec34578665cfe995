/**
 * `hookctl verify` where the signature is not in a header, and on an old capture: a Mailgun or SNS
 * body is verified from --data alone (no -H to give), and a capture too old for the tolerance gets
 * the --now value that verifies it as of its capture, not a placeholder.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { getScheme } from '../../src/schemes/registry.js';
import { signRequest } from '../../src/schemes/sign-request.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'hookctl-verify-hints-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('mailgun: the signature travels in the body, so --data alone is verified (no "give the signature headers")', async () => {
  const signed = signRequest(getScheme('mailgun'), { body: Buffer.from('{"event-data":{"id":"ev1","event":"delivered"}}'), secret: 'key-mailgun', timestamp: Math.floor(Date.now() / 1000), id: 'ev1' });
  const body = Buffer.from(signed.body).toString('utf8');
  const good = await runCli(['verify', '--scheme', 'mailgun', '--secret', 'key-mailgun', '--data', body]);
  expect(good.stderr).toBe('');
  expect(good.code).toBe(0);
  const wrong = await runCli(['verify', '--scheme', 'mailgun', '--secret', 'another', '--data', body]);
  expect(wrong.code).toBe(1);
  expect(wrong.stdout).toContain('signature_mismatch');
});

it('a capture older than the tolerance: the hint gives the --now of its capture, which verifies it', async () => {
  const capturedAt = Math.floor(Date.now() / 1000) - 3600;
  const body = '{"id":"evt_old","type":"invoice.paid"}';
  const signed = signRequest(getScheme('stripe'), { body: Buffer.from(body), secret: 'whsec_old', timestamp: capturedAt, id: 'evt_old' });
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) headers[name.toLowerCase()] = String(value);
  const fixture = join(dir, 'old.json');
  const record = { format: 'hookctl.delivery.v1', id: 'old-1', capturedAt: new Date(capturedAt * 1000).toISOString(), receivedAt: 'http://127.0.0.1:8787', method: 'POST', path: '/', headers, body, bodyEncoding: 'utf8', bytes: body.length };
  writeFileSync(fixture, JSON.stringify(record, null, 2));
  const stale = await runCli(['verify', '--fixture', fixture, '--secret', 'whsec_old']);
  expect(stale.code).toBe(1);
  expect(stale.stdout).toContain(`--now ${capturedAt}`);
  const asOfCapture = await runCli(['verify', '--fixture', fixture, '--secret', 'whsec_old', '--now', String(capturedAt)]);
  expect(asOfCapture.code).toBe(0);
});
