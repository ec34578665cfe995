/**
 * `hookctl listen -v` on a terminal: each block says what it is (the request's headers, its body,
 * the app's answer), the request before what the app made of it; with fan-out and no --ack-first,
 * one `→ app` line per route, as --ack-first prints them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port.js';
import { drive, hasPty } from '../helpers/pty.js';
import { startServer, type TestServer } from '../helpers/server.js';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function postWhenUp(url: string, body: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

describe.skipIf(!hasPty)('listen -v on a terminal', () => {
  it('labels the request headers, the request body and the app\'s answer; one line per route on fan-out', async () => {
    const taking = await startServer();
    const refusing = await startServer((_request, res) => {
      res.statusCode = 400;
      res.setHeader('x-powered-by', 'Express');
      res.end('Webhook Error: No signatures found matching the expected signature for payload');
    });
    servers.push(taking, refusing);
    const port = await freePort();
    const body = JSON.stringify({ id: 'evt_fan_1', type: 'invoice.paid' });
    const posted = postWhenUp(`http://127.0.0.1:${port}/`, body);
    const result = await drive(
      [{ wait: 'Ctrl-C to stop' }, { wait: 'app answered 400' }, { send: '\x03' }],
      ['listen', '--port', String(port), '--no-capture', '-v', '--route', `invoice.*=${taking.url}/a`, '--route', `*=${refusing.url}/b`],
    );
    await posted;
    expect(result.failed).toBeNull();
    const out = result.output.replace(/\r/g, '');
    const headersAt = out.indexOf('request headers');
    const bodyAt = out.indexOf('request body (');
    const answerAt = out.indexOf('app answered 400');
    expect(headersAt).toBeGreaterThan(-1);
    expect(bodyAt).toBeGreaterThan(headersAt);
    expect(answerAt).toBeGreaterThan(bodyAt);
    expect(out).toMatch(/app's answer headers\n\s+x-powered-by: Express/);
    // One line per route, each naming where it went.
    expect(out).toMatch(new RegExp(`↳ evt_fan_1\\s+→ app 200 \\(${taking.url}/a\\)`));
    expect(out).toMatch(new RegExp(`↳ evt_fan_1\\s+→ app 400 \\(${refusing.url}/b\\)`));
  });
});
