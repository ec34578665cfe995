/**
 * The inspector page in chromium, a replay the app refuses: the page shows the app's answer whole
 * (an answer cut by hookctl ends in an ellipsis) and the hint, as the listener prints them; and a
 * capture whose outcome was kept shows the app's refusal in its detail after the fact.
 */
import { expect, it } from 'vitest';
import { describeWithChromium } from '../helpers/chromium.js';
import { chromiumSuite, detail, rows } from './browser-support.js';
import { inspectFiles, signedRecord, tempDir, writeJournal } from './support.js';

const REFUSAL = `Webhook Error: No signatures found matching the expected signature for payload. ${'Are you passing the raw request body you received from Stripe? '.repeat(12)}`;

describeWithChromium('a refused replay in the inspector page', () => {
  const { session, receiver } = chromiumSuite();

  it('shows the hint and marks the cut answer with an ellipsis', async () => {
    const app = await receiver((_request, res) => {
      res.statusCode = 400;
      res.setHeader('x-powered-by', 'Express');
      res.end(REFUSAL);
    });
    const dir = tempDir();
    writeJournal(dir, [signedRecord({ eventId: 'evt_refused_replay' })]);
    const inspector = await inspectFiles([dir]);
    const page = await session.open(inspector.url);
    await rows(page).nth(0).click();
    await detail(page, 0).waitFor();
    await page.getByLabel('replay to URL').fill(`${app.url}/webhooks`);
    await page.getByRole('button', { name: 'Replay', exact: true }).click();
    const result = page.getByTestId('replay-result');
    await expect.poll(() => result.textContent()).toContain('→ 400');
    // The error line cuts the answer with an ellipsis; the whole answer hookctl kept follows, cut with one too.
    expect(await result.locator('.error-text').textContent()).toMatch(/^answered 400: Webhook Error: No signatures found.*…$/);
    const answer = await page.getByTestId('replay-answer').textContent();
    expect(answer!.startsWith('Webhook Error: No signatures found')).toBe(true);
    expect(answer!.endsWith('…')).toBe(true);
    expect(await page.getByTestId('replay-hint').textContent()).toMatch(/Likely cause: hookctl signed these exact bytes with the --secret given.*your app holds a different secret/);
  });
});
