/**
 * `hookctl listen --ui`, the real CLI: the inspector's URL next to the listener's (and as uiUrl in
 * the listening record), the journal from before and then every delivery `hookctl send` makes, the
 * forward target as the default for replays, the app's refusal in the detail, what actions print,
 * Ctrl-C, and the clear errors.
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCK_FILE } from '../../src/capture/index.js';
import { CliProcess, runCli } from '../helpers/cli.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { afterTest, api, cleanup, eventually, listenUi, SECRET, signedRecord, tempDir, writeJournal, type UiListener } from './support.js';

afterEach(cleanup);

/** The real CLI, stopped after the test. */
function spawnCli(args: string[]): CliProcess {
  const cli = new CliProcess(args);
  afterTest(() => cli.stop('SIGKILL'));
  return cli;
}

/** `hookctl listen --ui --json` on free ports, capturing to `dir`. */
function listenUiIn(dir: string, args: string[] = []): Promise<UiListener> {
  return listenUi(['--capture', dir, ...args]);
}

async function server(respond?: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const started = await startServer(respond);
  afterTest(() => started.close());
  return started;
}

async function send(url: string, args: string[]): Promise<void> {
  const result = await runCli(['send', url, '--secret', SECRET, '--no-retry', ...args]);
  expect(result.code, result.stderr).not.toBe(2);
}

