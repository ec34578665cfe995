/**
 * `send` and `replay` against a target that resets connections, hangs, answers slowly or flaps.
 * Retries follow the schedule, there is no unhandled rejection, the exit code is right, and no
 * event is reported delivered unless the target really answered it 2xx (the target keeps the list).
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CliProcess, runCli, type CliResult } from '../helpers/cli.js';
import { cleanup, onCleanup, SECRET, tempDir } from './support.js';

afterEach(cleanup);

type Behaviour = 'reset' | 'hang' | { status: number; delayMs?: number };

interface FlakyTarget {
  url: string;
  port: number;
  /** Every request: the event id and what it got. */
  log: Array<{ id: string; behaviour: Behaviour }>;
  /** Event ids the target answered 2xx (the response was written in full). */
  answered2xx: Set<string>;
  close(): Promise<void>;
}

/** A real HTTP server whose n-th request (0-based, over all events) behaves as `plan(n, id)` says. */
async function flakyTarget(plan: (n: number, id: string) => Behaviour, port = 0): Promise<FlakyTarget> {
  const log: FlakyTarget['log'] = [];
  const answered2xx = new Set<string>();
  const server: Server = createServer((req, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      const id = String(req.headers['x-github-delivery'] ?? req.headers['webhook-id'] ?? '?');
      const behaviour = plan(log.length, id);
      log.push({ id, behaviour });
      if (behaviour === 'reset') return void req.socket.destroy();
      if (behaviour === 'hang') return;
      const answer = () => {
        res.statusCode = behaviour.status;
        res.end(behaviour.status < 300 ? 'ok' : 'try later', () => {
          if (behaviour.status >= 200 && behaviour.status < 300) answered2xx.add(id);
        });
      };
      if (behaviour.delayMs) setTimeout(answer, behaviour.delayMs);
      else answer();
    });
  });
  server.listen(port, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const actual = (server.address() as AddressInfo).port;
  let closed: Promise<void> | undefined;
  const target: FlakyTarget = {
    url: `http://127.0.0.1:${actual}/hooks`,
    port: actual,
    log,
    answered2xx,
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      return closed;
    },
  };
  onCleanup(() => target.close());
  return target;
}

/** Strict: an unhandled rejection would crash with a stack, which the checks below look for. */
const ENV = { NODE_OPTIONS: '--unhandled-rejections=strict' };

function records(result: CliResult): Array<Record<string, unknown>> {
  return result.stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
}

function expectClean(result: CliResult): void {
  expect(result.stderr).not.toMatch(/Unhandled|\n\s+at |TypeError|RangeError/);
  expect(result.signal).toBeNull();
}

const sendArgs = (url: string, ...more: string[]) => ['send', url, '--scheme', 'github', '--secret', SECRET, '--data', '{"action":"opened"}', '--json', ...more];

