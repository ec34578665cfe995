/**
 * `npm run bench:listen`: deliveries/s and latency of `hookctl listen` against a bare node:http
 * server, under one load generator (autocannon, 50 connections, 1 KiB signed JSON), in one run:
 *
 *   bare          node:http answering 200 after reading the body (the baseline)
 *   verify        listen, verifying, capture off
 *   journal       listen, verifying + journal capture (the default)
 *   durable       listen, verifying + journal + --durable (fsync, group commit)
 *   journal-dup   the same, but every request repeats one delivery (all but the first are duplicates)
 *   cli           the real `hookctl listen` (bin/hookctl.js, compiled dist/: run `npm run build`),
 *                 verifying + journal, printing its line per delivery (to /dev/null)
 *   cli-dup       the CLI (journal, a line per delivery), every request repeating one delivery
 *   cli-quiet     the CLI with --no-capture --quiet: the baseline for what the display costs
 *   cli-lines     the CLI with --no-capture and its human view (to /dev/null): a line per
 *                 delivery, past a few hundred a second one summary line a second
 *   cli-every-line  the same with --every-line: a line per delivery at any rate
 *   cli-json      the CLI with --no-capture --json: an NDJSON record per delivery (to /dev/null)
 *   ui-off        the CLI (verify + journal, a line per delivery), its stdout read by this script
 *   ui-on         the same with --ui, and the inspector page open in chromium the whole time,
 *                 streaming the deliveries as they come (the baseline for it is ui-off)
 *   naive-fsync   node:http that appends each delivery and fsyncs it before answering, with
 *                 fs/promises (the fsyncs of concurrent requests overlap on libuv's thread pool)
 *   naive-fsync-sync  the same with appendFileSync + fsyncSync (one request's fsync at a time)
 *
 * Ceilings on CPU per delivery (issue 21): journal ÷ verify <= 1.55 (what capture costs over
 * --no-capture, both quiet), journal-dup ÷ bare <= 2.2 (capturing repeated deliveries against a
 * bare node:http server).
 *
 * The machine may be shared: every server is measured in several rounds, interleaved, and the
 * median round is reported, so a burst of someone else's load hits one round, not one server.
 * Each server runs alone in a child process (the listener through its core module, `startListener`,
 * with no per-delivery rendering: what `hookctl listen --quiet` runs), so the server and the load
 * generator each get a core. Every request carries a fresh X-GitHub-Delivery id (autocannon's
 * [<id>] replacement), so listen does its full work: no delivery is a duplicate.
 *
 * Environment: BENCH_SECONDS per round (default 3), BENCH_ROUNDS (default 5), BENCH_CONNECTIONS
 * (default 50), BENCH_ONLY=a,b (modes), BENCH_RATE (requests/s offered in all; default: as fast as
 * the server answers).
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { fsyncSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createServer } from 'node:http';
import { connect } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { body1k, freePort, load as loadWith, loadAverage, markChild, median, procCpuUs, serveListener, serveMeasured, stopChild, type AutocannonResult } from './bench-kit.js';

const SECRET = 'bench-listen-secret';
/** BENCH_RATE: a fixed offered load (requests/s in all), so CPU per delivery compares at the same pace. */
const RATE = process.env.BENCH_RATE ? Number(process.env.BENCH_RATE) : undefined;
const MODES = ['bare', 'verify', 'journal', 'journal-dup', 'durable', 'cli', 'cli-dup', 'cli-quiet', 'cli-lines', 'cli-every-line', 'cli-json', 'ui-off', 'ui-on', 'naive-fsync', 'naive-fsync-sync'] as const;
type CliMode = 'cli' | 'cli-dup' | 'cli-quiet' | 'cli-lines' | 'cli-every-line' | 'cli-json' | 'ui-off' | 'ui-on';
const CLI_ARGS: Record<CliMode, string[]> = {
  cli: [],
  'cli-dup': [],
  'cli-quiet': ['--no-capture', '--quiet'],
  'cli-lines': ['--no-capture'],
  'cli-every-line': ['--no-capture', '--every-line'],
  'cli-json': ['--no-capture', '--json'],
  'ui-off': [],
  'ui-on': ['--ui', '--ui-port', '0'],
};
/** Modes whose stdout this script reads (for the inspector's URL), drained the same way in both. */
const PIPED: ReadonlySet<Mode> = new Set(['ui-off', 'ui-on']);
const CHROMIUM = '/usr/bin/chromium';
function isCli(mode: Mode): mode is CliMode {
  return Object.hasOwn(CLI_ARGS, mode);
}
/** Modes whose requests all repeat one delivery id. */
const REPEATED: ReadonlySet<Mode> = new Set(['journal-dup', 'cli-dup']);
type Mode = (typeof MODES)[number];

