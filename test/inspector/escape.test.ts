/** In the inspector, Esc in the search box clears the search itself, not only the box's text: the list shows every delivery again. */
import { expect, it } from 'vitest';
import { describeWithChromium } from '../helpers/chromium.js';
import { chromiumSuite, seqs } from './browser-support.js';
import { inspectFiles, signedRecord, tempDir, writeJournal } from './support.js';

describeWithChromium('the inspector search box and Esc', () => {
  const { session } = chromiumSuite();

  it('Esc empties the box and the filter it set', async () => {
    const records = [
      signedRecord({ scheme: 'github', eventType: 'push', headers: { 'x-trace': 'needle-in-a-header' } }),
      signedRecord({ scheme: 'github', eventType: 'ping' }),
      signedRecord({ scheme: 'standard', eventType: 'user.created' }),
    ];
    const inspector = await inspectFiles([writeJournal(tempDir(), records)]);
    const page = await session.open(inspector.url);
    await expect.poll(() => seqs(page)).toEqual([0, 1, 2]);
    await page.locator('body').click({ position: { x: 5, y: 300 } });
    await page.keyboard.press('/');
    await page.keyboard.type('needle-in-a');
    await expect.poll(() => seqs(page)).toEqual([0]);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByLabel('search headers and body').inputValue()).toBe('');
    await expect.poll(() => seqs(page)).toEqual([0, 1, 2]);
  });
});