describe('send against a misbehaving target', () => {
  it('reset, 503, hang, then 200: four attempts on the schedule, same event id, delivered, exit 0', async () => {
    const script: Behaviour[] = ['reset', { status: 503 }, 'hang', { status: 200 }];
    const target = await flakyTarget((n) => script[n] ?? { status: 200 });
    const result = await runCli(sendArgs(target.url, '--id', 'flap-1', '--timeout', '300ms', '--retry-schedule', '0,20ms,20ms,20ms'), { env: ENV });
    expectClean(result);
    expect(result.code).toBe(0);
    const out = records(result);
    const attempts = out.filter((r) => r.type === 'attempt');
    expect(attempts.map((a) => a.status)).toEqual([null, 503, null, 200]);
    expect(String(attempts[0]!.error)).toMatch(/reset|closed before an answer|socket/i);
    expect(String(attempts[2]!.error)).toMatch(/timed out after 300ms/);
    expect(out.find((r) => r.type === 'result')).toMatchObject({ eventId: 'flap-1', delivered: true, attempts: 4 });
    expect(target.log.map((entry) => entry.id)).toEqual(['flap-1', 'flap-1', 'flap-1', 'flap-1']);
  });

  it('a target that always hangs: every attempt times out, not delivered, exit 1 (although it received them)', async () => {
    const target = await flakyTarget(() => 'hang');
    const result = await runCli(sendArgs(target.url, '--timeout', '200ms', '--retry-schedule', '0,10ms,10ms'), { env: ENV });
    expectClean(result);
    expect(result.code).toBe(1);
    const out = records(result);
    expect(out.filter((r) => r.type === 'attempt').map((a) => a.error)).toEqual(['timed out after 200ms', 'timed out after 200ms', 'timed out after 200ms']);
    expect(out.find((r) => r.type === 'result')).toMatchObject({ delivered: false, attempts: 3 });
    expect(target.log).toHaveLength(3);
  });

  it('slow answers: within --timeout it is delivered once; past it, the late 200 does not count and the retry does', async () => {
    const slow = await flakyTarget(() => ({ status: 200, delayMs: 300 }));
    const patient = await runCli(sendArgs(slow.url, '--timeout', '3s', '--retry-schedule', '0,10ms'), { env: ENV });
    expectClean(patient);
    expect(patient.code).toBe(0);
    expect(records(patient).filter((r) => r.type === 'attempt')).toHaveLength(1);

    const slowThenFast = await flakyTarget((n) => (n === 0 ? { status: 200, delayMs: 600 } : { status: 200 }));
    const impatient = await runCli(sendArgs(slowThenFast.url, '--timeout', '200ms', '--retry-schedule', '0,10ms'), { env: ENV });
    expectClean(impatient);
    expect(impatient.code).toBe(0);
    const attempts = records(impatient).filter((r) => r.type === 'attempt');
    expect(attempts.map((a) => a.status)).toEqual([null, 200]);
    expect(attempts[0]!.error).toBe('timed out after 200ms');
  });

  it('connections reset every time: gives up after the schedule with exit 1 and one clear line (human output)', async () => {
    const target = await flakyTarget(() => 'reset');
    const result = await runCli(['send', target.url, '--scheme', 'github', '--secret', SECRET, '--data', '{}', '--retry-schedule', '0,10ms,10ms'], { env: ENV });
    expectClean(result);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/gave up on .* after 3 attempts/);
    expect(target.log).toHaveLength(3);
  });

  it('a target that is down, then comes up on the same port: retried until delivered', async () => {
    // Take a free port from the kernel, then leave it closed: connections are refused.
    const probe = await flakyTarget(() => ({ status: 200 }));
    const port = probe.port;
    await probe.close();
    const cli = new CliProcess(sendArgs(`http://127.0.0.1:${port}/hooks`, '--id', 'down-up', '--retry-schedule', '0,400ms,400ms,400ms,400ms'), { env: ENV });
    onCleanup(() => cli.stop('SIGKILL'));
    const first = await cli.waitForRecord((r) => r.type === 'attempt');
    expect(String(first.error)).toMatch(/ECONNREFUSED/);
    const target = await flakyTarget(() => ({ status: 200 }), port);
    const { code } = await cli.exited;
    expect(code).toBe(0);
    expect(cli.records().find((r) => r.type === 'result')).toMatchObject({ eventId: 'down-up', delivered: true });
    expect(target.answered2xx.has('down-up')).toBe(true);
    expect(cli.stderrLines.join('\n')).not.toMatch(/Unhandled|\n\s+at /);
  });

  it('load mode against a flapping target: "delivered" exactly for the events the target answered 2xx; exit code agrees', async () => {
    // Per request: resets, 503s, hangs and slow answers mixed in.
    const target = await flakyTarget((n) => (n % 7 === 3 ? 'reset' : n % 5 === 1 ? { status: 503 } : n % 11 === 5 ? 'hang' : n % 4 === 2 ? { status: 200, delayMs: 50 } : { status: 200 }));
    const result = await runCli(sendArgs(target.url, '--count', '80', '--concurrency', '8', '--timeout', '250ms', '--retry-schedule', '0,10ms,10ms'), { env: ENV, timeoutMs: 30_000 });
    expectClean(result);
    const out = records(result);
    const results = out.filter((r) => r.type === 'result');
    expect(results).toHaveLength(80);
    const delivered = new Set(results.filter((r) => r.delivered === true).map((r) => String(r.eventId)));
    expect([...delivered].filter((id) => !target.answered2xx.has(id)), 'reported delivered, never answered 2xx').toEqual([]);
    expect([...target.answered2xx].filter((id) => !delivered.has(id)), 'answered 2xx, reported failed').toEqual([]);
    const summary = out.find((r) => r.type === 'summary')!;
    expect(summary).toMatchObject({ sent: 80, delivered: delivered.size, failed: 80 - delivered.size });
    expect(result.code).toBe(delivered.size === 80 ? 0 : 1);
    // With three attempts each, some events must have needed a retry.
    expect(Number(summary.attempts)).toBeGreaterThan(80);
  });
});

