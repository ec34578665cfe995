/**
 * Debian's chromium, driven by playwright-core (whose own browser download cannot work here). A
 * suite that needs it declares itself with `describeWithChromium`: where chromium is missing,
 * `npm test` skips the suite with one line saying how to install it, and under CI=true (where
 * .ci/run installs it) a missing chromium is a failure, never a skip.
 */
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { describe, it } from 'vitest';

export const CHROMIUM = process.env.HOOKCTL_TEST_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Without the background-networking flags chromium floods a closed network with refused
 * connections; playwright gives each launch a fresh profile (--user-data-dir) of its own.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const hasChromium = existsSync(CHROMIUM);

export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...extraArgs] });
}

export function describeWithChromium(name: string, body: () => void): void {
  if (hasChromium) {
    describe(name, body);
    return;
  }
  const message = `${name}: no chromium at ${CHROMIUM} (apt-get install chromium)`;
  if (process.env.CI) {
    describe(name, () => {
      it('has chromium to run in (CI installs it; a skip here would hide the suite)', () => {
        throw new Error(message);
      });
    });
    return;
  }
  console.warn(`skipped: ${message}`);
  describe.skip(name, body);
}
