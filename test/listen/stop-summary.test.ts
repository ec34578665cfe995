/**
 * What `hookctl listen` says when it stops: only dead letters that are still dead (not those
 * requeued and delivered since), and a `--queue` listener says how many it queued, not "0 forwarded".
 */
import { createHmac, randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { CliProcess, runCli } from '../helpers/cli.js';
import { describeWithRedis } from '../helpers/redis-server.js';
import { startServer } from '../helpers/server.js';
import { cleanup, onCleanup, post, tempDir } from './support.js';

afterEach(cleanup);

function spawn(args: string[]): CliProcess {
  const cli = new CliProcess(['listen', '--port', '0', ...args]);
  onCleanup(() => cli.stop('SIGKILL'));
  return cli;
}

describe('the stop message', () => {
  it('a dead letter requeued and delivered while the listener runs is not named as dead at the stop', async () => {
    const dir = tempDir();
    let status = 500;
    const target = await startServer((_request, res) => {
      res.statusCode = status;
      res.end(status === 200 ? 'ok' : 'failing');
    });
    onCleanup(() => target.close());
    const cli = spawn(['--json', '--capture', dir, '--forward-to', target.url, '--ack-first', '--forward-retry-schedule', '0,10ms']);
    const { url } = await cli.waitForRecord<{ url: string }>((r) => r.type === 'listening');
    for (const id of ['evt_a', 'evt_b']) expect((await post(url, JSON.stringify({ id }), { 'content-type': 'application/json' })).status).toBe(200);
    await cli.waitForRecord((r) => r.type === 'forward' && r.dead === true && r.eventId === 'evt_a');
    await cli.waitForRecord((r) => r.type === 'forward' && r.dead === true && r.eventId === 'evt_b');
    const dead = (await runCli(['queue', 'dead', dir, '--json'])).stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const deadA = dead.find((record) => record.eventId === 'evt_a')!;
    status = 200;
    expect((await runCli(['queue', 'requeue', dir, String(deadA.id)])).code).toBe(0);
    await cli.waitForRecord((r) => r.type === 'forward' && r.delivered === true && r.eventId === 'evt_a');
    const stopped = await cli.stop('SIGINT');
    expect(stopped.code).toBe(1);
    expect(cli.records().at(-1)).toMatchObject({ type: 'summary', deadLetters: 1, undeliveredForwards: ['evt_b'] });
    const stderr = cli.stderrLines.join('\n');
    expect(stderr).toMatch(/1 forward gave up and is a dead letter in the outbox: evt_b \(/);
    expect(stderr).not.toMatch(/evt_a/);
  });
});

describeWithRedis('a --queue listener\'s summary', (redis) => {
  it('says how many it queued for workers, not "0 forwarded"', async () => {
    const secret = 'summary-secret';
    const cli = spawn(['--secret', secret, '--queue', `${redis().url}/0?stream=s-${randomUUID()}`]);
    const line = await cli.waitForLine((text) => text.startsWith('listening on '));
    const url = line.slice('listening on '.length).trim();
    for (let i = 0; i < 3; i++) {
      const body = JSON.stringify({ id: `evt_${i}`, type: 'push' });
      const headers = { 'content-type': 'application/json', 'x-github-delivery': `d-${randomUUID()}`, 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}` };
      expect((await post(url, body, headers)).status).toBe(200);
    }
    await cli.stop('SIGINT');
    const summary = cli.stdoutLines.find((text) => text.startsWith('summary'))!;
    expect(summary).toMatch(/3 received, 3 verified, 0 rejected, 0 duplicates, 3 queued for workers/);
    expect(summary).not.toMatch(/forwarded/);
  });
});
