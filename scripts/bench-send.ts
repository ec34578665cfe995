/**
 * `npm run bench:send`: how close `hookctl send --count` gets to the best a load generator can do
 * against the same receiver, in one run on one machine.
 *
 *   1. a bare node:http server in its own process (reads the body, answers 200 "ok");
 *   2. autocannon against it: POST, the same body, 50 connections, for --duration seconds;
 *   3. `hookctl send --count N --concurrency 50` (the real CLI, signing every request) against it;
 *   4. the ratio of (3) to (2); target >= 0.6. Steps 2-3 alternate for --rounds rounds and the
 *      median ratio is reported, so a noisy neighbour on a shared machine hits both sides alike;
 *      each side's CPU time per request is reported too (it does not depend on the neighbours);
 *   5. one-shot `hookctl send` wall time (median of --runs), next to `node -e 0` and a bare
 *      undici script doing the same one POST.
 *
 * Loopback only, bounded in count and time. Flags: --duration S (5), --connections C (50),
 * --count N (default: enough for ~4s at autocannon's rate, 20k..300k), --rounds K (3),
 * --runs R (11), --json.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

interface AutocannonResult {
  duration: number;
  requests: { total: number; average: number };
  latency: { p50: number; p99: number };
}
// autocannon ships no types; this is the part used here.
const autocannon = createRequire(import.meta.url)('autocannon') as (options: {
  url: string;
  connections: number;
  duration: number;
  method: string;
  body: string;
  headers?: Record<string, string>;
}) => Promise<AutocannonResult>;

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = `${ROOT}bin/hookctl.js`;
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

function flag(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  if (index === -1) return fallback;
  const value = Number(process.argv[index + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name}: expected a positive number`);
  return value;
}

const durationS = Math.min(flag('duration', 5), 30);
const connections = Math.min(flag('connections', 50), 1000);
const runs = Math.min(flag('runs', 11), 51);
const rounds = Math.min(flag('rounds', 3), 9);
const asJson = process.argv.includes('--json');

const SERVER = `
const { createServer } = require('node:http');
const server = createServer((req, res) => { req.on('data', () => {}); req.on('end', () => res.end('ok')); });
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
`;

async function startServer(): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout.setEncoding('utf8').once('data', (chunk: string) => resolve(chunk.trim()));
    child.once('exit', () => reject(new Error('the bench server exited')));
  });
  return { url: `http://127.0.0.1:${port}/webhooks`, stop: () => child.kill('SIGKILL') };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function timeRuns(args: string[], count: number): number[] {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    // One retry: a failed run is not a timing (in a shared tree, a concurrent build can break one).
    for (let tries = 1; ; tries++) {
      const started = performance.now();
      const result = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' }, timeout: 20_000 });
      if (result.status === 0) {
        times.push(performance.now() - started);
        break;
      }
      if (tries === 2) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
    }
  }
  return times;
}

/** The standard sample's body, so autocannon and hookctl put the same bytes on the wire. */
function sampleBody(): string {
  const record = JSON.parse(readFileSync(`${ROOT}fixtures/standard/invoice.paid.json`, 'utf8')) as { body: string };
  return record.body;
}

async function runAutocannon(url: string, body: string): Promise<{ rps: number; total: number; p50: number; p99: number; cpuUsPerRequest: number }> {
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'hookctl (Standard Webhooks)',
    'webhook-id': 'msg_2mB3Xy1KwV9aZ0pQ7rT4uN6sL8d',
    'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
    'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
  };
  const cpuAtStart = process.cpuUsage();
  const result = await autocannon({ url, connections, duration: durationS, method: 'POST', body, headers });
  const cpu = process.cpuUsage(cpuAtStart);
  return {
    rps: Math.round(result.requests.total / result.duration),
    total: result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuUsPerRequest: Math.round((cpu.user + cpu.system) / result.requests.total),
  };
}

interface SendSummary {
  sent: number;
  delivered: number;
  failed: number;
  rps: number;
  deliveredPerSecond: number;
  durationMs: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
}

function runSend(url: string, count: number, json: boolean): Promise<{ summary: SendSummary; wallMs: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    // Always --json so the summary can be read; with json=false only the summary line is kept (the
    // per-event records are still written and read, which is the cost a script piping to jq pays).
    const args = [BIN, 'send', url, '--secret', SECRET, '--count', String(count), '--concurrency', String(connections), '--no-retry', '--json'];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let tail = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      tail = (tail + chunk).slice(-4096);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const killer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (code) => {
      clearTimeout(killer);
      const wallMs = performance.now() - started;
      const last = tail.trim().split('\n').at(-1) ?? '';
      try {
        const summary = JSON.parse(last) as SendSummary & { type: string };
        if (summary.type !== 'summary') throw new Error('no summary');
        if (code !== 0) throw new Error(`exit ${code}`);
        resolve({ summary, wallMs });
      } catch (error) {
        reject(new Error(`hookctl send failed (${(error as Error).message}): ${stderr.trim()}`));
      }
    });
    void json;
  });
}

