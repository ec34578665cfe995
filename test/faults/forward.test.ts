/**
 * `listen --forward-to APP --ack-first` while the app is down: the listener has already answered
 * the providers 2xx, so the queue is the only copy of "still to forward". Retries must reach the app
 * once it is back, and Ctrl-C must not drop anything silently: in memory (--no-capture) every queued
 * event is either forwarded during the drain or reported, by id, as not delivered; with a capture
 * folder every one is kept in the outbox, and the next start resumes it on its schedule.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { cleanup, onCleanup, readJournal, SECRET, signed, spawnListener, tempDir } from './support.js';

afterEach(cleanup);

/** A free loopback port, taken from the kernel and released (the app is "down" on it). */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The app, started late on `port`; records the delivery ids it accepted. */
async function startApp(port: number): Promise<{ received: Set<string>; server: Server }> {
  const received = new Set<string>();
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received.add(String(req.headers['x-github-delivery']));
      res.end('ok');
    });
  });
  server.listen(port, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  onCleanup(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return { received, server };
}

const COUNT = 30;

async function ackAll(url: string): Promise<string[]> {
  const ids = Array.from({ length: COUNT }, (_, i) => `fw-${i}`);
  for (const id of ids) {
    const { body, headers } = signed(id);
    const response = await fetch(url, { method: 'POST', body, headers });
    expect(response.status).toBe(200);
  }
  return ids;
}

describe('--forward-to with --ack-first while the app is down', () => {
  it('the queue keeps retrying; the app comes back during the Ctrl-C drain and gets every event', async () => {
    const port = await freePort();
    const listener = await spawnListener(['--no-capture', '--secret', SECRET, '--forward-to', `http://127.0.0.1:${port}/app`, '--ack-first', '--forward-retry-schedule', '0,200ms,200ms,200ms,200ms,200ms,200ms,200ms,200ms,200ms', '--drain-timeout', '10s']);
    const ids = await ackAll(listener.url);
    listener.cli.child.kill('SIGINT');
    await listener.cli.waitForLine((line) => /stopping/.test(line), { stream: 'stderr' });
    const app = await startApp(port);
    const { code } = await listener.cli.exited;
    expect(code).toBe(0);
    expect([...app.received].sort()).toEqual([...ids].sort());
    const forwards = listener.cli.records().filter((r) => r.type === 'forward');
    expect(forwards.filter((r) => r.delivered === true)).toHaveLength(COUNT);
    expect(listener.cli.records().at(-1)).toMatchObject({ type: 'summary', forwarded: COUNT, abandonedForwards: 0 });
  });

  it('--no-capture, the app never comes back: Ctrl-C after --drain-timeout reports every queued event by id as not delivered (exit 1)', async () => {
    const port = await freePort();
    const listener = await spawnListener(['--no-capture', '--secret', SECRET, '--forward-to', `http://127.0.0.1:${port}/app`, '--ack-first', '--forward-retry-schedule', '0,30s', '--drain-timeout', '300ms']);
    // The in-memory queue is said at start to be lost on a crash.
    await listener.cli.waitForLine((line) => /--ack-first with --no-capture: .*lost if the listener crashes/.test(line), { stream: 'stderr' });
    const ids = await ackAll(listener.url);
    // Wait until the first attempts have failed, so some forwards are waiting for a retry and the rest queue behind them.
    await listener.cli.waitForRecord((r) => r.type === 'delivery' && r.eventId === ids.at(-1));
    listener.cli.child.kill('SIGINT');
    const { code } = await listener.cli.exited;
    // Acknowledged to the sender, never delivered: the run failed, and says for which ids.
    expect(code).toBe(1);
    expect(listener.cli.stderrLines.join('\n')).toMatch(new RegExp(`${COUNT} acknowledged deliveries never reached your app: (fw-\\d+, ){20}and ${COUNT - 20} more`));
    const records = listener.cli.records();
    const forwards = records.filter((r) => r.type === 'forward');
    // Every acknowledged event is accounted for: a forward record saying it did not reach the app.
    expect(forwards.map((r) => String(r.eventId)).sort()).toEqual([...ids].sort());
    for (const forward of forwards) expect(forward).toMatchObject({ delivered: false });
    expect(records.at(-1)).toMatchObject({ type: 'summary', forwarded: 0, abandonedForwards: COUNT, forwardsKept: 0 });
    expect([...(records.at(-1)!.undeliveredForwards as string[])].sort()).toEqual([...ids].sort());
    expect(listener.cli.stderrLines.join('\n')).toMatch(new RegExp(`${COUNT} queued forwards did not finish`));
  });

  it('with a capture folder (the outbox), the app never comes back: Ctrl-C keeps every forward (exit 0); the next start delivers them all', async () => {
    const port = await freePort();
    const dir = tempDir();
    const args = ['--capture', dir, '--secret', SECRET, '--forward-to', `http://127.0.0.1:${port}/app`, '--ack-first', '--forward-retry-schedule', '0,1s,1s,1s,1s,1s'];
    const listener = await spawnListener([...args, '--drain-timeout', '300ms']);
    const ids = await ackAll(listener.url);
    await listener.cli.waitForRecord((r) => r.type === 'delivery' && r.eventId === ids.at(-1));
    listener.cli.child.kill('SIGINT');
    const { code } = await listener.cli.exited;
    // Not delivered yet, and not lost: kept in the outbox, which is no failure.
    expect(code).toBe(0);
    const records = listener.cli.records();
    expect(records.at(-1)).toMatchObject({ type: 'summary', forwarded: 0, forwardsKept: COUNT, deadLetters: 0, undeliveredForwards: [] });
    expect(records.filter((r) => r.type === 'forward').every((r) => r.kept === true)).toBe(true);
    expect(listener.cli.stderrLines.join('\n')).toMatch(new RegExp(`${COUNT} forwards not delivered yet are kept in .*\\.hookctl-outbox`));
    // The bytes are safe in the capture too.
    const journal = readJournal(join(dir, 'deliveries.ndjson'));
    expect(new Set(journal.records.map((r) => r.eventId))).toEqual(new Set(ids));

    const status = await runCli(['queue', 'status', dir, '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ engine: 'outbox', scheduled: COUNT, pending: 0, dead: 0 });

    const app = await startApp(port);
    const restarted = await spawnListener(args);
    await restarted.cli.waitForLine((line) => line.includes(`outbox: ${COUNT} pending forwards resumed`), { stream: 'stderr' });
    // Each goes out when its next attempt is due, and the app gets every one.
    for (const id of ids) await restarted.cli.waitForRecord((r) => r.type === 'forward' && r.eventId === id && r.delivered === true);
    expect([...app.received].sort()).toEqual([...ids].sort());
    expect((await restarted.cli.stop('SIGINT')).code).toBe(0);
    expect(JSON.parse((await runCli(['queue', 'status', dir, '--json'])).stdout)).toMatchObject({ scheduled: 0, pending: 0, dead: 0, totals: { delivered: COUNT } });
  });
});
