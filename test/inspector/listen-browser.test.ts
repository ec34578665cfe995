/**
 * `hookctl listen --ui` end to end in Debian's chromium (one browser for the file): the real
 * listener spawned, deliveries from the real `hookctl send` (or signed by the real schemes and
 * posted over HTTP), and the page judged as a person would see it. The list grows live and filters
 * live; the verification panel explains valid, tampered and re-serialized deliveries; replay
 * defaults to the forward target; an edited replay and a copied curl command reach a second
 * `hookctl listen` that verifies them; two deliveries diff; hostile deliveries stay text; a page on
 * another origin cannot make the inspector act.
 */
import { request } from 'node:http';
import Stripe from 'stripe';
import { expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { describeWithChromium } from '../helpers/chromium.js';
import { chromiumSuite, copyCurlAndRun, detail, diffFirstTwo, editAndSend, expectAttackRefused, expectNothingRan, rows, seqs } from './browser-support.js';
import { hookctlListen, listenUi, postSigned, SECRET, tempDir, writeJournal, signedRecord } from './support.js';

const stripe = new Stripe('sk_test_hookctl_listen_ui');
const WRONG_SECRET = 'whsec_c29tZW9uZSBlbHNlcyBzZWNyZXQ=';

describeWithChromium('hookctl listen --ui in chromium', () => {
  const { session, receiver: app } = chromiumSuite();

  /** The real `hookctl send`, one event, no retries. */
  async function send(url: string, args: string[]): Promise<number | null> {
    const result = await runCli(['send', url, '--no-retry', ...args]);
    expect(result.code, result.stderr).not.toBe(2);
    return result.code;
  }

  it('the list grows as hookctl send fires events (after the journal from before), and a filter keeps filtering live', async () => {
    const dir = tempDir();
    writeJournal(dir, [signedRecord({ scheme: 'github', eventType: 'from.before' })]);
    const forward = await app();
    const { url, ui } = await listenUi(['--capture', dir, '--secret', SECRET, '--forward-to', `${forward.url}/webhooks`]);
    const page = await session.open(ui.url);
    await expect.poll(() => seqs(page)).toEqual([0]);
    await page.evaluate('window.__sameDocument = true');

    expect(await send(url, ['--secret', SECRET, '--scheme', 'github', '--event', 'push', '--id', 'evt-push-1'])).toBe(0);
    await expect.poll(() => seqs(page)).toEqual([0, 1]);
    const pushed = await rows(page).nth(1).textContent();
    expect(pushed).toContain('push');
    expect(pushed).toContain('evt-push-1');
    expect(pushed).toContain('✓ github');
    expect(pushed).toContain('→ 200');

    expect(await send(url, ['--secret', WRONG_SECRET, '--scheme', 'stripe', '--event', 'invoice.paid'])).toBe(1);
    await expect.poll(() => seqs(page)).toEqual([0, 1, 2]);
    expect(await rows(page).nth(2).textContent()).toMatch(/✗ signature_mismatch.*401/);

    expect(await send(url, ['--secret', SECRET, '--scheme', 'github', '--event', 'push', '--id', 'evt-push-1'])).toBe(0);
    await expect.poll(() => seqs(page)).toEqual([0, 1, 2, 3]);
    expect(await rows(page).nth(3).locator('.pill.dup').count()).toBe(1);
    await expect.poll(() => page.getByTestId('counts').textContent()).toBe('4 deliveries');

    // With "✗ Failed" on, a failing delivery joins the list as it arrives; a verified one does not.
    await page.getByRole('button', { name: '✗ Failed' }).click();
    await expect.poll(() => seqs(page)).toEqual([2]);
    expect(await send(url, ['--secret', WRONG_SECRET, '--scheme', 'slack', '--event', 'app_mention'])).toBe(1);
    expect(await send(url, ['--secret', SECRET, '--scheme', 'standard', '--event', 'user.created'])).toBe(0);
    await expect.poll(() => page.getByTestId('counts').textContent()).toBe('2 of 6 deliveries');
    expect(await seqs(page)).toEqual([2, 4]);
    expect(await page.evaluate('window.__sameDocument')).toBe(true);
  });

  it('filters and search over what the listener received', async () => {
    const { url, ui } = await listenUi(['--no-capture', '--secret', SECRET]);
    expect(await postSigned(url, { scheme: 'stripe', eventType: 'invoice.paid' })).toBe(200);
    expect(await postSigned(url, { scheme: 'stripe', eventType: 'invoice.payment_failed', arrived: '{"type":"invoice.payment_failed","tampered":true}' })).toBe(401);
    expect(await postSigned(url, { scheme: 'github', eventType: 'push', path: '/hooks/github', headers: { 'x-trace': 'needle-in-a-header' } })).toBe(200);
    // GitHub's retry: the same delivery id and the same body (an unsigned id is deduped with its signature).
    const retried = '{"action":"opened","number":7}';
    expect(await postSigned(url, { scheme: 'github', eventType: 'pull_request.opened', eventId: 'gh-dup-1', body: retried })).toBe(200);
    expect(await postSigned(url, { scheme: 'github', eventType: 'pull_request.opened', eventId: 'gh-dup-1', body: retried })).toBe(200);
    expect(await postSigned(url, { scheme: 'standard', eventType: 'user.created' })).toBe(200);
    const page = await session.open(ui.url);
    await expect.poll(() => seqs(page)).toEqual([0, 1, 2, 3, 4, 5]);

    await page.getByRole('button', { name: '✗ Failed' }).click();
    await expect.poll(() => seqs(page)).toEqual([1]);
    await page.getByRole('button', { name: 'Duplicate' }).click();
    await expect.poll(() => seqs(page)).toEqual([4]);
    await page.getByRole('button', { name: 'All', exact: true }).click();
    await page.getByLabel('scheme').selectOption('github');
    await expect.poll(() => seqs(page)).toEqual([2, 3, 4]);
    await page.getByLabel('scheme').selectOption('');
    await page.getByLabel('event type').fill('invoice.*');
    await expect.poll(() => seqs(page)).toEqual([0, 1]);
    await page.getByLabel('event type').fill('');
    await page.getByLabel('path').fill('/hooks/');
    await expect.poll(() => seqs(page)).toEqual([2]);
    await page.getByLabel('path').fill('');
    await page.keyboard.press('Escape');
    await page.keyboard.press('/');
    await page.keyboard.type('NEEDLE-in-a');
    await expect.poll(() => seqs(page)).toEqual([2]);
    await page.getByLabel('search headers and body').fill('tampered');
    await expect.poll(() => seqs(page)).toEqual([1]);
  });

  it('the verification panel for a valid, a tampered and a re-serialized delivery, as the listener judged them', async () => {
    const { url, ui } = await listenUi(['--no-capture', '--secret', SECRET]);
    const body = JSON.stringify({ id: 'evt_reser', object: 'event', type: 'invoice.paid', data: { object: { amount: 5 } } });
    expect(await postSigned(url, { scheme: 'stripe', body })).toBe(200);
    expect(await postSigned(url, { scheme: 'stripe', body, arrived: body.replace('"amount":5', '"amount":500') })).toBe(401);
    expect(await postSigned(url, { scheme: 'stripe', body, arrived: JSON.stringify(JSON.parse(body), null, 2) })).toBe(401);
    const page = await session.open(ui.url);

    await rows(page).nth(0).click();
    const valid = detail(page, 0);
    await expect.poll(() => valid.getByTestId('verdict').textContent()).toContain('✓ Verified — Stripe, secret #1');
    expect(await valid.getByTestId('verdict').textContent()).toContain('as the listener judged it when it arrived');
    expect(await valid.getByTestId('computed-signature').textContent()).toMatch(/^v1=[0-9a-f]{64} ✓ matches$/);
    expect(await valid.getByTestId('skew').textContent()).toMatch(/^[+-]?\d+s from arrival/);

    await rows(page).nth(1).click();
    const tampered = detail(page, 1);
    await expect.poll(() => tampered.getByTestId('verdict').textContent()).toContain('✗ signature_mismatch — Stripe');
    expect(await tampered.getByTestId('secret-used').textContent()).toBe('none of the 1 matched');
    expect(await tampered.getByTestId('computed-signature').textContent()).toMatch(/✗ differs$/);
    expect(await tampered.getByTestId('signed-body-diff').count()).toBe(0);

    await rows(page).nth(2).click();
    const reserialized = detail(page, 2);
    await expect.poll(() => reserialized.getByTestId('diagnosis').textContent()).toMatch(/Likely cause:.*re-serialized/);
    const diff = reserialized.getByTestId('signed-body-diff');
    await diff.waitFor();
    expect(await diff.evaluate((element) => element.textContent!.replace(/↵/g, '').replace(/·/g, ' '))).toBe(JSON.stringify(JSON.parse(body), null, 2));
    expect(await page.content()).not.toContain(SECRET);
  });

  it('replay goes to the forward target by default; an edited replay and a copied curl command reach a second hookctl listen that verifies them', async () => {
    const forward = await app();
    const second = await hookctlListen(['--no-capture', '--secret', SECRET]);
    const { url, ui, cli } = await listenUi(['--no-capture', '--secret', SECRET, '--forward-to', `${forward.url}/webhooks`]);
    expect(await postSigned(url, { scheme: 'stripe', eventType: 'invoice.paid', eventId: 'evt_original' })).toBe(200);
    await forward.waitForRequests(1);
    const page = await session.open(ui.url);
    await session.context!.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ui.origin });
    await rows(page).nth(0).click();
    await detail(page, 0).waitFor();

    // Replay, as it comes: to the app the listener forwards to, re-signed now.
    expect(await page.getByLabel('replay to URL').inputValue()).toBe(`${forward.url}/webhooks`);
    await page.getByRole('button', { name: 'Replay', exact: true }).click();
    await expect.poll(() => page.getByTestId('replay-result').first().textContent()).toMatch(/^✓ POST .*\/webhooks → 200/);
    const [, replayed] = await forward.waitForRequests(2);
    expect(stripe.webhooks.constructEvent(replayed!.body, replayed!.headers['stripe-signature'] as string, SECRET)).toMatchObject({ type: 'invoice.paid' });
    expect(await cli.waitForRecord((record) => record.type === 'action')).toMatchObject({ action: 'replay', seq: 0, edited: false, ok: true, to: `${forward.url}/webhooks` });

    // Edited: a new body and a header, re-signed by the listener's secret, to a second verifying listener.
    await page.getByRole('button', { name: 'Edit & replay' }).click();
    expect(await page.getByRole('dialog', { name: 'edit and replay' }).getByLabel('send to URL').inputValue()).toBe(`${forward.url}/webhooks`);
    await page.keyboard.press('Escape');
    await editAndSend(page, `${second.url}/edited`);
    const there = await second.cli.waitForRecord<{ path: string; verified: boolean; eventId: string }>((record) => record.type === 'delivery');
    expect(there).toMatchObject({ path: '/edited', verified: true, eventId: 'evt_edited_in_browser', scheme: 'stripe' });
    expect(await cli.waitForRecord((record) => record.type === 'action' && record.edited === true)).toMatchObject({ ok: true, status: 200 });
    await page.keyboard.press('Escape');

    // Copy as curl: the command runs in a shell and the second listener verifies what it sent.
    await copyCurlAndRun(page, `${second.url}/curl`);
    const curled = await second.cli.waitForRecord<{ path: string; verified: boolean; eventId: string }>((record) => record.type === 'delivery' && record.path === '/curl');
    expect(curled).toMatchObject({ verified: true, eventId: 'evt_original' });
  });

  it('diffs two deliveries the listener received (headers and JSON body)', async () => {
    const { url, ui } = await listenUi(['--no-capture', '--secret', SECRET]);
    expect(await postSigned(url, { body: JSON.stringify({ id: 'evt_a', type: 'invoice.paid', data: { amount: 100, currency: 'eur' } }) })).toBe(200);
    expect(await postSigned(url, { body: JSON.stringify({ data: { currency: 'eur', amount: 250 }, type: 'invoice.paid', id: 'evt_b' }), headers: { 'x-only-in-b': 'yes' } })).toBe(200);
    const page = await session.open(ui.url);
    const dialog = await diffFirstTwo(page);
    await expect.poll(() => dialog.getByTestId('header-diff').locator('tr.changed', { hasText: 'x-only-in-b' }).count()).toBe(1);
    const changed = await dialog.getByTestId('body-diff').locator('td.del, td.ins').allTextContents();
    expect(changed.map((line) => line.trim()).sort()).toEqual(['"amount": 100,', '"amount": 250,', '"id": "evt_a",', '"id": "evt_b",'].sort());
  });

  it('hostile deliveries through the listener are shown as text: markup, javascript: URLs, terminal escapes do nothing', async () => {
    const { url, ui } = await listenUi(['--no-capture']);
    const body = `{"type":"<svg onload=\\"window.__xss=4\\">","html":"</pre><script>window.__xss=5</script>","url":"javascript:alert(1)","term":"\u001b[2J\u001b[31mred"}`;
    const status = await new Promise<number>((resolve, reject) => {
      const target = new URL(url);
      const sent = request(
        {
          host: target.hostname,
          port: target.port,
          method: 'POST',
          path: '/x?<script>window.__xss=1</script>',
          headers: { 'content-type': 'application/json', 'x-evil': '<img src=x onerror="window.__xss=2">', 'x-link': 'javascript:window.__xss=3' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode!);
        },
      );
      sent.on('error', reject);
      sent.end(body);
    });
    expect(status).toBe(200);
    const page = await session.open(ui.url);
    await rows(page).nth(0).click();
    const shown = detail(page, 0);
    await shown.waitFor();
    // Raw escape bytes make the body invalid JSON: it is shown as text.
    for (const view of ['raw bytes', 'hex', 'text']) await shown.getByRole('button', { name: view, exact: true }).click();

    await expectNothingRan(page);
    const text = (await shown.textContent())!;
    expect(text).toContain('<img src=x onerror="window.__xss=2">');
    expect(text).toContain('javascript:window.__xss=3');
    expect(text).toContain('/x?<script>window.__xss=1</script>');
    expect(text).toContain('</pre><script>window.__xss=5</script>');
    expect(text).toContain('␛[2J␛[31mred');
    expect(text).not.toMatch(/[\u0000-\u0008\u001b]/);
    expect(await rows(page).nth(0).textContent()).toContain('/x?<script>window.__xss=1</script>');
  });

  it('a page on another origin cannot make the listener\'s inspector act, even knowing its token', async () => {
    const target = await app();
    const { url, ui, cli } = await listenUi(['--no-capture', '--secret', SECRET]);
    expect(await postSigned(url, {})).toBe(200);
    await expectAttackRefused(session, ui, target);
    expect(cli.records().filter((record) => record.type === 'action')).toEqual([]);
  });
});
