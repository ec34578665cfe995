/**
 * `npm run bench:listen`: deliveries/s and latency of `hookctl listen` against a bare node:http
 * server, under one load generator (autocannon, 50 connections, 1 KiB signed JSON), in one run:
 *
 *   bare          node:http answering 200 after reading the body (the baseline)
 *   verify        listen, verifying, capture off
 *   journal       listen, verifying + journal capture (the default)
 *   durable       listen, verifying + journal + --durable (fsync, group commit)
 *   naive-fsync   node:http that appends each delivery and fsyncs it before answering
 *
 * Each server runs alone in a child process (the listener through its core module, `startListener`,
 * with no per-delivery rendering: what `hookctl listen --quiet` runs), so the server and the load
 * generator each get a core. Every request carries a fresh X-GitHub-Delivery id (autocannon's
 * [<id>] replacement), so listen does its full work: no delivery is a duplicate.
 *
 * Environment: BENCH_SECONDS (default 5), BENCH_CONNECTIONS (default 50), BENCH_ONLY=a,b.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SECRET = 'bench-listen-secret';
const MODES = ['bare', 'verify', 'journal', 'durable', 'naive-fsync'] as const;
type Mode = (typeof MODES)[number];

const DESCRIPTIONS: Record<Mode, string> = {
  bare: 'bare node:http, 200 (baseline)',
  verify: 'listen: verify, no capture',
  journal: 'listen: verify + journal',
  durable: 'listen: verify + journal --durable',
  'naive-fsync': 'naive: append + fsync per request',
};

/** 1 KiB of JSON, the shape of a small provider event. */
function body1k(): string {
  const base = { action: 'opened', repository: { id: 1296269, full_name: 'octocat/Hello-World' }, sender: { login: 'octocat', id: 1 }, padding: '' };
  const size = Buffer.byteLength(JSON.stringify(base));
  base.padding = 'x'.repeat(1024 - size);
  const text = JSON.stringify(base);
  if (Buffer.byteLength(text) !== 1024) throw new Error('body is not 1 KiB');
  return text;
}

// ---------------------------------------------------------------- server side (child process)

async function serve(mode: Mode, dir: string): Promise<void> {
  const report = (message: Record<string, unknown>) => process.send!(message);
  if (mode === 'bare' || mode === 'naive-fsync') {
    const file = mode === 'naive-fsync' ? await open(join(dir, 'naive.ndjson'), 'a') : undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', async () => {
        if (file) {
          const line = `${JSON.stringify({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') })}\n`;
          await file.write(line);
          await file.sync();
        }
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': 11 });
        res.end('{"ok":true}');
      });
    });
    server.listen(0, '127.0.0.1', () => report({ port: (server.address() as AddressInfo).port }));
    process.on('message', () => process.exit(0));
    return;
  }
  const { startListener } = await import('../src/listen/server.js');
  const handle = await startListener({
    port: 0,
    secrets: [SECRET],
    ...(mode === 'verify' ? {} : { captureDir: dir }),
    durable: mode === 'durable',
  });
  report({ port: handle.port });
  process.on('message', async () => {
    const summary = await handle.close();
    report({ summary });
    process.exit(0);
  });
}

// ---------------------------------------------------------------- load side (parent)

interface Row {
  mode: Mode;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  total: number;
}

async function startChild(mode: Mode, dir: string): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', mode, dir], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve(message.port));
    child.once('exit', (code) => reject(new Error(`${mode} server exited with ${code}`)));
  });
  return { child, port };
}

async function stopChild(child: ChildProcess): Promise<Record<string, unknown> | undefined> {
  const summary = new Promise<Record<string, unknown> | undefined>((resolve) => {
    child.on('message', (message: { summary?: Record<string, unknown> }) => message.summary && resolve(message.summary));
    child.once('exit', () => resolve(undefined));
  });
  child.send('stop');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const result = await summary;
  clearTimeout(timer);
  return result;
}

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

