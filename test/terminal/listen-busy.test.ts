/**
 * `hookctl listen` on a terminal under a burst (`hookctl send --count`): past what a person can
 * read, one aggregate line a second (rate, counts by outcome, p50/p99) instead of a line per
 * delivery, and a line per delivery again once it calms down. --json stays a record per delivery.
 */
import { describe, expect, it } from 'vitest';
import { CliProcess, runCli } from '../helpers/cli.js';
import { freePort } from '../helpers/free-port.js';
import { drive, hasPty } from '../helpers/pty.js';

const BURST = 3000;

async function waitUntilUp(url: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      await fetch(url, { method: 'POST', body: '{"id":"probe","type":"probe"}', headers: { 'content-type': 'application/json' } });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

describe.skipIf(!hasPty)('listen under a burst, on a terminal', () => {
  it('switches to one line a second with counts, rate and p50/p99, then back to a line per delivery', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/`;
    const burst = (async () => {
      await waitUntilUp(url);
      const sent = await runCli(['send', url, '--scheme', 'github', '--event', 'issues.opened', '--secret', 'burst-secret', '--count', String(BURST), '--concurrency', '32', '--json'], { timeoutMs: 60_000 });
      expect(sent.code, sent.stderr).toBe(0);
    })();
    const result = await drive([{ wait: 'Ctrl-C to stop' }, { wait: 'calm again' }, { send: '\x03' }], ['listen', '--port', String(port), '--no-capture']);
    await burst;
    expect(result.failed).toBeNull();
    const lines = result.output.replace(/\r/g, '').split('\n');
    const perDelivery = lines.filter((line) => /\sPOST \/\s/.test(line));
    const aggregate = lines.filter((line) => /\d+\/s\s+\d+ ok/.test(line));
    expect(lines.some((line) => line.includes('busy: more than a line a person can read'))).toBe(true);
    expect(aggregate.length).toBeGreaterThanOrEqual(1);
    for (const line of aggregate) expect(line).toMatch(/\d+\/s\s+\d+ ok.*p50 [<≥]?\d+ms p99 [<≥]?\d+ms/);
    // Far fewer lines than deliveries; the summary still counts every one.
    expect(perDelivery.length).toBeLessThan(BURST / 2);
    expect(result.output).toMatch(new RegExp(`summary: ${BURST + 1} received`));
    // Every aggregate line comes after the switch and before the calm.
    const busyAt = lines.findIndex((line) => line.includes('busy:'));
    const calmAt = lines.findIndex((line) => line.includes('calm again'));
    expect(lines.findIndex((line) => aggregate.includes(line))).toBeGreaterThan(busyAt);
    expect(calmAt).toBeGreaterThan(lines.lastIndexOf(aggregate.at(-1)!));
  }, 90_000);

  it('--json stays a record per delivery at the same rate', async () => {
    const cli = new CliProcess(['listen', '--port', '0', '--no-capture', '--json']);
    try {
      const { url } = await cli.waitForRecord<{ url: string }>((r) => r.type === 'listening');
      const count = 1000;
      const sent = await runCli(['send', url, '--scheme', 'github', '--event', 'issues.opened', '--secret', 'burst-secret', '--count', String(count), '--concurrency', '32', '--json'], { timeoutMs: 60_000 });
      expect(sent.code, sent.stderr).toBe(0);
      await expect.poll(() => cli.records().filter((r) => r.type === 'delivery').length, { timeout: 15_000 }).toBe(count);
    } finally {
      await cli.stop('SIGKILL');
    }
  }, 60_000);
});
