/**
 * What the inspector's browser suites share: a page per test in a fresh browser context (script
 * errors and dialogs are recorded, so injected markup that runs fails the test), locators for the
 * list and the detail, and a hostile page that tries to make an inspector act.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';

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

export const rows = (page: Page) => page.locator('.row[data-seq]');
export const detail = (page: Page, seq: number) => page.locator(`[data-testid=detail][data-seq="${seq}"]`);
export const seqs = async (page: Page) => (await rows(page).evaluateAll((elements) => elements.map((element) => Number(element.getAttribute('data-seq'))))).sort((a, b) => a - b);

/**
 * A page on another origin that tries every way a browser allows to make the inspector replay
 * delivery 0 to `target`, even knowing the token: a JSON POST with the token (preflighted), simple
 * POSTs, a no-cors POST, a read, and a form post into an iframe. Its title lists the outcomes.
 */
export function attackerPage(inspector: { origin: string; token: string }, target: string): string {
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

/** Opens the attacker's page and waits until every attempt was answered (or blocked); returns its title. */
export async function runAttack(session: PageSession, attackerUrl: string): Promise<string> {
  const page = await session.open(attackerUrl);
  await expect.poll(() => page.title()).toMatch(/^done /);
  // The form post lands in the iframe: wait for it to be answered before judging.
  await expect.poll(() => page.frameLocator('iframe[name=sink]').locator('body').textContent()).toMatch(/error/);
  return page.title();
}
