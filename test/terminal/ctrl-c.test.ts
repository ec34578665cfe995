/**
 * Ctrl-C TYPED on a terminal, while a spinner or a progress bar is drawn, for every command that
 * draws one. Signalling the process is not the same test: a spinner library that puts the
 * terminal in raw mode turns the keystroke into a byte nobody reads.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { drive, hasPty } from '../helpers/pty.js';
import { startServer, type TestServer } from '../helpers/server.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const CTRL_C = '\x03';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A target that refuses every delivery with a 503, so senders sit in their retry wait. */
/** The end of what the terminal showed, for failure messages (spinners redraw thousands of times). */
function tail(output: string): string {
  return output.slice(-1500);
}

async function refusingTarget(): Promise<TestServer> {
  return startServer((_request, res) => {
    res.statusCode = 503;
    res.end('busy');
  });
}

describe.skipIf(!hasPty)('Ctrl-C typed on a terminal', () => {
  it('send: stops the retry wait under the spinner, says what was not delivered, exits 130', async () => {
    server = await refusingTarget();
    const result = await drive(
      [{ wait: 'Ctrl-C to stop' }, { send: CTRL_C }, { wait: 'interrupted:' }],
      ['send', server.url, '--secret', SECRET, '--retry-schedule', '0,10m'],
    );
    expect(result.failed, tail(result.output)).toBeNull();
    expect(result.code, tail(result.output)).toBe(130);
    expect(result.output).toMatch(/not delivered/);
    expect(result.output).toMatch(/interrupted: 0 delivered, 1 not delivered/);
    expect(server.requests).toHaveLength(1);
  });

  it('send --count: stops under the progress bar and prints the summary so far, exits 130', async () => {
    server = await refusingTarget();
    const result = await drive(
      [{ wait: '/500' }, { send: CTRL_C }, { wait: 'interrupted:' }],
      ['send', server.url, '--secret', SECRET, '--count', '500', '--concurrency', '2', '--retry-schedule', '0,10m'],
    );
    expect(result.failed, tail(result.output)).toBeNull();
    expect(result.code, tail(result.output)).toBe(130);
    expect(result.output).toMatch(/events \(standard\) to /);
    expect(result.output).toMatch(/interrupted: 0 delivered, 0 failed, 500 of 500 not delivered or never sent/);
  });

  it('replay: stops the retry wait under the spinner, prints the tally, exits 130', async () => {
    server = await refusingTarget();
    const result = await drive(
      [{ wait: 'retrying in' }, { send: CTRL_C }, { wait: 'interrupted:' }],
      ['replay', 'fixtures/github/push.json', '--to', server.url, '--secret', SECRET, '--retry-schedule', '0,10m'],
    );
    expect(result.failed, tail(result.output)).toBeNull();
    expect(result.code, tail(result.output)).toBe(130);
    expect(result.output).toMatch(/push.json: 503, retrying in 10m · Ctrl-C to stop/);
    expect(result.output).toMatch(/interrupted: 0 delivered, 0 failed, 1 cut short, 0 not sent \(of 1\)/);
  });

  it('bench: stops under the progress bar, prints the partial table, exits 130', async () => {
    const result = await drive(
      [{ wait: ' running ' }, { send: CTRL_C }, { wait: 'interrupted after' }],
      ['bench', 'polling-vs-push', '--events', '100000', '--rate', '50', '--strategies', 'push'],
    );
    expect(result.failed, tail(result.output)).toBeNull();
    expect(result.code, tail(result.output)).toBe(130);
    expect(result.output).toMatch(/stopping: collecting partial results/);
    expect(result.output).toMatch(/push: interrupted; partial numbers/);
  });
});
