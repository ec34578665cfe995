import { afterEach, describe, expect, it } from 'vitest';
import { CliProcess } from '../helpers/cli.js';
import { startVerifyingReceiver, type VerifyingReceiver } from './receiver.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
let target: VerifyingReceiver | undefined;
let cli: CliProcess | undefined;

afterEach(async () => {
  await cli?.stop('SIGKILL');
  await target?.close();
  cli = undefined;
  target = undefined;
});

describe('hookctl send: Ctrl-C', () => {
  it('stops waiting for a retry at once, says what was not delivered, exits 130', async () => {
    target = await startVerifyingReceiver('standard', SECRET, () => ({ status: 503 }));
    cli = new CliProcess(['send', target.url, '--secret', SECRET, '--retry-schedule', '0,10m', '--json']);
    const attempt = await cli.waitForRecord((record) => record.type === 'attempt');
    expect(attempt).toMatchObject({ status: 503, willRetry: true, nextDelayMs: 600_000 });
    const stoppedAt = performance.now();
    const exit = await cli.stop('SIGINT');
    expect(performance.now() - stoppedAt).toBeLessThan(3000);
    expect(exit.code).toBe(130);
    expect(cli.records().at(-1)).toMatchObject({ type: 'result', eventId: attempt.eventId, delivered: false, attempts: 1, interrupted: true });
    expect(cli.stderrLines.join('\n')).toMatch(/interrupted: 0 delivered, 1 not delivered/);
    expect(target.judged).toHaveLength(1);
  });

  it('in load mode, prints the summary so far', async () => {
    target = await startVerifyingReceiver('standard', SECRET, () => ({ status: 503 }));
    cli = new CliProcess(['send', target.url, '--secret', SECRET, '--count', '1000', '--concurrency', '2', '--retry-schedule', '0,10m', '--json']);
    await cli.waitForRecord((record) => record.type === 'attempt');
    const exit = await cli.stop('SIGINT');
    expect(exit.code).toBe(130);
    const summary = cli.records().at(-1)!;
    expect(summary).toMatchObject({ type: 'summary', interrupted: true, delivered: 0, count: 1000 });
    expect(summary.notSent).toBe(1000);
  });
});
