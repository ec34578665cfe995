/**
 * Outcomes that outlive the terminal: what the listener answered and what the app said are kept
 * with the delivery (an outcome line after the record in the journal, folded into a fixture file),
 * so the readers (`replay`, `hookctl inspect`, the "failed" filter) see a refusal after the fact.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { OUTBOX_FILE } from '../../src/outbox/entry.js';
import { freePort } from '../helpers/free-port.js';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readAllFixtures } from '../../src/records/reader.js';
import { OUTCOME_LINE_START } from '../../src/records/outcome.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { api, cleanup as closeInspectors, inspectFiles } from '../inspector/support.js';
import { cleanup, listen, onCleanup, post, tempDir } from './support.js';

const STRIPE_REFUSAL = 'No signatures found matching the expected signature for payload';

afterEach(async () => {
  await closeInspectors();
  await cleanup();
});

async function refusingApp(): Promise<TestServer> {
  const app = await startServer((request, res) => {
    if (request.body.toString().includes('"good"')) return void res.end('ok');
    res.statusCode = 400;
    res.setHeader('x-powered-by', 'Express');
    res.end(`Webhook Error: ${STRIPE_REFUSAL}`);
  });
  onCleanup(() => app.close());
  return app;
}

describe('outcomes kept with the delivery', () => {
  it('the app in line: a refused delivery reads back with the answer, the app status and its words', async () => {
    const app = await refusingApp();
    const dir = tempDir();
    const listener = await listen({ captureDir: dir, forward: { url: app.url } });
    expect((await post(listener.url, JSON.stringify({ id: 'evt_bad', type: 'invoice.paid' }), { 'content-type': 'application/json' })).status).toBe(400);
    expect((await post(listener.url, JSON.stringify({ id: 'evt_ok', type: 'good' }), { 'content-type': 'application/json' })).status).toBe(200);
    await listener.close();

    const journal = readFileSync(join(dir, 'deliveries.ndjson'), 'utf8').trim().split('\n');
    // Each record, then its outcome line.
    expect(journal).toHaveLength(4);
    expect(journal[1]!.startsWith(OUTCOME_LINE_START)).toBe(true);
    expect(journal[3]!.startsWith(OUTCOME_LINE_START)).toBe(true);

    const { entries, problems } = await readAllFixtures([dir]);
    expect(problems).toEqual([]);
    expect(entries).toHaveLength(2);
    const refused = entries[0]!.record;
    expect(refused.eventId).toBe('evt_bad');
    expect(refused.outcome?.answer?.status).toBe(400);
    expect(refused.outcome?.forwards?.[0]).toMatchObject({ state: 'refused', status: 400, target: `${app.url}/`, app: expect.stringContaining(STRIPE_REFUSAL) });
    expect(entries[1]!.record.outcome).toMatchObject({ answer: { status: 200 }, forwards: [{ state: 'delivered', status: 200 }] });
    expect(entries[1]!.record.outcome?.forwards?.[0]?.app).toBeUndefined();

    // hookctl inspect: the row shows the answer and the app's status; "failed" finds it; the detail has the app's words.
    const inspector = await inspectFiles([dir]);
    const list = await api(inspector, '/api/deliveries?state=failed');
    expect(list.body.rows.map((row: { eventId: string }) => row.eventId)).toEqual(['evt_bad']);
    expect(list.body.rows[0]).toMatchObject({ status: 400, forward: { status: 400, pending: false } });
    const detail = await api(inspector, '/api/deliveries/0');
    expect(detail.body.forwardAttempts[0]).toMatchObject({ status: 400, snippet: expect.stringContaining(STRIPE_REFUSAL) });
  });

  it('--ack-first from the outbox: each forward\'s end is kept (delivered, or a dead letter with the app\'s answer)', async () => {
    const app = await refusingApp();
    const dir = tempDir();
    const listener = await listen({ captureDir: dir, forward: { url: app.url, ackFirst: true, retryScheduleMs: [0] } });
    expect((await post(listener.url, JSON.stringify({ id: 'evt_bad', type: 'x' }), { 'content-type': 'application/json' })).status).toBe(200);
    expect((await post(listener.url, JSON.stringify({ id: 'evt_ok', type: 'good' }), { 'content-type': 'application/json' })).status).toBe(200);
    await listener.waitForForwards(2);
    await listener.close();
    const { entries } = await readAllFixtures([dir]);
    const byId = new Map(entries.map((entry) => [entry.record.eventId, entry.record.outcome]));
    expect(byId.get('evt_bad')?.forwards?.[0]).toMatchObject({ state: 'dead', status: 400, app: expect.stringContaining(STRIPE_REFUSAL) });
    expect(byId.get('evt_ok')?.forwards?.[0]).toMatchObject({ state: 'delivered', status: 200 });

    const inspector = await inspectFiles([dir]);
    const failed = await api(inspector, '/api/deliveries?state=failed');
    expect(failed.body.rows.map((row: { eventId: string }) => row.eventId)).toEqual(['evt_bad']);
  });

  it('fixture files: the outcome is folded into the file', async () => {
    const app = await refusingApp();
    const dir = tempDir();
    const listener = await listen({ captureDir: dir, captureFiles: true, forward: { url: app.url } });
    expect((await post(listener.url, JSON.stringify({ id: 'evt_bad', type: 'x' }), { 'content-type': 'application/json' })).status).toBe(400);
    await listener.close();
    const files = readdirSync(dir).filter((name) => name.endsWith('.json'));
    expect(files).toHaveLength(1);
    const record = JSON.parse(readFileSync(join(dir, files[0]!), 'utf8'));
    expect(record.outcome).toMatchObject({ answer: { status: 400 }, forwards: [{ state: 'refused', status: 400 }] });
    const { entries } = await readAllFixtures([dir]);
    expect(entries[0]!.record.outcome?.forwards?.[0]?.app).toContain(STRIPE_REFUSAL);
  });

  // A guard: route names hide a URL's password (src/routes/route.ts), and the capture keeps them that way.
  it('a route URL\'s password never goes into the capture; an outbox recreated from it forwards under the real route', async () => {
    const app = await refusingApp();
    const withPassword = app.url.replace('http://', 'http://admin:s3cret-pw@');
    for (const ackFirst of [false, true]) {
      const dir = tempDir();
      const listener = await listen({ captureDir: dir, forward: { url: withPassword, ...(ackFirst ? { ackFirst, retryScheduleMs: [0] } : {}) } });
      await post(listener.url, JSON.stringify({ id: `evt_pw_${ackFirst}`, type: 'x' }), { 'content-type': 'application/json' });
      if (ackFirst) await listener.waitForForwards(1);
      await listener.close();
      const journal = readFileSync(join(dir, 'deliveries.ndjson'), 'utf8');
      expect(journal).toContain('admin:***@');
      expect(journal).not.toContain('s3cret-pw');
    }
    // The outbox lost, its forward recreated from the capture under this listener's own route (the real URL), and delivered.
    const dir = tempDir();
    const port = await freePort();
    const forward = { url: `http://admin:s3cret-pw@127.0.0.1:${port}/`, ackFirst: true, retryScheduleMs: [0, 60_000] };
    const first = await listen({ captureDir: dir, forward });
    await post(first.url, JSON.stringify({ id: 'evt_pw_outbox', type: 'x' }), { 'content-type': 'application/json' });
    await first.close();
    writeFileSync(join(dir, OUTBOX_FILE), '');
    const later = await startServer(undefined, port);
    onCleanup(() => later.close());
    const second = await listen({ captureDir: dir, forward });
    expect(second.outbox).toMatchObject({ recreated: 1, resumed: 1, otherRoutes: 0 });
    await later.waitForRequests(1);
  });
});
