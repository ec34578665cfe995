/**
 * What the inspector's browser suites share: a page per test in a fresh browser context (script
 * errors and dialogs are recorded, so injected markup that runs fails the test), locators for the
 * list and the detail, and a hostile page that tries to make an inspector act.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { launchChromium } from '../helpers/chromium.js';
import { startServer, type Responder, type TestServer } from '../helpers/server.js';
import { afterTest, cleanup } from './support.js';

export interface OpenOptions {
  colorScheme?: 'light' | 'dark';
  viewport?: { width: number; height: number };
}

export class PageSession {
  context: BrowserContext | undefined;
  /** Script errors and dialogs (an alert from injected markup) since the last close(). */
  problems: string[] = [];

  constructor(private readonly browser: () => Browser) {}

  async open(url: string, options: OpenOptions = {}): Promise<Page> {
    this.context = await this.browser().newContext({ viewport: options.viewport ?? { width: 1360, height: 820 }, colorScheme: options.colorScheme ?? 'light', timezoneId: 'UTC', acceptDownloads: true });
    const page = await this.context.newPage();
    page.on('pageerror', (error) => this.problems.push(`page error: ${error.message}`));
    page.on('dialog', (dialog) => {
      this.problems.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    await page.goto(url);
    return page;
  }

  /** Closes the context; returns the problems seen, for the test to judge. */
  async close(): Promise<string[]> {
    await this.context?.close();
    this.context = undefined;
    const seen = this.problems;
    this.problems = [];
    return seen;
  }
}

/**
 * For a describe block: one chromium for the suite, a fresh page context per test; after each
 * test its servers and cleanups are closed, and script errors or dialogs (an alert from injected
 * markup) fail it.
 */
export function chromiumSuite(extraArgs: string[] = []): { session: PageSession; browser(): Browser; receiver(respond?: Responder): Promise<TestServer> } {
  let browser: Browser | undefined;
  const session = new PageSession(() => browser!);
  beforeAll(async () => {
    browser = await launchChromium(extraArgs);
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    const seen = await session.close();
    await cleanup();
    expect(seen).toEqual([]);
  });
  return {
    session,
    browser: () => browser!,
    async receiver(respond?: Responder) {
      const server = await startServer(respond);
      afterTest(() => server.close());
      return server;
    },
  };
}

/** Hostile markup from a delivery did nothing: no script ran (window.__xss), no element or handler it carried is in the page. */
export async function expectNothingRan(page: Page): Promise<void> {
  expect(await page.evaluate('window.__xss')).toBeUndefined();
  expect(await page.locator('#app script, #app iframe, #app object, #app svg, #app img').count()).toBe(0);
  expect(await page.locator('a[href^="javascript"], [onerror], [onload]').count()).toBe(0);
}

/** The body the edit tests send (an event id the receiver can check). */
export const EDITED_BODY = '{"id":"evt_edited_in_browser","object":"event","type":"invoice.paid","data":{"object":{"amount":4200}}}';

/**
 * Edit & replay on the open delivery: EDITED_BODY and an `X-Edited-By: inspector` header, sent to
 * `url` (re-signed by hookctl); waits for the page to show it answered 200. Returns the dialog.
 */
export async function editAndSend(page: Page, url: string) {
  await page.getByRole('button', { name: 'Edit & replay' }).click();
  const dialog = page.getByRole('dialog', { name: 'edit and replay' });
  await dialog.getByLabel('Body').fill(EDITED_BODY);
  const headers = dialog.getByLabel('Headers');
  await headers.fill(`${await headers.inputValue()}\nX-Edited-By: inspector`);
  await dialog.getByLabel('send to URL').fill(url);
  await dialog.getByRole('button', { name: 'Re-sign & send' }).click();
  await expect.poll(() => dialog.getByTestId('replay-result').textContent()).toContain(`✓ POST ${url} → 200`);
  return dialog;
}

/** Copy as curl for the open delivery, to `url`: the command on the clipboard, run in bash, exits 0. Returns it. */
export async function copyCurlAndRun(page: Page, url: string): Promise<string> {
  await page.getByLabel('replay to URL').fill(url);
  await page.getByRole('button', { name: 'Copy as curl' }).click();
  const command = await page.getByTestId('curl-command').inputValue();
  expect(await page.evaluate('navigator.clipboard.readText()')).toBe(command);
  expect(command).toMatch(/^curl -sS -X POST '/);
  const child = spawn('bash', ['-c', command], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [code] = (await once(child, 'close')) as [number];
  expect(code, stderr).toBe(0);
  return command;
}

/** Compares the first two rows: opens #1, Compare, opens #2, Diff with #1. Returns the diff dialog. */
export async function diffFirstTwo(page: Page) {
  await rows(page).nth(0).click();
  await detail(page, 0).waitFor();
  await page.getByRole('button', { name: 'Compare' }).click();
  await rows(page).nth(1).click();
  await detail(page, 1).waitFor();
  await page.getByRole('button', { name: 'Diff with #1' }).click();
  return page.getByRole('dialog', { name: 'compare deliveries' });
}

export const rows = (page: Page) => page.locator('.row[data-seq]');
export const detail = (page: Page, seq: number) => page.locator(`[data-testid=detail][data-seq="${seq}"]`);
export const seqs = async (page: Page) => (await rows(page).evaluateAll((elements) => elements.map((element) => Number(element.getAttribute('data-seq'))))).sort((a, b) => a - b);

/**
 * A page on another origin that tries every way a browser allows to make the inspector replay
 * delivery 0 to `target`, even knowing the token: a JSON POST with the token (preflighted), simple
 * POSTs, a no-cors POST, a read, and a form post into an iframe. Its title lists the outcomes.
 */
function attackerPage(inspector: { origin: string; token: string }, target: string): string {
  const replay = `${inspector.origin}/api/deliveries/0/replay`;
  const body = JSON.stringify({ to: target, mode: 'resign' });
  return `<!doctype html><form id="f" method="POST" action="${replay}" enctype="text/plain" target="sink"><input name='{"to":"${target}","mode":"resign","x":"' value='"}'></form><iframe name="sink"></iframe>
<script>
(async () => {
  const results = [];
  const attempt = async (label, init) => { try { const r = await fetch(${JSON.stringify(replay)}, init); results.push(label + ':' + r.status); } catch (e) { results.push(label + ':blocked'); } };
  await attempt('json+token', { method: 'POST', headers: { 'content-type': 'application/json', 'x-hookctl-token': ${JSON.stringify(inspector.token)} }, body: ${JSON.stringify(body)} });
  await attempt('simple', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: ${JSON.stringify(body)} });
  await attempt('no-cors', { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: ${JSON.stringify(body)} });
  await attempt('read', { headers: { 'x-hookctl-token': ${JSON.stringify(inspector.token)} } });
  document.getElementById('f').submit();
  document.title = 'done ' + results.join(' ');
})();
</script>`;
}

/**
 * Serves the attacker's page on another origin, opens it, and checks that none of its attempts got
 * through: preflighted requests never leave the browser, simple ones reach the inspector and are
 * refused, and `target` receives nothing. (Whether the inspector reported an action is the
 * caller's to check.)
 */
export async function expectAttackRefused(session: PageSession, inspector: { origin: string; token: string }, target: TestServer): Promise<void> {
  const attacker = await startServer((_request, res) => {
    res.setHeader('content-type', 'text/html');
    res.end(attackerPage(inspector, target.url));
  });
  try {
    const page = await session.open(`${attacker.url}/`);
    await expect.poll(() => page.title()).toMatch(/^done /);
    // The form post lands in the iframe: wait for it to be answered before judging.
    await expect.poll(() => page.frameLocator('iframe[name=sink]').locator('body').textContent()).toMatch(/error/);
    const title = await page.title();
    expect(title).toContain('json+token:blocked');
    expect(title).toContain('read:blocked');
    expect(title).toMatch(/simple:(blocked|40[13])/);
    expect(target.requests).toHaveLength(0);
  } finally {
    await attacker.close();
  }
}