const DESCRIPTIONS: Record<Mode, string> = {
  bare: 'bare node:http, 200 (baseline)',
  verify: 'listen: verify, no capture',
  journal: 'listen: verify + journal',
  'journal-dup': 'listen: verify + journal, the same delivery repeated (duplicates)',
  durable: 'listen: verify + journal --durable',
  cli: 'hookctl listen CLI (spawned): verify + journal + one line per delivery',
  'cli-dup': 'hookctl listen CLI, journal + a line per delivery, the same delivery repeated',
  'cli-quiet': 'hookctl listen CLI --no-capture --quiet',
  'cli-lines': 'hookctl listen CLI --no-capture, the human view (a summary line a second at this rate)',
  'cli-every-line': 'hookctl listen CLI --no-capture --every-line, a line per delivery at any rate',
  'cli-json': 'hookctl listen CLI --no-capture --json, a record per delivery',
  'ui-off': 'hookctl listen CLI, stdout read by the bench (baseline for ui-on)',
  'ui-on': 'hookctl listen CLI --ui, the page open in chromium, streaming',
  'naive-fsync': 'naive: append + fsync per request (async)',
  'naive-fsync-sync': 'naive: appendFileSync + fsyncSync per request',
};

// ---------------------------------------------------------------- server side (child process)

async function serve(mode: Mode, dir: string): Promise<void> {
  if (mode === 'bare' || mode === 'naive-fsync' || mode === 'naive-fsync-sync') {
    const path = join(dir, 'naive.ndjson');
    const file = mode === 'naive-fsync' ? await open(path, 'a') : undefined;
    const fd = mode === 'naive-fsync-sync' ? openSync(path, 'a') : undefined;
    const answer = (res: import('node:http').ServerResponse) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 11 });
      res.end('{"ok":true}');
    };
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', async () => {
        served++;
        if (mode === 'bare') return answer(res);
        const line = `${JSON.stringify({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') })}\n`;
        if (file) {
          await file.write(line);
          await file.sync();
        } else {
          writeSync(fd!, line);
          fsyncSync(fd!);
        }
        answer(res);
      });
    });
    let served = 0;
    serveMeasured(server, () => served);
    return;
  }
  await serveListener({
    port: 0,
    secrets: [SECRET],
    ...(mode === 'verify' ? {} : { captureDir: dir }),
    durable: mode === 'durable',
  });
}

// ---------------------------------------------------------------- load side (parent)

/** CPU time of this script's child processes and theirs (chromium's), but `except`, µs. */
function descendantsCpuUs(except: number): number {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  let total = 0;
  const walk = (pid: number) => {
    for (const child of children.get(pid) ?? []) {
      if (child === except) continue;
      total += procCpuUs(child) ?? 0;
      walk(child);
    }
  };
  walk(process.pid);
  return total;
}

interface Row {
  mode: Mode;
  rps: number;
  /** Server CPU per delivery (user + system, all threads) during the measured run, µs. */
  cpuPerDelivery?: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  total: number;
  /** ui-on: what the page's counter said at the end. */
  shown?: string;
}