describe('send against a target that misbehaves after the status line', () => {
  it('200 headers then a body that never ends: not counted as delivered until it ends, retried after --timeout', async () => {
    let n = 0;
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        n++;
        if (n === 1) {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.write('partial…');
          return;
        }
        res.end('ok');
      });
    });
    server.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    onCleanup(() => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const result = await runCli(sendArgs(url, '--timeout', '300ms', '--retry-schedule', '0,10ms'), { env: ENV });
    expectClean(result);
    expect(result.code).toBe(0);
    const attempts = records(result).filter((r) => r.type === 'attempt');
    expect(attempts.map((a) => [a.status, a.error])).toEqual([[null, 'timed out after 300ms'], [200, null]]);
  });

  it('a 500 with a 50 MB body: the error snippet stays small, the retry goes on', async () => {
    let n = 0;
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (n++ > 0) return void res.end('ok');
        res.writeHead(500, { 'content-type': 'text/plain' });
        let sent = 0;
        const pump = () => {
          while (sent < 50) {
            sent++;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        pump();
      });
    });
    server.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    onCleanup(() => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const result = await runCli(['send', url, '--scheme', 'github', '--secret', SECRET, '--data', '{}', '--retry-schedule', '0,10ms', '--timeout', '10s'], { env: ENV });
    expectClean(result);
    expect(result.code).toBe(0);
    // The human attempt line quotes the start of the body, not 50 MB of it.
    expect(result.stdout.length).toBeLessThan(4_000);
    expect(result.stdout).toMatch(/attempt 1: 500/);
  });
});

describe('replay against a misbehaving target', () => {
  it('each fixture is ok exactly when the target answered it 2xx; retries on the schedule; exit 1 when any failed', async () => {
    const dir = tempDir();
    const ids = Array.from({ length: 12 }, (_, i) => `rp-${String(i).padStart(2, '0')}`);
    for (const id of ids) {
      writeFileSync(
        join(dir, `${id}.json`),
        JSON.stringify({ format: 'hookctl.delivery.v1', id: `2026-${id}`, capturedAt: '2026-01-01T00:00:00.000Z', method: 'POST', path: '/', headers: { 'content-type': 'application/json', 'x-github-delivery': id, 'x-github-event': 'push' }, bodyEncoding: 'utf8', body: `{"n":"${id}"}`, bytes: 12, scheme: 'github', eventId: id, eventType: 'push', verified: true, reason: null, duplicate: false }),
      );
    }
    // Each event: first attempt fails one way or another; rp-03 and rp-07 never get through.
    const seen = new Map<string, number>();
    const target = await flakyTarget((_n, id) => {
      const count = (seen.get(id) ?? 0) + 1;
      seen.set(id, count);
      if (id === 'rp-03') return 'reset';
      if (id === 'rp-07') return 'hang';
      if (count === 1) return (['reset', { status: 502 }, 'hang', { status: 429 }] as Behaviour[])[Number(id.slice(3)) % 4]!;
      return { status: 200 };
    });
    const result = await runCli(['replay', dir, '--to', target.url, '--secret', SECRET, '--json', '--concurrency', '4', '--timeout', '250ms', '--retry-schedule', '0,10ms,10ms'], { env: ENV, timeoutMs: 30_000 });
    expectClean(result);
    expect(result.code).toBe(1);
    const out = records(result);
    const replays = out.filter((r) => r.type === 'replay');
    expect(replays).toHaveLength(12);
    for (const replay of replays) expect(replay.ok, String(replay.eventId)).toBe(target.answered2xx.has(String(replay.eventId)));
    expect(replays.filter((r) => r.ok !== true).map((r) => r.eventId).sort()).toEqual(['rp-03', 'rp-07']);
    expect(out.find((r) => r.type === 'summary')).toMatchObject({ total: 12, ok: 10, failed: 2 });
    for (const replay of replays.filter((r) => r.ok === true)) expect(replay.attempts).toBe(2);
  });
});
