/**
 * The inspector's data side, without a browser: journals indexed by offset (odd lines, torn
 * tails, lines longer than a read), pages, filters and search as the page asks for them over
 * HTTP, a followed journal, and a live feed with forward outcomes and a body budget.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JournalIndex } from '../../src/inspector/journal-index.js';
import { toFixtureFile, toJournalLine } from '../../src/records/record.js';
import { api, cleanup, deliveryFrom, eventually, inspectFeed, inspectFiles, signedRecord, tempDir, writeJournal } from './support.js';

afterEach(cleanup);

describe('journal index', () => {
  it('finds every record line by offset: CRLF, blank lines, a line longer than a read, a torn tail', async () => {
    const dir = tempDir();
    const big = signedRecord({ body: JSON.stringify({ id: 'evt_big', type: 'big.one', pad: 'x'.repeat(3 * 1024 * 1024) }) });
    const [a, b] = [signedRecord(), signedRecord()];
    const path = join(dir, 'j.ndjson');
    writeFileSync(path, `${toJournalLine(a)}\r\n\n   \n${toJournalLine(big)}\n${toJournalLine(b)}\n{"format":"hookctl.deliv`);
    const index = new JournalIndex(path);
    await index.scan();
    expect(index.size).toBe(3);
    expect([0, 1, 2].map((i) => index.lineNumber(i))).toEqual([1, 4, 5]);
    expect(index.pendingBytes).toBe('{"format":"hookctl.deliv'.length);
    const lines = await index.readLines(0, 3);
    expect(lines.map((line) => (JSON.parse(line.toString('utf8')) as { id: string }).id)).toEqual([a.id, big.id, b.id]);
    // The torn line is completed by the next write: it becomes a (bad) line of its own.
    appendFileSync(path, 'ery.v1"}\n');
    expect(await index.scan()).toBe(1);
    await index.close();
  });
});

describe('pages, filters and search', () => {
  async function fixture() {
    const dir = tempDir();
    const records = [
      signedRecord({ scheme: 'stripe', eventType: 'invoice.paid', path: '/hooks/stripe?x=1' }),
      signedRecord({ scheme: 'stripe', eventType: 'invoice.payment_failed', arrived: '{"tampered":true}' }),
      signedRecord({ scheme: 'github', eventType: 'push', path: '/hooks/github', headers: { 'x-trace': 'Needle-In-A-Header' } }),
      signedRecord({ scheme: 'github', eventType: 'push', duplicate: true }),
      signedRecord({ scheme: 'standard', eventType: 'user.created', body: JSON.stringify({ type: 'user.created', name: 'Zoë "quoted" <b>' }) }),
    ];
    const journal = writeJournal(dir, records);
    appendFileSync(journal, 'this line is not JSON\n');
    const inspector = await inspectFiles([journal]);
    return { records, inspector };
  }

  it('pages from the end of the list by default, and by offset, with unreadable lines in place', async () => {
    const { records, inspector } = await fixture();
    const tail = await api(inspector, '/api/deliveries?limit=2');
    expect(tail.status).toBe(200);
    expect(tail.body.total).toBe(6);
    expect(tail.body.offset).toBe(4);
    expect(tail.body.rows[0].id).toBe(records[4]!.id);
    expect(tail.body.rows[1].problem).toMatch(/not a JSON record/);
    expect(tail.body.rows[1].source).toMatch(/deliveries\.ndjson:6$/);
    const first = await api(inspector, '/api/deliveries?offset=0&limit=3');
    expect(first.body.rows.map((row: { seq: number }) => row.seq)).toEqual([0, 1, 2]);
    expect(first.body.rows[0]).toMatchObject({ scheme: 'stripe', eventType: 'invoice.paid', verified: true, path: '/hooks/stripe?x=1' });
  });

  it('filters by state, scheme, event-type glob and path; unreadable lines only in the full list', async () => {
    const { inspector } = await fixture();
    const types = async (query: string) => ((await api(inspector, `/api/deliveries?${query}`)).body.rows as Array<{ eventType: string }>).map((row) => row.eventType);
    expect(await types('state=failed')).toEqual(['invoice.payment_failed']);
    expect(await types('state=verified')).toEqual(['invoice.paid', 'push', 'push', 'user.created']);
    expect(await types('state=duplicate')).toEqual(['push']);
    expect(await types('scheme=github')).toEqual(['push', 'push']);
    expect(await types('type=invoice.*')).toEqual(['invoice.paid', 'invoice.payment_failed']);
    expect(await types('type=push,user.*')).toEqual(['push', 'push', 'user.created']);
    expect(await types('path=/hooks/')).toEqual(['invoice.paid', 'push']);
    expect(await types('path=github')).toEqual(['push', 'push']);
    expect(await types('scheme=stripe&state=verified')).toEqual(['invoice.paid']);
    expect((await api(inspector, '/api/deliveries?state=bogus')).status).toBe(400);
  });

  it('searches headers and bodies case-insensitively, as typed and as JSON escapes it', async () => {
    const { inspector } = await fixture();
    const hits = async (q: string) => ((await api(inspector, `/api/deliveries?q=${encodeURIComponent(q)}`)).body.rows as Array<{ eventType: string }>).map((row) => row.eventType);
    expect(await hits('needle-in-a-header')).toEqual(['push']);
    expect(await hits('TAMPERED')).toEqual(['invoice.payment_failed']);
    // In the journal line the body is a JSON string: its quotes are escaped there.
    expect(await hits('"name":"Zoë')).toEqual(['user.created']);
    expect(await hits('\\"quoted\\"')).toEqual(['user.created']);
    expect(await hits('Zoë')).toEqual(['user.created']);
    expect(await hits('<b>')).toEqual(['user.created']);
    expect(await hits('no such text anywhere')).toEqual([]);
    // Search and filters together.
    expect(await hits('push')).toEqual(['push', 'push']);
    expect(((await api(inspector, '/api/deliveries?q=push&state=duplicate')).body.rows as unknown[]).length).toBe(1);
  });

  it('reads fixture files and folders in replay order beside journals, bare bodies included', async () => {
    const dir = tempDir();
    const early = signedRecord({ capturedAt: new Date('2026-01-01T10:00:00Z'), eventType: 'first.one' });
    const late = signedRecord({ capturedAt: new Date('2026-01-01T11:00:00Z'), eventType: 'second.one' });
    writeFileSync(join(dir, 'b.json'), toFixtureFile(early));
    writeFileSync(join(dir, 'a.json'), toFixtureFile(late));
    writeFileSync(join(dir, 'bare.json'), '{"id":"evt_bare","type":"bare.body"}');
    writeFileSync(join(dir, 'broken.json'), '{"format": "hookctl.delivery.v1", ');
    const inspector = await inspectFiles([dir]);
    const rows = (await api(inspector, '/api/deliveries?offset=0')).body.rows as Array<{ eventType: string | null; problem?: string }>;
    expect(rows.slice(0, 3).map((row) => row.eventType)).toEqual(['first.one', 'second.one', 'bare.body']);
    expect(rows[3]!.problem).toMatch(/not valid JSON/);
    const detail = await api(inspector, '/api/deliveries/2');
    expect(detail.body.body.data).toBe('{"id":"evt_bare","type":"bare.body"}');
    expect((await api(inspector, '/api/deliveries/3')).status).toBe(422);
  });
});

describe('live sources', () => {
  it('a followed journal grows as the listener appends, and the event stream says so', async () => {
    const dir = tempDir();
    const journal = writeJournal(dir, [signedRecord()]);
    const inspector = await inspectFiles([journal], { follow: true });
    expect(inspector.opened.following).toMatch(/deliveries\.ndjson$/);
    const events: string[] = [];
    const stream = await fetch(`${inspector.origin}/api/events?token=${inspector.token}`);
    const reader = stream.body!.getReader();
    const reading = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        events.push(Buffer.from(value).toString('utf8'));
      }
    })();
    appendFileSync(journal, `${toJournalLine(signedRecord({ eventType: 'appended.later' }))}\n`);
    await eventually(() => expect(events.join('')).toMatch(/event: change\ndata: \{"total":2/));
    const page = await api(inspector, '/api/deliveries');
    expect(page.body.rows.map((row: { eventType: string }) => row.eventType)).toEqual(['invoice.paid', 'appended.later']);
    await reader.cancel();
    await reading;
  });

  it('a live feed: history from the journal first, then deliveries as fed; queued forwards update their row', async () => {
    const dir = tempDir();
    const journal = writeJournal(dir, [signedRecord({ eventType: 'from.before' })]);
    const inspector = await inspectFeed({ history: journal });
    const changes: unknown[] = [];
    inspector.store.subscribe((event) => changes.push(event));
    const live = signedRecord({ eventType: 'arrived.now' });
    inspector.feed.delivery(deliveryFrom(live, { forwardQueued: true }));
    // Growth is said once per turn of the event loop, however many arrived in it.
    inspector.feed.delivery(deliveryFrom(signedRecord({ eventType: 'arrived.too' })));
    expect(changes).toEqual([]);
    await eventually(() => expect(changes).toEqual([{ kind: 'grew', total: 3 }]));
    let page = await api(inspector, '/api/deliveries');
    expect(page.body.rows.map((row: { eventType: string }) => row.eventType)).toEqual(['from.before', 'arrived.now', 'arrived.too']);
    expect(page.body.rows[1]).toMatchObject({ status: 200, source: 'live', forward: { pending: true } });
    inspector.feed.forward({ id: live.id, eventId: live.eventId, delivered: true, status: 204, error: null, attempts: 2, ms: 31 });
    expect(changes).toContainEqual({ kind: 'updated', seq: 1 });
    page = await api(inspector, '/api/deliveries');
    expect(page.body.rows[1].forward).toEqual({ status: 204, ms: 31, error: null, attempts: 2, pending: false });
    const detail = await api(inspector, '/api/deliveries/1');
    expect(detail.body.verification).toMatchObject({ basis: 'received', verified: true, secretIndex: 0 });
  });

  it('injected faults are flagged; over the body budget, old bodies are read back from the journal', async () => {
    const dir = tempDir();
    const records = [signedRecord({ eventType: 'old.one' }), signedRecord({ eventType: 'new.one' })];
    const journal = writeJournal(dir, records);
    const inspector = await inspectFeed({ bodyBudget: 1 });
    inspector.feed.delivery(deliveryFrom(records[0]!, { capture: journal, status: 503, injected: true, note: 'injected failure 1 of 2 (--fail-first)' }));
    inspector.feed.delivery(deliveryFrom(records[1]!, { capture: null }));
    const rows = (await api(inspector, '/api/deliveries?state=fault')).body.rows;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ eventType: 'old.one', status: 503, fault: 'injected failure 1 of 2 (--fail-first)' });
    const evicted = await api(inspector, '/api/deliveries/0');
    expect(evicted.body.body.data).toBe(records[0]!.body);
    // The newest body is kept even past the budget.
    expect((await api(inspector, '/api/deliveries/1')).body.body.data).toBe(records[1]!.body);
  });
});
