// Start-up time of the CLI: `node bin/hookctl.js --version` (and a `sign`) against `node -e 0`,
// interleaved so both see the same machine noise. Target (issue #2): hookctl's median within
// 1.5x node's median + 40 ms.
//   npm run bench:startup [-- --runs 40]
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/hookctl.js', import.meta.url));
const runsFlag = process.argv.indexOf('--runs');
const RUNS = Math.min(500, Math.max(5, Number(runsFlag > 0 ? process.argv[runsFlag + 1] : 30) || 30));
const WARMUP = 3;

const CASES: Array<{ name: string; args: string[] }> = [
  { name: 'node -e 0', args: ['-e', '0'] },
  { name: 'hookctl --version', args: [BIN, '--version'] },
  { name: 'hookctl sign (github)', args: [BIN, 'sign', '--scheme', 'github', '--secret', 'bench-secret', '--data', '{"a":1}'] },
];

/**
 * CPU time (user + system) of the waited-for children so far, in ms, from /proc (Linux): wall time
 * on a busy machine counts other processes' turns; CPU time does not. Clock-tick resolution
 * (10 ms), so it is only reported as a mean over all runs.
 */
const TICK_MS = 10;
function childrenCpuMs(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command name: field 16 cutime and 17 cstime of proc(5) are indexes 13 and 14 here.
    return (Number(fields[13]) + Number(fields[14])) * TICK_MS;
  } catch {
    return undefined;
  }
}

function once(args: string[]): { ms: number; cpuMs: number | undefined } {
  const cpuBefore = childrenCpuMs();
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  const cpuAfter = childrenCpuMs();
  return { ms, cpuMs: cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore };
}

function quantile(sorted: number[], q: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index]!;
}

const samples = CASES.map(() => [] as number[]);
const cpu = CASES.map(() => 0 as number | undefined);
for (let i = 0; i < WARMUP; i++) for (const c of CASES) once(c.args);
for (let i = 0; i < RUNS; i++) {
  CASES.forEach((c, index) => {
    const run = once(c.args);
    samples[index]!.push(run.ms);
    cpu[index] = cpu[index] === undefined || run.cpuMs === undefined ? undefined : cpu[index]! + run.cpuMs;
  });
}

const stats = samples.map((list, index) => {
  const sorted = [...list].sort((a, b) => a - b);
  const total = cpu[index];
  return { median: quantile(sorted, 0.5), p90: quantile(sorted, 0.9), min: sorted[0]!, cpuMean: total === undefined ? undefined : total / RUNS };
});
const base = stats[0]!;
const budget = 1.5 * base.median + 40;

const rows = [['command', 'median ms', 'p90 ms', 'min ms', 'vs node (median)', 'CPU ms (mean)']];
CASES.forEach((c, index) => {
  const s = stats[index]!;
  rows.push([
    c.name,
    s.median.toFixed(1),
    s.p90.toFixed(1),
    s.min.toFixed(1),
    index === 0 ? '1.00x' : `${(s.median / base.median).toFixed(2)}x (+${(s.median - base.median).toFixed(1)} ms)`,
    s.cpuMean === undefined ? 'n/a' : s.cpuMean.toFixed(1),
  ]);
});
const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
console.log(`start-up, ${RUNS} interleaved runs each after ${WARMUP} warm-ups, Node ${process.version}, ${process.platform}/${process.arch}`);
for (const row of rows) console.log(row.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!))).join('  '));
const version = stats[1]!;
console.log(`\ntarget: hookctl --version median <= 1.5 x node median + 40 ms = ${budget.toFixed(1)} ms -> ${version.median <= budget ? 'MET' : 'MISSED'} (${version.median.toFixed(1)} ms)`);
if (version.cpuMean !== undefined && base.cpuMean !== undefined) {
  const cpuBudget = 1.5 * base.cpuMean + 40;
  console.log(`same rule on CPU time (robust to a busy machine): ${version.cpuMean.toFixed(1)} ms vs ${cpuBudget.toFixed(1)} ms -> ${version.cpuMean <= cpuBudget ? 'MET' : 'MISSED'}`);
}
const load = (() => {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return undefined;
  }
})();
if (load) console.log(`load average during the run: ${load} (wall times inflate when it exceeds the core count)`);
