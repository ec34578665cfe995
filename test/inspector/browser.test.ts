/**
 * The inspector page in Debian's chromium (one browser for the suite, a fresh context per test):
 * the live list, filters, search and keys, the verification panel, the actions judged by a real
 * receiver and Stripe's own library, the diff, hostile deliveries rendered as text, a hostile
 * page that tries to make the inspector act, and the README's screenshots (light and dark).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import Stripe from 'stripe';
import { expect, it } from 'vitest';
import type { ActionEvent } from '../../src/inspector/index.js';
import type { Delivery } from '../../src/listen/types.js';
import type { DeliveryRecord } from '../../src/records/record.js';
import { describeWithChromium } from '../helpers/chromium.js';
import { chromiumSuite, copyCurlAndRun, detail, diffFirstTwo, editAndSend, EDITED_BODY, expectAttackRefused, expectNothingRan, rows, seqs, type OpenOptions } from './browser-support.js';
import { deliveryFrom, inspectFeed, inspectFiles, SECRET, signedRecord, tempDir, writeJournal } from './support.js';

const stripe = new Stripe('sk_test_hookctl_inspector_browser');
const DOCS = fileURLToPath(new URL('../../docs/', import.meta.url));

describeWithChromium('the inspector page in chromium', () => {
  // rebind.test resolves to 127.0.0.1, as a DNS-rebinding attacker's name would.
  const { session, browser, receiver } = chromiumSuite(['--host-resolver-rules=MAP rebind.test 127.0.0.1']);
  const open = (url: string, options?: OpenOptions) => session.open(url, options);


  /**
   * Writes a screenshot unless the file already holds the same picture: chromium's software
   * rasterizer anti-aliases a few edge pixels differently from one launch to the next, and a test
   * run should not leave a changed PNG behind for that.
   */
  async function saveScreenshot(path: string, png: Buffer): Promise<void> {
    if (existsSync(path)) {
      const scratch = await session.context!.newPage();
      const differing = (await scratch.evaluate(
        `(async ([a, b]) => {
          const pixels = async (data) => {
            const image = await createImageBitmap(await (await fetch('data:image/png;base64,' + data)).blob());
            const canvas = new OffscreenCanvas(image.width, image.height);
            const context = canvas.getContext('2d');
            context.drawImage(image, 0, 0);
            return { width: image.width, height: image.height, data: context.getImageData(0, 0, image.width, image.height).data };
          };
          const [x, y] = await Promise.all([pixels(a), pixels(b)]);
          if (x.width !== y.width || x.height !== y.height) return Infinity;
          let count = 0;
          for (let i = 0; i < x.data.length; i += 4) {
            if (Math.abs(x.data[i] - y.data[i]) + Math.abs(x.data[i + 1] - y.data[i + 1]) + Math.abs(x.data[i + 2] - y.data[i + 2]) > 24) count++;
          }
          return count;
        })(${JSON.stringify([readFileSync(path).toString('base64'), png.toString('base64')])})`,
      )) as number;
      await scratch.close();
      if (differing <= 50) return;
    }
    writeFileSync(path, png);
  }

  async function mixedJournal(): Promise<{ records: DeliveryRecord[]; path: string }> {
    const body = JSON.stringify({ id: 'evt_reser', object: 'event', type: 'invoice.paid', data: { object: { amount: 5 } } });
    const records = [
      signedRecord({ scheme: 'stripe', eventType: 'invoice.paid', body }),
      signedRecord({ scheme: 'stripe', eventType: 'invoice.payment_failed', arrived: '{"tampered":true}' }),
      signedRecord({ scheme: 'stripe', eventType: 'invoice.paid', body, arrived: JSON.stringify(JSON.parse(body), null, 2) }),
      signedRecord({ scheme: 'github', eventType: 'push', path: '/hooks/github', headers: { 'x-trace': 'needle-in-a-header' } }),
      signedRecord({ scheme: 'github', eventType: 'pull_request.opened', duplicate: true }),
      signedRecord({ scheme: 'standard', eventType: 'user.created' }),
    ];
    return { records, path: writeJournal(tempDir(), records) };
  }

  it('the list updates live as deliveries arrive, follows the end, and never moves rows you are reading', async () => {
    const inspector = await inspectFeed();
    const page = await open(inspector.url);
    await expect.poll(() => page.locator('.empty').textContent()).toContain('Waiting for deliveries');
    const records = Array.from({ length: 3 }, (_, i) => signedRecord({ eventType: `live.event_${i}` }));
    for (const record of records) inspector.feed.delivery(deliveryFrom(record));
    await expect.poll(() => seqs(page)).toEqual([0, 1, 2]);
    await expect.poll(() => page.getByTestId('counts').textContent()).toBe('3 deliveries');
    expect(await rows(page).nth(2).textContent()).toContain('live.event_2');

    // Enough rows to scroll: while following, the newest stays on screen.
    for (let i = 0; i < 80; i++) inspector.feed.delivery(deliveryFrom(signedRecord({ eventType: `burst.${i}` })));
    await expect.poll(() => page.locator('.row[data-seq="82"]').isVisible()).toBe(true);
    // Scrolled back to the top, the rows in view stay exactly where they are as more arrive.
    await page.locator('.list-scroll').evaluate((element) => (element.scrollTop = 0));
    await expect.poll(() => page.locator('.row[data-seq="0"]').isVisible()).toBe(true);
    const before = await page.locator('.row[data-seq="0"]').boundingBox();
    for (let i = 0; i < 5; i++) inspector.feed.delivery(deliveryFrom(signedRecord({ eventType: `later.${i}` })));
    await expect.poll(() => page.getByTestId('counts').textContent()).toBe('88 deliveries');
    expect(await page.locator('.row[data-seq="0"]').boundingBox()).toEqual(before);
    expect(await page.locator('.list-scroll').evaluate((element) => element.scrollTop)).toBe(0);
  });

  it('filters, search and the keyboard (/ to search, j/k and arrows to move, Enter to open, Esc to close)', async () => {
    const { path } = await mixedJournal();
    const inspector = await inspectFiles([path]);
    const page = await open(inspector.url);
    await expect.poll(() => seqs(page)).toEqual([0, 1, 2, 3, 4, 5]);

    await page.getByRole('button', { name: '✗ Failed' }).click();
    await expect.poll(() => seqs(page)).toEqual([1, 2]);
    await expect.poll(() => page.getByTestId('counts').textContent()).toBe('2 of 6 deliveries');
    await page.getByRole('button', { name: 'Duplicate' }).click();
    await expect.poll(() => seqs(page)).toEqual([4]);
    await page.getByRole('button', { name: 'All', exact: true }).click();
    await page.getByLabel('scheme').selectOption('github');
    await expect.poll(() => seqs(page)).toEqual([3, 4]);
    await page.getByLabel('scheme').selectOption('');
    await page.getByLabel('event type').fill('invoice.*');
    await expect.poll(() => seqs(page)).toEqual([0, 1, 2]);
    await page.getByLabel('event type').fill('');
    await page.getByLabel('path').fill('/hooks/');
    await expect.poll(() => seqs(page)).toEqual([3]);
    await page.getByLabel('path').fill('');
    await expect.poll(() => seqs(page)).toEqual([0, 1, 2, 3, 4, 5]);

    // "/" jumps to the search box from anywhere.
    await page.locator('body').click({ position: { x: 5, y: 300 } });
    await page.keyboard.press('/');
    await page.keyboard.type('NEEDLE-in-a');
    await expect.poll(() => seqs(page)).toEqual([3]);
    await page.keyboard.press('Escape');
    await page.getByLabel('search headers and body').fill('tampered');
    await expect.poll(() => seqs(page)).toEqual([1]);
    await page.getByLabel('search headers and body').fill('');
    await expect.poll(() => seqs(page)).toEqual([0, 1, 2, 3, 4, 5]);
    await page.keyboard.press('Escape');

    // k from nothing selects the newest; Enter opens it; j/k and arrows move; the detail follows.
    await page.keyboard.press('k');
    await expect.poll(() => page.locator('.row.selected').count()).toBe(1);
    expect(await page.locator('.row.selected').getAttribute('data-seq')).toBe('5');
    await page.keyboard.press('Enter');
    await detail(page, 5).waitFor();
    await page.keyboard.press('k');
    await page.keyboard.press('ArrowUp');
    await detail(page, 3).waitFor();
    await page.keyboard.press('j');
    await detail(page, 4).waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('detail').count()).toBe(0);
  });

  it('the verification panel: a valid delivery, a tampered one, and one whose JSON was re-serialized', async () => {
    const { records, path } = await mixedJournal();
    const inspector = await inspectFiles([path]);
    const page = await open(inspector.url);
    const timestamp = Math.floor(Date.parse(records[0]!.capturedAt) / 1000);

    await rows(page).nth(0).click();
    const valid = detail(page, 0);
    await expect.poll(() => valid.getByTestId('verdict').textContent()).toContain('✓ Verified — Stripe, secret #1');
    expect(await valid.getByTestId('secret-used').textContent()).toBe('#1 of 1');
    expect(await valid.getByTestId('signed-content').textContent()).toBe(`${timestamp}.‹raw body, ${records[0]!.bytes} B›`);
    expect(await valid.getByTestId('computed-signature').textContent()).toMatch(/^v1=[0-9a-f]{64} ✓ matches$/);
    expect(await valid.getByTestId('received-signatures').textContent()).toContain(records[0]!.headers['stripe-signature']!.split(',')[1]!);
    expect(await valid.getByTestId('skew').textContent()).toContain('0s from arrival');
    expect(await page.content()).not.toContain(SECRET);

    await rows(page).nth(1).click();
    const tampered = detail(page, 1);
    await expect.poll(() => tampered.getByTestId('verdict').textContent()).toContain('✗ signature_mismatch — Stripe');
    expect(await tampered.getByTestId('secret-used').textContent()).toBe('none of the 1 matched');
    expect(await tampered.getByTestId('computed-signature').textContent()).toMatch(/✗ differs$/);
    await expect.poll(() => tampered.getByTestId('signed-body-diff').count()).toBe(0);

    await rows(page).nth(2).click();
    const reserialized = detail(page, 2);
    await expect.poll(() => reserialized.getByTestId('diagnosis').textContent()).toMatch(/Likely cause:.*re-serialized/);
    const diff = reserialized.getByTestId('signed-body-diff');
    await diff.waitFor();
    // What arrived has newlines and indentation the sender never signed: shown, whitespace visible.
    expect(await diff.locator('ins').first().textContent()).toMatch(/^↵\n··$/);
    expect(await diff.locator('del').count()).toBe(0);
    expect(await diff.evaluate((element) => element.textContent!.replace(/↵/g, '').replace(/·/g, ' '))).toBe(JSON.stringify(JSON.parse(records[2]!.body), null, 2));

    // The body, one click from pretty to raw bytes to hex.
    await reserialized.getByRole('button', { name: 'hex' }).click();
    expect(await reserialized.getByTestId('body').textContent()).toMatch(/^00000000  7b 0a 20 20 22 69 64 22/);
    await reserialized.getByRole('button', { name: 'raw bytes' }).click();
    expect(await reserialized.getByTestId('body').textContent()).toBe(records[2]!.body);
  });

  it('edit and replay: the edited delivery, re-signed by hookctl, reaches a second receiver and verifies there', async () => {
    const target = await receiver();
    const actions: ActionEvent[] = [];
    const { path } = await mixedJournal();
    const inspector = await inspectFiles([path], { onAction: (event) => actions.push(event) });
    const page = await open(inspector.url);
    await rows(page).nth(0).click();
    await detail(page, 0).waitFor();
    const dialog = await editAndSend(page, `${target.url}/webhooks`);
    const [received] = await target.waitForRequests(1);
    expect(received!.url).toBe('/webhooks');
    expect(received!.body.toString('utf8')).toBe(EDITED_BODY);
    expect(received!.headers['x-edited-by']).toBe('inspector');
    expect(stripe.webhooks.constructEvent(received!.body, received!.headers['stripe-signature'] as string, SECRET)).toMatchObject({ id: 'evt_edited_in_browser' });
    expect(actions).toMatchObject([{ action: 'replay', seq: 0, edited: true, ok: true, status: 200 }]);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
  });

  it('copy as curl: the command (signed now) runs in a shell, and Stripe verifies what it sent', async () => {
    const target = await receiver();
    const old = new Date(Date.now() - 2 * 3600_000);
    const record = signedRecord({ capturedAt: old, body: `{"id":"evt_curl","object":"event","type":"invoice.paid","note":"it's \\"quoted\\" $HOME \`x\`"}\n` });
    const inspector = await inspectFiles([writeJournal(tempDir(), [record])]);
    const page = await open(inspector.url);
    await session.context!.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: inspector.origin });
    await rows(page).nth(0).click();
    await detail(page, 0).waitFor();
    await copyCurlAndRun(page, `${target.url}/curl`);
    const [received] = await target.waitForRequests(1);
    expect(received!.body.toString('utf8')).toBe(record.body);
    // A two-hour-old capture, verified within the default 300 s tolerance: the timestamp is fresh.
    expect(stripe.webhooks.constructEvent(received!.body, received!.headers['stripe-signature'] as string, SECRET)).toMatchObject({ id: 'evt_curl' });
  });

  it('diffs two deliveries side by side (headers and JSON body), and downloads one as a fixture', async () => {
    const a = signedRecord({ body: JSON.stringify({ id: 'evt_a', type: 'invoice.paid', data: { amount: 100, currency: 'eur' } }) });
    const b = signedRecord({ body: JSON.stringify({ data: { currency: 'eur', amount: 250 }, type: 'invoice.paid', id: 'evt_b' }), headers: { 'x-only-in-b': 'yes' } });
    const inspector = await inspectFiles([writeJournal(tempDir(), [a, b])]);
    const page = await open(inspector.url);
    const dialog = await diffFirstTwo(page);
    const headerRow = dialog.getByTestId('header-diff').locator('tr', { hasText: 'x-only-in-b' });
    await expect.poll(() => headerRow.getAttribute('class')).toMatch(/changed/);
    expect(await dialog.getByTestId('header-diff').locator('tr.changed', { hasText: 'content-type' }).count()).toBe(0);
    // Keys in a canonical order: only the values that differ show as changed lines.
    const changed = await dialog.getByTestId('body-diff').locator('td.del, td.ins').allTextContents();
    expect(changed.map((line) => line.trim()).sort()).toEqual(['"amount": 100,', '"amount": 250,', '"id": "evt_a",', '"id": "evt_b",'].sort());
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download fixture' }).click()]);
    expect(download.suggestedFilename()).toBe('invoice.paid.json');
    expect(JSON.parse(readFileSync(await download.path(), 'utf8'))).toEqual(b);
  });

  it('hostile deliveries are shown as text: markup, javascript: URLs, terminal escapes and bidi overrides do nothing', async () => {
    const evil = signedRecord({
      eventType: '<svg onload="window.__xss=4">',
      path: '/x?<script>window.__xss=1</script>',
      headers: { 'x-evil': '<img src=x onerror="window.__xss=2">', 'x-link': 'javascript:window.__xss=3', 'x-term': '\u001b[2J\u001b[31mred\u001b]0;title\u0007', 'x-bidi': 'abc\u202edcba' },
      body: JSON.stringify({ type: '<svg onload="window.__xss=4">', html: '</pre><script>window.__xss=5</script>', url: 'javascript:alert(1)', term: '\u001b[2J' }),
    });
    const inspector = await inspectFiles([writeJournal(tempDir(), [evil, signedRecord()])]);
    const page = await open(inspector.url);
    await rows(page).nth(0).click();
    const shown = detail(page, 0);
    await shown.waitFor();
    for (const view of ['raw bytes', 'hex', 'JSON']) await shown.getByRole('button', { name: view }).click();
    await page.getByRole('button', { name: 'Compare' }).click();
    await rows(page).nth(1).click();
    await page.getByRole('button', { name: 'Diff with #1' }).click();
    await page.getByRole('dialog', { name: 'compare deliveries' }).getByTestId('body-diff').waitFor();
    await page.keyboard.press('Escape');
    await rows(page).nth(0).click();
    await shown.waitFor();

    await expectNothingRan(page);
    const text = (await shown.textContent())!;
    expect(text).toContain('<img src=x onerror="window.__xss=2">');
    expect(text).toContain('javascript:window.__xss=3');
    expect(text).toContain('/x?<script>window.__xss=1</script>');
    // Control characters are drawn as symbols, never passed to the page as they are.
    expect(text).toContain('␛[2J␛[31mred␛]0;title␇');
    expect(text).toContain('abc⟨U+202E⟩dcba');
    expect(text).not.toMatch(/[\u0000-\u0008\u001b\u202e]/);
    expect(await rows(page).nth(0).textContent()).toContain('<svg onload="window.__xss=4">');
  });

  it('a page on another origin cannot make the inspector act, even knowing its token', async () => {
    const target = await receiver();
    const actions: ActionEvent[] = [];
    const inspector = await inspectFiles([writeJournal(tempDir(), [signedRecord()])], { onAction: (event) => actions.push(event) });
    await expectAttackRefused(session, inspector, target);
    expect(actions).toHaveLength(0);
  });

  it('a DNS-rebinding name for the same address gets no page and no data', async () => {
    const inspector = await inspectFiles([writeJournal(tempDir(), [signedRecord()])]);
    session.context = await browser().newContext();
    const page = await session.context.newPage();
    const response = await page.goto(`http://rebind.test:${inspector.port}/#token=${inspector.token}`);
    expect(response!.status()).toBe(403);
    expect(await page.locator('.app').count()).toBe(0);
    const apiStatus = await page.evaluate(`fetch('/api/deliveries', { headers: { 'x-hookctl-token': ${JSON.stringify(inspector.token)} } }).then((r) => r.status)`);
    expect(apiStatus).toBe(403);
  });

  it('takes the README screenshots, light and dark', async () => {
    const base = Date.parse('2026-01-15T10:00:00Z');
    const at = (seconds: number) => new Date(base + seconds * 1000);
    const body = JSON.stringify({ id: 'evt_3SpQ2mLkdIwHu7ix0Kc4Ab9Z', object: 'event', type: 'payment_intent.succeeded', data: { object: { id: 'pi_3SpQ2m', amount: 4200, currency: 'eur', status: 'succeeded' } } });
    const reserialized = signedRecord({ scheme: 'stripe', eventType: 'payment_intent.succeeded', capturedAt: at(41), body, arrived: JSON.stringify(JSON.parse(body), null, 2), path: '/webhooks/stripe', eventId: 'evt_3SpQ2mLkdIwHu7ix0Kc4Ab9Z' });
    const feed: Array<[DeliveryRecord, Partial<Delivery>]> = [
      [signedRecord({ scheme: 'github', eventType: 'push', capturedAt: at(0), path: '/webhooks/github', eventId: '6f1e0c52-1b7e-11f0-8a4b-3c1f2a9d0e11' }), { forward: { status: 200, ms: 12 } }],
      [signedRecord({ scheme: 'stripe', eventType: 'invoice.paid', capturedAt: at(7), path: '/webhooks/stripe', eventId: 'evt_1SpQ5aLkdIwHu7ixA1b2C3d4' }), { forward: { status: 200, ms: 18 } }],
      [signedRecord({ scheme: 'standard', eventType: 'user.created', capturedAt: at(12), path: '/webhooks/standard', eventId: 'msg_2lYv8Jm3kQ9x' }), { forward: { status: 204, ms: 9 } }],
      [signedRecord({ scheme: 'stripe', eventType: 'invoice.paid', capturedAt: at(15), path: '/webhooks/stripe', eventId: 'evt_1SpQ5aLkdIwHu7ixA1b2C3d4', duplicate: true }), { forward: null }],
      [signedRecord({ scheme: 'slack', eventType: 'event_callback', capturedAt: at(23), path: '/webhooks/slack', eventId: 'Ev08MFMKH6' }), { status: 503, injected: true, note: 'injected failure 1 of 2 (--fail-first)' }],
      [signedRecord({ scheme: 'slack', eventType: 'event_callback', capturedAt: at(26), path: '/webhooks/slack', eventId: 'Ev08MFMKH6' }), { forward: { status: 200, ms: 31 } }],
      [signedRecord({ scheme: 'github', eventType: 'pull_request.opened', capturedAt: at(33), path: '/webhooks/github', eventId: '7a2b4c10-1b7e-11f0-9d3e-3c1f2a9d0e11' }), { forward: { status: 500, ms: 44 } }],
      [signedRecord({ scheme: 'shopify', eventType: 'orders/create', capturedAt: at(37), path: '/webhooks/shopify', eventId: 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043' }), { forward: { status: 200, ms: 15 } }],
      [reserialized, {}],
      [signedRecord({ scheme: 'stripe', eventType: 'charge.refunded', capturedAt: at(52), path: '/webhooks/stripe', eventId: 'evt_1SpQ9zLkdIwHu7ixQ7r8S9t0' }), { forwardQueued: true }],
    ];
    const inspector = await inspectFeed({ listenerUrl: 'http://127.0.0.1:8787/', defaultTarget: 'http://127.0.0.1:3000/webhooks' });
    for (const [record, extra] of feed) inspector.feed.delivery(deliveryFrom(record, extra));
    mkdirSync(DOCS, { recursive: true });
    for (const scheme of ['light', 'dark'] as const) {
      const page = await open(inspector.url, { colorScheme: scheme, viewport: { width: 1440, height: 1000 } });
      await expect.poll(() => rows(page).count()).toBe(feed.length);
      await page.locator('.row[data-seq="8"]').click();
      const diff = detail(page, 8).getByTestId('signed-body-diff');
      await diff.waitFor();
      // The verdict and its diagnosis at the top, the body diff below.
      await detail(page, 8).locator('section[aria-label=verification]').evaluate((section) => {
        const pane = section.closest('.detail-pane')!;
        const head = pane.querySelector('.detail-head')!;
        pane.scrollTop += section.getBoundingClientRect().top - head.getBoundingClientRect().bottom - 8;
      });
      // Everything settled, so the same deliveries give the same picture on a busy machine too.
      await page.locator('.live-dot.on').waitFor();
      await page.evaluate('document.fonts.ready');
      await page.mouse.move(0, 0);
      await saveScreenshot(`${DOCS}inspector-${scheme}.png`, await page.screenshot());
      expect(await session.close()).toEqual([]);
    }
  });
});