async function startCli(mode: CliMode, dir: string): Promise<{ child: ChildProcess; port: number; uiUrl?: string }> {
  const port = await freePort();
  const bin = fileURLToPath(new URL('../bin/hookctl.js', import.meta.url));
  const piped = PIPED.has(mode);
  const child = spawn(process.execPath, [bin, 'listen', '--port', String(port), '--secret', SECRET, '--capture', dir, ...CLI_ARGS[mode]], {
    stdio: ['ignore', piped ? 'pipe' : openSync('/dev/null', 'w'), 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let stdout = '';
  const uiUrl = !piped
    ? undefined
    : new Promise<string | undefined>((resolve) => {
        // Read to the end, so the listener never waits on this pipe; the first lines give the URL.
        child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
          if (stdout.length < 4096) stdout += chunk;
          if (stdout.includes('Ctrl-C') || /^inspector on (\S+)$/m.test(stdout)) resolve(/^inspector on (\S+)$/m.exec(stdout)?.[1]);
        });
        child.once('exit', () => resolve(undefined));
      });
  const deadline = Date.now() + 15_000;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (up) break;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the hookctl listen CLI did not start (run npm run build first)\n${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (mode !== 'ui-on') return { child, port };
  const url = await uiUrl;
  if (!url) throw new Error(`listen --ui printed no inspector URL\n${stdout}\n${stderr}`);
  return { child, port, uiUrl: url };
}

type Browser = import('playwright-core').Browser;
let browser: Promise<Browser> | undefined;

/** Debian's chromium, launched once for the ui-on rounds. */
function chromium(): Promise<Browser> {
  browser ??= import('playwright-core').then(({ chromium: launcher }) =>
    launcher.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] }),
  );
  return browser;
}

async function startChild(mode: Mode, dir: string): Promise<{ child: ChildProcess; port: number; uiUrl?: string }> {
  if (isCli(mode)) return startCli(mode, dir);
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = fork(fileURLToPath(import.meta.url), ['--serve', mode, dir], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [...process.execArgv, ...profile] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve(message.port));
    child.once('exit', (code) => reject(new Error(`${mode} server exited with ${code}`)));
  });
  return { child, port };
}

function load(port: number, seconds: number, connections: number, body: string, signature: string, repeated = false): Promise<AutocannonResult> {
  return loadWith(port, seconds, connections, body, {
    'content-type': 'application/json',
    'user-agent': 'GitHub-Hookshot/bench',
    'x-github-event': 'issues',
    'x-github-delivery': repeated ? '72d3162e-cc78-11e3-81ab-4c9367dc0958' : '[<id>]',
    'x-hub-signature-256': signature,
  }, repeated, RATE);
}