function runSendHuman(url: string, count: number): Promise<{ deliveredPerSecond: number; cpuUsPerRequest: number; wallMs: number; text: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const args = [BIN, 'send', url, '--secret', SECRET, '--count', String(count), '--concurrency', String(connections), '--no-retry'];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const killer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (code) => {
      clearTimeout(killer);
      const match = /(\d+) delivered\/s/.exec(out);
      const cpu = /(\d+)µs per request/.exec(out);
      if (code !== 0 || !match) return reject(new Error(`hookctl send exited ${code}: ${stderr.trim() || out.trim()}`));
      resolve({ deliveredPerSecond: Number(match[1]), cpuUsPerRequest: Number(cpu?.[1] ?? NaN), wallMs: performance.now() - started, text: out.trim() });
    });
  });
}

async function main(): Promise<void> {
  const server = await startServer();
  const log = (text: string) => {
    if (!asJson) console.log(text);
  };
  try {
    const body = sampleBody();
    log(`bench:send — node ${process.version}, ${(await import('node:os')).cpus().length} CPUs, receiver: bare node:http in its own process, body ${Buffer.byteLength(body)} bytes`);

    // Warm both sides up (JIT, connections) before counting.
    await autocannon({ url: server.url, connections, duration: 1, method: 'POST', body });
    let count = flag('count', 0);
    const results: Array<{ cannon: Awaited<ReturnType<typeof runAutocannon>>; send: Awaited<ReturnType<typeof runSendHuman>>; ratio: number }> = [];
    for (let round = 1; round <= rounds; round++) {
      const cannon = await runAutocannon(server.url, body);
      if (count === 0) {
        count = Math.max(20_000, Math.min(300_000, Math.round(cannon.rps * 4)));
        await runSendHuman(server.url, Math.min(count, 20_000)); // warm-up of the receiver for this client
      }
      const send = await runSendHuman(server.url, count);
      const ratio = send.deliveredPerSecond / cannon.rps;
      results.push({ cannon, send, ratio });
      log(
        `round ${round}: autocannon ${cannon.rps} req/s (${cannon.cpuUsPerRequest}µs CPU/req, p50 ${cannon.p50}ms, p99 ${cannon.p99}ms) · ` +
          `hookctl send --count ${count} ${send.deliveredPerSecond} deliveries/s (${send.cpuUsPerRequest}µs CPU/req, wall ${Math.round(send.wallMs)}ms incl. start-up) · ratio ${ratio.toFixed(2)}`,
      );
    }
    const middle = [...results].sort((a, b) => a.ratio - b.ratio)[Math.floor(results.length / 2)]!;
    log('last hookctl summary:');
    for (const line of results.at(-1)!.send.text.split('\n')) log(`    ${line.trim()}`);
    const withJson = await runSend(server.url, count, true);
    log(`hookctl send ... --json (NDJSON per attempt and per event, read by this script): ${withJson.summary.deliveredPerSecond} deliveries/s`);
    const ratio = middle.ratio;
    log(`median ratio over ${rounds} rounds: ${ratio.toFixed(2)}x autocannon (target >= 0.6x)${ratio >= 0.6 ? '' : '  <-- below target'}; CPU per request: hookctl ${middle.send.cpuUsPerRequest}µs vs autocannon ${middle.cannon.cpuUsPerRequest}µs`);
    const cannon = middle.cannon;
    const human = middle.send;

    // One-shot: what a developer waits for after pressing Enter.
    const nodeOnly = timeRuns(['-e', '0'], runs);
    const bareUndici = timeRuns(['--input-type=module', '-e', `const { request } = await import('undici'); const r = await request(${JSON.stringify(server.url)}, { method: 'POST', body: '{}' }); await r.body.dump();`], runs);
    const oneShot = timeRuns([BIN, 'send', server.url, '--secret', SECRET, '--no-retry'], runs);
    const oneShotStripe = timeRuns([BIN, 'send', server.url, '--scheme', 'stripe', '--secret', 'whsec_bench', '--no-retry'], runs);
    log(`one-shot (median of ${runs}): node -e 0 ${Math.round(median(nodeOnly))}ms · bare undici POST ${Math.round(median(bareUndici))}ms · hookctl send ${Math.round(median(oneShot))}ms · hookctl send --scheme stripe ${Math.round(median(oneShotStripe))}ms`);

    if (asJson) {
      console.log(
        JSON.stringify({
          type: 'bench',
          name: 'send',
          node: process.version,
          connections,
          autocannon: cannon,
          send: { count, deliveredPerSecond: human.deliveredPerSecond, deliveredPerSecondWithJson: withJson.summary.deliveredPerSecond, latencyMs: withJson.summary.latencyMs },
          ratio: Math.round(ratio * 100) / 100,
          rounds: results.map((entry) => ({ autocannonRps: entry.cannon.rps, sendRps: entry.send.deliveredPerSecond, ratio: Math.round(entry.ratio * 100) / 100, cpuUsPerRequest: { autocannon: entry.cannon.cpuUsPerRequest, hookctl: entry.send.cpuUsPerRequest } })),
          oneShotMs: { nodeOnly: median(nodeOnly), bareUndici: median(bareUndici), hookctlSend: median(oneShot), hookctlSendStripe: median(oneShotStripe) },
        }),
      );
    }
  } finally {
    server.stop();
  }
}

await main();
