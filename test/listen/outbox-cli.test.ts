/**
 * The outbox as a user meets it: `hookctl listen --ack-first` names its dead letters and exits 1;
 * `hookctl queue status|dead|requeue <capture folder>` shows and requeues them (--json and text);
 * the next listener on the folder sends them again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CliProcess, runCli } from '../helpers/cli.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { cleanup, onCleanup, post, tempDir } from './support.js';

afterEach(cleanup);

function spawnListen(args: string[]): CliProcess {
  const cli = new CliProcess(['listen', '--port', '0', '--json', ...args]);
  onCleanup(() => cli.stop('SIGKILL'));
  return cli;
}

async function app(status: () => number): Promise<TestServer> {
  const server = await startServer((_request, res) => {
    res.statusCode = status();
    res.end(status() === 200 ? 'ok' : 'app is failing');
  });
  onCleanup(() => server.close());
  return server;
}

describe('hookctl queue <capture folder> and the listener\'s dead letters', () => {
  it('a dead letter fails the run (exit 1, named); queue dead lists it; queue requeue + the next listener deliver it', async () => {
    const dir = tempDir();
    let status = 500;
    const target = await app(() => status);
    const args = ['--capture', dir, '--forward-to', `${target.url}/hooks`, '--ack-first', '--forward-retry-schedule', '0,10ms'];
    const first = spawnListen(args);
    const { url } = await first.waitForRecord<{ url: string; outbox: string }>((r) => r.type === 'listening' && typeof r.outbox === 'string');
    expect((await post(url, JSON.stringify({ id: 'evt_dead_1', type: 'invoice.paid' }), { 'content-type': 'application/json' })).status).toBe(200);
    await first.waitForRecord((r) => r.type === 'forward' && r.dead === true);
    const stopped = await first.stop('SIGINT');
    expect(stopped.code).toBe(1);
    expect(first.records().at(-1)).toMatchObject({ type: 'summary', deadLetters: 1, undeliveredForwards: ['evt_dead_1'] });
    expect(first.stderrLines.join('\n')).toMatch(new RegExp(`1 forward gave up and is a dead letter in the outbox: evt_dead_1 \\(list them: hookctl queue dead ${dir}`));

    const dead = await runCli(['queue', 'dead', dir, '--json']);
    expect(dead.code, dead.stderr).toBe(0);
    const records = dead.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records[0]).toMatchObject({ type: 'dead', eventId: 'evt_dead_1', eventType: 'invoice.paid', reason: 'exhausted', attempts: 2, status: 500, error: 'HTTP 500: app is failing' });
    expect(records[1]).toMatchObject({ type: 'summary', dead: 1, shown: 1 });
    const table = await runCli(['queue', 'dead', dir]);
    expect(table.stdout).toMatch(/evt_dead_1\s+invoice\.paid/);

    // No listener on the folder: the request waits for the next one, and says so.
    const requeued = await runCli(['queue', 'requeue', dir, String(records[0]!.id), '--json']);
    expect(requeued.code, requeued.stderr).toBe(0);
    expect(JSON.parse(requeued.stdout)).toMatchObject({ type: 'requeued', count: 1, note: expect.stringMatching(/no listener .* took them yet/) });
    const waiting = await runCli(['queue', 'status', dir]);
    expect(waiting.stdout).toMatch(/dead letters\s+1; 1 requeued, waiting for a listener/);

    status = 200;
    const second = spawnListen(args);
    const forward = await second.waitForRecord((r) => r.type === 'forward');
    expect(forward).toMatchObject({ eventId: 'evt_dead_1', delivered: true, attempts: 1 });
    // Resumed before the banner, shown after it: the contract's first record is `listening`.
    expect(second.records()[0]).toMatchObject({ type: 'listening' });
    expect((await second.stop('SIGINT')).code).toBe(0);
    const after = JSON.parse((await runCli(['queue', 'status', dir, '--json'])).stdout) as Record<string, unknown>;
    expect(after).toMatchObject({ type: 'status', engine: 'outbox', dead: 0, pending: 0, scheduled: 0, totals: { delivered: 1, dead: 1 } });
  });

  it('a folder that does not exist is a usage error; bad ids are refused before anything is read', async () => {
    const missing = await runCli(['queue', 'status', '/nonexistent/hookctl-folder']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/<queue>: expected a redis:\/\/ URL or a capture folder with an outbox, and "\/nonexistent\/hookctl-folder" does not exist/);
    const badId = await runCli(['queue', 'requeue', tempDir(), 'evt_1']);
    expect(badId.code).toBe(2);
    expect(badId.stderr).toMatch(/is not a dead-letter id/);
  });
});
