/**
 * `replay redis://…`: the stream, the outbox and the journal carry the same delivery record, so
 * replay reads a queue's records the way it reads captures (CLI-CONTRACT, "Queues"). Deliveries go
 * in through the queue's intake, as `listen --queue` puts them there; a `hookctl worker`
 * forwards them; replay then reads them back from the stream (kept for the worker's --retain),
 * byte for byte and re-signed, selected by --since/--until, and --extract takes one out as a
 * fixture. A private redis-server per suite (skipped with one line where it is not installed).
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { describeWithRedis } from '../helpers/redis-server.js';
import { deliveryRecord, queueTestKit } from '../queue/support.js';

const REPLAY_SECRET = 'replay-secret';
const dir = mkdtempSync(join(tmpdir(), 'hookctl-replay-queue-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Json = Record<string, unknown>;
const records = (stdout: string): Json[] => stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Json);
const githubSignature = (body: string) => `sha256=${createHmac('sha256', REPLAY_SECRET).update(body).digest('hex')}`;

/** Waits until the clock has moved past `ms`, so the next entry's stream id is later (no fixed sleep). */
async function clockPast(ms: number): Promise<void> {
  while (Date.now() <= ms) await new Promise((resolve) => setImmediate(resolve));
}

describeWithRedis('replay from a Redis stream', (redis) => {
  const kit = queueTestKit(redis);

  it('reads what a worker delivered back from the stream: byte for byte, re-signed, named by entry', async () => {
    const { url, add } = await kit.freshQueue();
    const sent = [deliveryRecord({ eventType: 'invoice.paid' }), deliveryRecord({ eventType: 'invoice.voided' })];
    const ids = await add(...sent);
    const first = await kit.app();
    const worker = await kit.worker(url, ['--forward-to', first.url]);
    for (let i = 0; i < sent.length; i++) await worker.waitForRecord((record) => record.type === 'result' && record.delivered === true, 10_000);
    expect(first.requests).toHaveLength(2);

    const again = await kit.app();
    const result = await runCli(['replay', url, '--to', again.url, '--secret', REPLAY_SECRET, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const lines = records(result.stdout);
    const display = url.replace(/^redis:\/\//, 'redis://');
    expect(lines.filter((line) => line.type === 'replay')).toEqual([
      expect.objectContaining({ file: `${display}#${ids[0]}`, eventId: sent[0]!.eventId, eventType: 'invoice.paid', ok: true, status: 200 }),
      expect.objectContaining({ file: `${display}#${ids[1]}`, eventId: sent[1]!.eventId, eventType: 'invoice.voided', ok: true, status: 200 }),
    ]);
    expect(lines.at(-1)).toMatchObject({ type: 'summary', total: 2, ok: 2, failed: 0 });
    expect(again.requests.map((request) => request.body.toString('utf8'))).toEqual(sent.map((record) => record.body));
    for (const request of again.requests) expect(request.headers['x-hub-signature-256']).toBe(githubSignature(request.body.toString('utf8')));
  });

  it('--since and --until select by time; the human output names the queue', async () => {
    const { url, add } = await kit.freshQueue();
    const early = deliveryRecord({ eventType: 'early.one' });
    await add(early);
    const cut = Date.now();
    await clockPast(cut);
    const late = [deliveryRecord({ eventType: 'late.one' }), deliveryRecord({ eventType: 'late.two' })];
    await add(...late);
    const app = await kit.app();

    const since = await runCli(['replay', url, '--since', new Date(cut + 1).toISOString(), '--to', app.url, '--secret', REPLAY_SECRET, '--json']);
    expect(since.code, since.stderr).toBe(0);
    expect(records(since.stdout).filter((line) => line.type === 'replay').map((line) => line.eventType)).toEqual(['late.one', 'late.two']);

    const until = await runCli(['replay', url, '--until', new Date(cut).toISOString(), '--to', app.url, '--secret', REPLAY_SECRET]);
    expect(until.code, until.stderr).toBe(0);
    expect(until.stderr).toContain(`replaying ${url} to ${app.url}`);
    expect(until.stdout).toContain('early.one  200');
    expect(until.stdout).not.toContain('late.');
    expect(app.requests.map((request) => request.body.toString('utf8'))).toEqual([...late, early].map((record) => record.body));

    const none = await runCli(['replay', url, '--since', '1ms', '--to', app.url, '--secret', REPLAY_SECRET]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/nothing to replay: redis:\/\/127\.0\.0\.1:\d+\/0\?stream=\S+ holds no deliveries in that time/);
  });

  it('--last, --dry-run and --extract read the queue like a journal', async () => {
    const { url, add } = await kit.freshQueue();
    const [older, newer] = [deliveryRecord({ eventType: 'order.created' }), deliveryRecord({ eventType: 'order.paid' })];
    await add(older!, newer!);
    const plan = await runCli(['replay', url, '--last', '--dry-run', '--json']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(records(plan.stdout).filter((line) => line.type === 'plan').map((line) => line.eventType)).toEqual(['order.paid']);

    const out = join(dir, 'extracted.json');
    const extract = await runCli(['replay', url, '--extract', String(older!.eventId), '--out', out]);
    expect(extract.code, extract.stderr).toBe(0);
    const fixture = JSON.parse(readFileSync(out, 'utf8')) as Json;
    expect(fixture).toMatchObject({ eventId: older!.eventId, eventType: 'order.created', body: older!.body });
  });

  it('send takes a queue as its fixture argument too: each delivery sent byte for byte, signed in its own scheme', async () => {
    const { url, add } = await kit.freshQueue();
    const record = deliveryRecord({ eventType: 'ping' });
    const [id] = await add(record);
    const app = await kit.app();
    const result = await runCli(['send', app.url, url, '--secret', REPLAY_SECRET, '--retry-schedule', '0']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`→ github ping ${record.eventId}`);
    expect(result.stdout).toContain(`✓ delivered ${record.eventId}`);
    expect(app.requests[0]!.body.toString('utf8')).toBe(record.body);
    expect(app.requests[0]!.headers['x-hub-signature-256']).toBe(githubSignature(record.body));
    expect(id).toMatch(/^\d+-\d+$/);

    const empty = await kit.freshQueue();
    const nothing = await runCli(['send', app.url, empty.url, '--secret', REPLAY_SECRET]);
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toMatch(/hookctl: redis:\/\/127\.0\.0\.1:\d+\/0\?stream=\S+: the stream holds no deliveries/);
  });

  it('an unreachable Redis is one line, exit 2; a URL that does not parse is a usage error before anything is read', async () => {
    const unreachable = await runCli(['replay', 'redis://127.0.0.1:1', '--to', 'http://127.0.0.1:9/', '--secret', REPLAY_SECRET]);
    expect(unreachable.code).toBe(2);
    expect(unreachable.stderr).toMatch(/^hookctl: cannot reach Redis at redis:\/\/127\.0\.0\.1:1\/0: .*\n$/);
    const bad = await runCli(['replay', 'redis://127.0.0.1:6379/not-a-db', '--to', 'http://127.0.0.1:9/', '--secret', REPLAY_SECRET]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"/not-a-db" is not a database number');
  });
});

describeWithRedis(
  'replay from a password-protected Redis',
  (redis) => {
    const kit = queueTestKit(redis);
    it('--redis-password-file: read, and the password is never shown', async () => {
      const { url, add } = await kit.freshQueue();
      const record = deliveryRecord({ eventType: 'secret.kept' });
      await add(record);
      const passwordFile = join(dir, 'redis-password');
      writeFileSync(passwordFile, 'p4ss-w0rd\n');
      const app = await kit.app();
      const withoutPassword = url.replace(/\/\/[^@]*@/, '//');
      const result = await runCli(['replay', withoutPassword, '--redis-password-file', passwordFile, '--to', app.url, '--secret', REPLAY_SECRET]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('secret.kept  200');
      expect(result.stdout + result.stderr).not.toContain('p4ss-w0rd');

      const inUrl = await runCli(['replay', url, '--to', app.url, '--secret', REPLAY_SECRET]);
      expect(inUrl.code, inUrl.stderr).toBe(0);
      expect(inUrl.stderr).toMatch(/replaying redis:\/\/\*\*\*@127\.0\.0\.1:\d+\/0\?stream=/);
      expect(inUrl.stdout + inUrl.stderr).not.toContain('p4ss-w0rd');
    });
  },
  { password: 'p4ss-w0rd' },
);
