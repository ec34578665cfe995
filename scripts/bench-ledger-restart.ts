// A listener restarting on a big idempotency ledger: how long until it listens, and how much memory
// the remembered ids take. Writes a ledger of N ids (default 1,000,000, ids and lines shaped like
// Stripe's and the listener's own), then starts `hookctl listen --capture DIR` on it and on an empty
// folder, interleaved, a few rounds each, and reports the median start-up time and the RSS once
// listening (VmRSS, and VmHWM, the peak during loading) and the CPU time it took, from /proc (Linux).
//   npm run bench:ledger-restart [-- --ids 1000000 --rounds 3]
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/hookctl.js', import.meta.url));

function flag(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  const value = index > 0 ? Number(process.argv[index + 1]) : fallback;
  return Number.isFinite(value) && value >= 0 ? value : fallback;
}

const IDS = flag('--ids', 1_000_000);
const ROUNDS = Math.max(1, flag('--rounds', 3));

function writeLedger(dir: string, count: number): number {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZabcdefghijkmnopqrstuvwxyz';
  const at = new Date().toISOString();
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    let id = 'evt_';
    for (let n = i, k = 0; k < 24; k++, n = Math.floor(n / alphabet.length) + k * 7919) id += alphabet[n % alphabet.length];
    lines.push(JSON.stringify({ eventId: `${id}${i}`, at, capture: `20261130T120000000Z-${String(i % 1_000_000).padStart(6, '0')}` }));
  }
  const path = join(dir, '.hookctl-ledger');
  writeFileSync(path, count > 0 ? `${lines.join('\n')}\n` : '');
  return statSync(path).size;
}

/** CPU time (user + system) the process has used, ms, from /proc/<pid>/stat (clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function status(pid: number, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

async function start(dir: string): Promise<{ ms: number; cpuMs: number; rssMb: number; peakMb: number; entries: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, 'listen', '--port', '0', '--json', '--quiet', '--capture', dir], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'close');
  const listening = await new Promise<Record<string, unknown>>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const record = JSON.parse(line) as Record<string, unknown>;
      if (record.type === 'listening') resolve(record);
    });
    void exited.then(() => reject(new Error(`the listener exited before listening: ${stderr}`)));
  });
  const ms = performance.now() - started;
  const cpu = cpuMs(child.pid!);
  const rssMb = status(child.pid!, 'VmRSS');
  const peakMb = status(child.pid!, 'VmHWM');
  child.kill('SIGINT');
  await exited;
  const entries = Number((listening.capture as { ledgerEntries?: number } | undefined)?.ledgerEntries ?? /(\d+) event ids/.exec(stderr)?.[1] ?? NaN);
  return { ms, cpuMs: cpu, rssMb, peakMb, entries };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const full = mkdtempSync(join(tmpdir(), 'hookctl-ledger-bench-'));
const empty = mkdtempSync(join(tmpdir(), 'hookctl-ledger-bench-empty-'));
try {
  const bytes = writeLedger(full, IDS);
  writeLedger(empty, 0);
  const runs = { full: [] as Awaited<ReturnType<typeof start>>[], empty: [] as Awaited<ReturnType<typeof start>>[] };
  for (let round = 0; round < ROUNDS; round++) {
    runs.empty.push(await start(empty));
    runs.full.push(await start(full));
  }
  const row = (name: string, list: typeof runs.full) =>
    `${name.padEnd(28)} ${median(list.map((r) => r.ms)).toFixed(0).padStart(7)} ms (CPU ${median(list.map((r) => r.cpuMs)).toFixed(0).padStart(5)} ms)   RSS ${median(list.map((r) => r.rssMb)).toFixed(0).padStart(4)} MB   peak ${median(list.map((r) => r.peakMb)).toFixed(0).padStart(4)} MB`;
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`ledger: ${IDS.toLocaleString('en-US')} ids, ${(bytes / 1024 / 1024).toFixed(1)} MiB; median of ${ROUNDS} rounds; node ${process.version}; load ${load}`);
  console.log(row('empty capture folder', runs.empty));
  console.log(row(`${IDS.toLocaleString('en-US')} remembered ids`, runs.full));
  const extraMb = median(runs.full.map((r) => r.rssMb)) - median(runs.empty.map((r) => r.rssMb));
  if (IDS > 0) console.log(`memory per remembered id: ${((extraMb * 1024 * 1024) / IDS).toFixed(0)} B (RSS once listening, over the empty folder's)`);
} finally {
  rmSync(full, { recursive: true, force: true });
  rmSync(empty, { recursive: true, force: true });
}