// autocannon ships no type declarations; this is the part used here.
const autocannon = createRequire(import.meta.url)('autocannon') as (options: Record<string, unknown>) => Promise<AutocannonResult>;

async function load(port: number, seconds: number, connections: number, body: string, signature: string): Promise<AutocannonResult> {
  return autocannon({
    url: `http://127.0.0.1:${port}/`,
    method: 'POST',
    connections,
    pipelining: 1,
    duration: seconds,
    idReplacement: true,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'GitHub-Hookshot/bench',
      'x-github-event': 'issues',
      'x-github-delivery': '[<id>]',
      'x-hub-signature-256': signature,
    },
    body,
  });
}

async function main(): Promise<void> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
  const only = process.env.BENCH_ONLY?.split(',') as Mode[] | undefined;
  const modes = MODES.filter((mode) => !only || only.includes(mode));
  const body = body1k();
  const signature = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
  const rows: Row[] = [];
  process.stderr.write(`bench:listen — autocannon, ${connections} connections, ${seconds}s per server (+1s warm-up), 1 KiB GitHub-signed JSON, unique delivery ids; node ${process.version}\n`);
  for (const mode of modes) {
    const dir = mkdtempSync(join(tmpdir(), `hookctl-bench-${mode}-`));
    try {
      const { child, port } = await startChild(mode, dir);
      await load(port, 1, connections, body, signature);
      const result = await load(port, seconds, connections, body, signature);
      const summary = await stopChild(child);
      rows.push({ mode, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors + result.timeouts, total: result.requests.total });
      const extra = summary ? ` (listener: ${summary.received} received, ${summary.verified} verified, ${summary.duplicates} duplicates, ${summary.captured} captured)` : '';
      process.stderr.write(`  ${mode.padEnd(12)} ${Math.round(result.requests.average)} req/s${extra}\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  const bare = rows.find((row) => row.mode === 'bare');
  const naive = rows.find((row) => row.mode === 'naive-fsync');
  const lines = [
    '| server | deliveries/s | p50 ms | p99 ms | vs bare | non-2xx/errors |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows.map((row) => {
      const ratio = bare ? `${(row.rps / bare.rps).toFixed(2)}×` : '–';
      return `| ${DESCRIPTIONS[row.mode]} | ${Math.round(row.rps).toLocaleString('en-US')} | ${row.p50} | ${row.p99} | ${ratio} | ${row.non2xx + row.errors} |`;
    }),
  ];
  process.stdout.write(`${lines.join('\n')}\n\n`);

  const targets: Array<[string, number | undefined, number]> = [];
  const get = (mode: Mode) => rows.find((row) => row.mode === mode)?.rps;
  if (bare) {
    targets.push(['verify-only >= 0.8x bare', get('verify') && get('verify')! / bare.rps, 0.8]);
    targets.push(['verify + journal >= 0.6x bare', get('journal') && get('journal')! / bare.rps, 0.6]);
  }
  if (naive) targets.push(['--durable >= 3x naive fsync', get('durable') && get('durable')! / naive.rps, 3]);
  let failed = false;
  for (const [name, ratio, min] of targets) {
    if (ratio === undefined) continue;
    const ok = ratio >= min;
    failed ||= !ok;
    process.stdout.write(`${ok ? 'PASS' : 'MISS'}  ${name}: ${ratio.toFixed(2)}×\n`);
  }
  const broken = rows.filter((row) => row.non2xx + row.errors > 0);
  if (broken.length > 0) {
    process.stdout.write(`WARNING: non-2xx answers or errors in ${broken.map((row) => row.mode).join(', ')}: those numbers are not valid\n`);
    failed = true;
  }
  process.exitCode = failed ? 1 : 0;
}

if (process.argv[2] === '--serve') {
  await serve(process.argv[3] as Mode, process.argv[4]!);
} else {
  await main();
}