async function measure(mode: Mode, seconds: number, connections: number, body: string, signature: string): Promise<Row & { summary?: Record<string, unknown> }> {
  const dir = mkdtempSync(join(tmpdir(), `hookctl-bench-${mode}-`));
  try {
    const { child, port, uiUrl } = await startChild(mode, dir);
    const repeated = REPEATED.has(mode);
    // The inspector open from before the warm-up to the end: it streams every delivery it is shown.
    const page = uiUrl ? await (await (await chromium()).newContext({ viewport: { width: 1440, height: 900 } })).newPage() : undefined;
    if (page) {
      await page.goto(uiUrl!);
      await page.locator('.live-dot.on').waitFor();
    }
    const warmup = await load(port, 1, connections, body, signature, repeated);
    // CPU is counted from here: start-up and warm-up are not the servers' per-delivery cost.
    if (child.connected) await markChild(child);
    // The spawned CLI has no IPC: its CPU is read from /proc.
    const cpuBefore = child.connected ? undefined : procCpuUs(child.pid!);
    const browserBefore = page ? descendantsCpuUs(child.pid!) : 0;
    const started = performance.now();
    const result = await load(port, seconds, connections, body, signature, repeated);
    const cpuAfter = cpuBefore === undefined ? undefined : procCpuUs(child.pid!);
    // The browser's share of the machine meanwhile (chromium's processes), in cores.
    const browserCores = page ? (descendantsCpuUs(child.pid!) - browserBefore) / ((performance.now() - started) * 1000) : undefined;
    let shown: string | undefined;
    if (page) {
      // What the page says once the last change has reached it: it kept up, live.
      const expected = result.requests.total + warmup.requests.total;
      const deadline = Date.now() + 10_000;
      let count = 0;
      do {
        shown = (await page.getByTestId('counts').textContent()) ?? '';
        count = Number(shown.replace(/\D/g, ''));
        if (count >= expected) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      } while (Date.now() < deadline);
      shown = `${shown}, ${count >= expected ? 'all' : `${expected - count} missing`} of ${expected} answered; chromium used ${Math.round(browserCores! * 100)}% of a core`;
      await page.context().close();
    }
    const summary = (await stopChild(child)) ?? (cpuBefore !== undefined && cpuAfter !== undefined ? { cpuUs: cpuAfter - cpuBefore, requests: result.requests.total } : undefined);
    const row: Row & { summary?: Record<string, unknown> } = { mode, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors + result.timeouts, total: result.requests.total, ...(summary ? { summary } : {}), ...(shown !== undefined ? { shown } : {}) };
    const cpu = summary as { cpuUs?: number; requests?: number } | undefined;
    if (cpu?.cpuUs && cpu.requests) row.cpuPerDelivery = cpu.cpuUs / cpu.requests;
    return row;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 3);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
  const only = process.env.BENCH_ONLY?.split(',') as Mode[] | undefined;
  const modes = MODES.filter((mode) => !only || only.includes(mode));
  const body = body1k();
  const signature = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
  process.stderr.write(
    `bench:listen — autocannon, ${connections} connections, ${rounds} rounds x ${seconds}s per server (+1s warm-up each), 1 KiB GitHub-signed JSON, unique delivery ids; node ${process.version}, ${cpus().length} CPUs, load average ${loadAverage()}\n`,
  );
  // Started before the rounds, so its own start-up is not in the first ui-on round.
  if (modes.includes('ui-on')) await chromium();
  const results = new Map<Mode, Array<Row & { summary?: Record<string, unknown> }>>(modes.map((mode) => [mode, []]));
  for (let round = 0; round < rounds; round++) {
    // Rotate the order so no server always runs right after the same neighbour.
    const order = modes.map((_, i) => modes[(i + round) % modes.length]!);
    for (const mode of order) {
      const row = await measure(mode, seconds, connections, body, signature);
      results.get(mode)!.push(row);
      const s = row.summary as { received?: number; duplicates?: number; captured?: number; writes?: { journal: { batches: number; lines: number } } } | undefined;
      const extra = s && s.received !== undefined ? ` (listener: ${s.received} received, ${s.duplicates} duplicates, ${s.captured} captured${s.writes?.journal.batches ? `, ${s.writes.journal.lines} records in ${s.writes.journal.batches} write batches` : ''})` : '';
      const cpu = row.cpuPerDelivery ? `  ${row.cpuPerDelivery.toFixed(1)} µs CPU/delivery` : '';
      const page = row.shown !== undefined ? `  (the page: ${row.shown})` : '';
      process.stderr.write(`  round ${round + 1}  ${mode.padEnd(16)} ${Math.round(row.rps)} req/s  p50 ${row.p50} ms  p99 ${row.p99} ms${cpu}${extra}${page}\n`);
    }
  }
  const rows = modes.map((mode) => median(results.get(mode)!, (row) => row.rps));
  for (const row of rows) {
    // Errors in any round invalidate the server's figure, not just the median round's.
    const all = results.get(row.mode)!;
    row.non2xx = all.reduce((sum, r) => sum + r.non2xx, 0);
    row.errors = all.reduce((sum, r) => sum + r.errors, 0);
  }
  /** Ratios are taken within each round (the servers of one round ran minutes apart at most), then the median. */
  const ratio = (mode: Mode, base: Mode): number | undefined => {
    const a = results.get(mode);
    const b = results.get(base);
    if (!a || !b) return undefined;
    const perRound = a.map((row, i) => row.rps / b[i]!.rps);
    return median(perRound, (x) => x);
  };

  const cpuOf = (mode: Mode): number | undefined => {
    const values = (results.get(mode) ?? []).map((row) => row.cpuPerDelivery).filter((v): v is number => v !== undefined);
    return values.length > 0 ? median(values, (v) => v) : undefined;
  };
  const bareCpu = cpuOf('bare');
  const lines = [
    `median of ${rounds} rounds; "vs bare" is the median of the per-round ratios; CPU is the server's (all threads) per delivery:`,
    '',
    '| server | deliveries/s | p50 ms | p99 ms | vs bare | server CPU µs/delivery | bare CPU ÷ this | non-2xx/errors |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((row) => {
      const r = results.has('bare') ? ratio(row.mode, 'bare') : undefined;
      const cpu = cpuOf(row.mode);
      const cpuRatio = cpu && bareCpu ? `${(bareCpu / cpu).toFixed(2)}×` : '–';
      return `| ${DESCRIPTIONS[row.mode]} | ${Math.round(row.rps).toLocaleString('en-US')} | ${row.p50} | ${row.p99} | ${r === undefined ? '–' : `${r.toFixed(2)}×`} | ${cpu === undefined ? '–' : cpu.toFixed(1)} | ${cpuRatio} | ${row.non2xx + row.errors} |`;
    }),
  ];
  process.stdout.write(`${lines.join('\n')}\n\n`);

  const targets: Array<[string, number | undefined, number]> = [
    ['verify-only >= 0.8x bare', ratio('verify', 'bare'), 0.8],
    ['verify + journal >= 0.6x bare', ratio('journal', 'bare'), 0.6],
    ['--durable >= 3x naive fsync (async, overlapping fsyncs)', ratio('durable', 'naive-fsync'), 3],
    ['--durable >= 3x naive fsync (sync, one fsync at a time)', ratio('durable', 'naive-fsync-sync'), 3],
  ];
  /** Display cost as CPU: the quiet listener's CPU per delivery ÷ this one's (1.0 = free). */
  const cpuRatio = (mode: Mode, base: Mode): number | undefined => {
    const a = cpuOf(mode);
    const b = cpuOf(base);
    return a && b ? b / a : undefined;
  };
  targets.push(
    ['a line per delivery costs <= 5% vs --quiet (throughput)', ratio('cli-lines', 'cli-quiet'), 0.95],
    ['a line per delivery costs <= 5% vs --quiet (CPU per delivery)', cpuRatio('cli-lines', 'cli-quiet'), 0.95],
    ['--json record per delivery costs <= 5% vs --quiet (throughput)', ratio('cli-json', 'cli-quiet'), 0.95],
    ['--json record per delivery costs <= 5% vs --quiet (CPU per delivery)', cpuRatio('cli-json', 'cli-quiet'), 0.95],
    ['duplicates at least as fast as new events (journal)', ratio('journal-dup', 'journal'), 1],
    ['listen --ui with the page open keeps >= 0.9x of its throughput (vs the same without --ui)', ratio('ui-on', 'ui-off'), 0.9],
    ['listen --ui with the page open: the listener\'s CPU per delivery >= 0.9x as good', cpuRatio('ui-on', 'ui-off'), 0.9],
    ['duplicates at least as fast as new events (CLI: journal + lines)', ratio('cli-dup', 'cli'), 1],
  );
  // Issue 21: ceilings on CPU per delivery (this ÷ its baseline, lower is better).
  const ceilings: Array<[string, number | undefined, number]> = [
    ['journal CPU per delivery <= 1.55x verify without capture (listen --capture DIR --quiet vs --no-capture --quiet)', cpuRatio('verify', 'journal'), 1.55],
    ['capturing repeated deliveries: CPU per request <= 2.2x a bare node:http server', cpuRatio('bare', 'journal-dup'), 2.2],
  ];
  let failed = false;
  for (const [name, ratio, max] of ceilings) {
    if (ratio === undefined) continue;
    const ok = ratio <= max;
    failed ||= !ok;
    process.stdout.write(`${ok ? 'PASS' : 'MISS'}  ${name}: ${ratio.toFixed(2)}×\n`);
  }
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
  await (await browser)?.close();
}

if (process.argv[2] === '--serve') {
  await serve(process.argv[3] as Mode, process.argv[4]!);
} else {
  await main();
}