describe('hookctl listen --ui', () => {
  it('--json: uiUrl in the listening record; the journal from before, then each delivery as it comes; Ctrl-C stops both', async () => {
    const dir = tempDir();
    writeJournal(dir, [signedRecord({ eventType: 'from.before' })]);
    const app = await server();
    const { cli, url, ui, listening } = await listenUiIn(dir, ['--secret', SECRET, '--forward-to', `${app.url}/webhooks`]);
    expect(new URL(ui.url).hostname).toBe('127.0.0.1');
    expect(ui.token).toMatch(/^[\w-]{32}$/);
    expect(new URL(ui.url).port).not.toBe(new URL(listening.url).port);
    expect(cli.stdoutLines.every((line) => line.startsWith('{'))).toBe(true);

    const info = (await api(ui, '/api/info')).body;
    expect(info).toMatchObject({ mode: 'listen', subject: listening.url, defaultTarget: `${app.url}/webhooks`, defaultTargetKeepsPath: false, canSign: true, total: 1 });

    await send(url, ['--scheme', 'github', '--event', 'push', '--id', 'evt-live-1']);
    await send(url, ['--scheme', 'stripe', '--event', 'invoice.paid', '--id', 'evt_live_2']);
    const page = await eventually(async () => {
      const body = (await api(ui, '/api/deliveries')).body;
      expect(body.total).toBe(3);
      return body;
    });
    expect(page.rows.map((row: { eventType: string; source: string }) => [row.eventType, row.source === 'live'])).toEqual([
      ['from.before', false],
      ['push', true],
      ['invoice.paid', true],
    ]);
    expect(page.rows[1]).toMatchObject({ scheme: 'github', eventId: 'evt-live-1', verified: true, status: 200, forward: { status: 200, pending: false } });
    // Headers and bodies of captured deliveries are read back from the journal: shown and searched.
    const detail = (await api(ui, '/api/deliveries/1')).body;
    expect(Object.fromEntries(detail.headers)).toMatchObject({ 'x-github-event': 'push', 'x-github-delivery': 'evt-live-1' });
    expect(detail.body.data).toContain('"ref"');
    expect(detail.verification).toMatchObject({ basis: 'received', verified: true });
    const found = (await api(ui, '/api/deliveries?q=EVT_LIVE_2')).body;
    expect(found.rows.map((row: { eventId: string }) => row.eventId)).toEqual(['evt_live_2']);
    // The journal from before and this run's deliveries alike.
    expect((await api(ui, '/api/deliveries?q=stripe-signature')).body.rows.map((row: { eventType: string }) => row.eventType)).toEqual(['from.before', 'invoice.paid']);

    // A replay from the page is reported like every other record.
    const replay = await api(ui, '/api/deliveries/1/replay', { body: { to: `${app.url}/again`, mode: 'resign' } });
    expect(replay.status).toBe(200);
    expect(await cli.waitForRecord((record) => record.type === 'action')).toMatchObject({ action: 'replay', seq: 1, ok: true, status: 200, to: `${app.url}/again` });

    const { code } = await cli.stop('SIGINT');
    expect(code).toBe(0);
    expect(cli.records().at(-1)).toMatchObject({ type: 'summary', received: 2 });
    await expect(fetch(`${ui.origin}/`)).rejects.toThrow();
    expect([...cli.stdoutLines, ...cli.stderrLines].join('\n')).not.toContain(SECRET);
  });

  it('human output: the inspector URL on stdout right after the listener URL', async () => {
    const cli = spawnCli(['listen', '--port', '0', '--ui', '--ui-port', '0', '--no-capture']);
    await cli.waitForLine((text) => text.includes('Ctrl-C to stop'), { stream: 'stderr' });
    expect(cli.stdoutLines[0]).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(cli.stdoutLines[1]).toMatch(/^inspector on http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]{32}$/);
  });

  it('the app\'s refusal is in the detail (status, telling headers, body, hint); a forward target without a path keeps each delivery\'s path', async () => {
    const app = await server((_request, res) => {
      res.writeHead(400, { 'x-powered-by': 'Express', 'content-type': 'text/html; charset=utf-8' });
      res.end('Webhook Error: No signatures found matching the expected signature for payload');
    });
    const { url, ui } = await listenUiIn(tempDir(), ['--secret', SECRET, '--forward-to', app.url]);
    expect((await api(ui, '/api/info')).body).toMatchObject({ defaultTarget: `${app.url}/`, defaultTargetKeepsPath: true });
    await send(url, ['--scheme', 'stripe', '--event', 'payment_intent.succeeded']);
    const detail = await eventually(async () => {
      const body = (await api(ui, '/api/deliveries/0')).body;
      expect(body.summary.forward).toMatchObject({ status: 400 });
      return body;
    });
    expect(detail.forwardAttempts).toHaveLength(1);
    const [answer] = detail.forwardAttempts;
    expect(answer).toMatchObject({ status: 400, snippet: expect.stringContaining('No signatures found') });
    expect(answer.headers).toContainEqual(['x-powered-by', 'Express']);
    expect(answer.hint).toMatch(/Express: mount `express\.raw/);
  });

  it('--ack-first: a queued forward shows as queued, then its outcome', async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const app = await server(async (_request, res) => {
      await held;
      res.writeHead(204).end();
    });
    const { url, ui } = await listenUiIn(tempDir(), ['--secret', SECRET, '--forward-to', `${app.url}/hooks`, '--ack-first']);
    await send(url, ['--scheme', 'github', '--event', 'push']);
    await eventually(async () => expect((await api(ui, '/api/deliveries')).body.rows[0]?.forward).toMatchObject({ pending: true }));
    release();
    await eventually(async () => expect((await api(ui, '/api/deliveries')).body.rows[0].forward).toMatchObject({ status: 204, pending: false, attempts: 1 }));
  });

  it('--ui-host beyond loopback warns like --host 0.0.0.0', async () => {
    const cli = spawnCli(['listen', '--port', '0', '--ui', '--ui-port', '0', '--ui-host', '0.0.0.0', '--no-capture']);
    const warning = await cli.waitForLine((text) => text.startsWith('warning: --ui-host'), { stream: 'stderr' });
    expect(warning).toContain('--ui-host 0.0.0.0: the inspector is reachable from the network');
    expect(warning).toContain('keep it on 127.0.0.1 unless you mean it');
  });

  it('clear errors: --ui-port without --ui (exit 2), a taken --ui-port (exit 1, the capture folder not left locked)', async () => {
    const alone = await runCli(['listen', '--port', '0', '--ui-port', '0', '--no-capture']);
    expect(alone.code).toBe(2);
    expect(alone.stderr.trim()).toBe('hookctl: --ui-port: only makes sense with --ui');

    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as { port: number }).port;
    const dir = tempDir();
    try {
      const taken = await runCli(['listen', '--port', '0', '--ui', '--ui-port', String(port), '--capture', dir]);
      expect(taken.code).toBe(1);
      expect(taken.stderr.trim()).toBe(`hookctl: --ui-port: ${port} is already in use on 127.0.0.1 (pick another, or --ui-port 0 for a free one)`);
      expect(taken.stdout).toBe('');
    } finally {
      busy.close();
    }
    // The listener that started first was stopped: its folder lock is gone, not left for the next one to judge stale.
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    expect((await listenUiIn(dir)).listening.capture).toMatch(/deliveries\.ndjson$/);
  });
});
