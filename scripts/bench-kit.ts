/**
 * What the benchmark scripts share: the 1 KiB body, the load generator (autocannon), CPU time of a
 * server process, the child-process protocol for measuring a server alone in its process (mark,
 * then stop with a summary), medians. Used by bench-listen.ts and bench-queue.ts.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';

/** 1 KiB of JSON, the shape of a small provider event. */
export function body1k(): string {
  const base = { action: 'opened', repository: { id: 1296269, full_name: 'octocat/Hello-World' }, sender: { login: 'octocat', id: 1 }, padding: '' };
  const size = Buffer.byteLength(JSON.stringify(base));
  base.padding = 'x'.repeat(1024 - size);
  const text = JSON.stringify(base);
  if (Buffer.byteLength(text) !== 1024) throw new Error('body is not 1 KiB');
  return text;
}

/** CPU time of this process so far (all threads, user + system), µs. */
export function cpuUs(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

const CLOCK_TICKS = 100;

/** CPU time (user + system) of a process so far, µs, from /proc (clock ticks: 10 ms resolution). */
export function procCpuUs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the whole line; 12 and 13 after the command name.
    return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** A free port: bound and released (for servers that cannot report the port they got). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

// autocannon ships no type declarations; this is the part used here.
const autocannon = createRequire(import.meta.url)('autocannon') as (options: Record<string, unknown>) => Promise<AutocannonResult>;

/**
 * POSTs `body` with `headers` for `seconds` over `connections` connections. `[<id>]` in a header
 * value becomes a fresh id per request unless `repeated` (then every request is the same delivery).
 * With `rate`, at most that many requests per second in all (a fixed offered load), else as fast as
 * the server answers.
 */
export function load(port: number, seconds: number, connections: number, body: string, headers: Record<string, string>, repeated = false, rate?: number): Promise<AutocannonResult> {
  return autocannon({ url: `http://127.0.0.1:${port}/`, method: 'POST', connections, pipelining: 1, duration: seconds, idReplacement: !repeated, headers, body, ...(rate ? { overallRate: rate } : {}) });
}

export function median<T>(items: T[], by: (item: T) => number): T {
  const sorted = [...items].sort((a, b) => by(a) - by(b));
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

export function loadAverage(): string {
  return loadavg().map((n) => n.toFixed(1)).join(' ');
}

// ---------------------------------------------------------------- a server alone in a child process

/**
 * The child's side: `requests()` counts what it served. On 'mark' the CPU and request counters
 * restart (start-up and warm-up are not the per-delivery cost); on 'stop' it reports
 * {cpuUs, systemUs (the kernel's part of cpuUs), requests, ...extra()} and exits.
 *
 * `settled()`, for a server with work left after its answer (forwards from a queue), resolves once
 * that work is done: before the mark (the warm-up's backlog is not counted) and before the CPU is
 * read at the stop (each delivery counted is paid for whole, its forward too); `drainMs` says how
 * long the backlog took after the load stopped.
 */
export function answerMarks(requests: () => number, extra: () => Promise<Record<string, unknown>> = async () => ({}), settled?: () => Promise<void>): void {
  const report = (message: Record<string, unknown>) => process.send!(message);
  let mark = { cpu: 0, system: 0, requests: 0 };
  const profiler = process.env.BENCH_PROFILE_DIR ? windowProfiler(process.env.BENCH_PROFILE_DIR) : undefined;
  process.on('message', async (message) => {
    if (message === 'mark') {
      await settled?.();
      await profiler?.start();
      mark = { cpu: cpuUs(), system: process.cpuUsage().system, requests: requests() };
      report({ marked: true });
      return;
    }
    const stopAt = performance.now();
    await settled?.();
    const drainMs = performance.now() - stopAt;
    const cpu = cpuUs() - mark.cpu;
    const systemUs = process.cpuUsage().system - mark.system;
    const served = requests() - mark.requests;
    await profiler?.stop(served);
    report({ summary: { ...(await extra()), cpuUs: cpu, systemUs, requests: served, ...(settled ? { drainMs } : {}) } });
    process.exit(0);
  });
}

/** Resolves once `done()` is true, looking every few milliseconds (a cheap check, so it costs next to nothing). */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 2));
}

/**
 * BENCH_PROFILE_DIR: a V8 CPU profile of the measured window only (from 'mark' to 'stop', not
 * start-up or warm-up), written as <name>-<pid>.cpuprofile; summarise with scripts/prof-top.cjs.
 * The profiler costs CPU itself: read the shares, not the µs per delivery, of a profiled run.
 */
function windowProfiler(dir: string): { start(): Promise<void>; stop(served: number): Promise<void> } {
  let session: import('node:inspector').Session | undefined;
  const post = <T>(method: string): Promise<T> => new Promise((resolve, reject) => session!.post(method, (error, result) => (error ? reject(error) : resolve(result as T))));
  return {
    async start() {
      const { Session } = await import('node:inspector');
      session = new Session();
      session.connect();
      await post('Profiler.enable');
      await post('Profiler.start');
    },
    async stop(served) {
      if (!session) return;
      const { profile } = await post<{ profile: unknown }>('Profiler.stop');
      session.disconnect();
      const { writeFileSync, mkdirSync } = await import('node:fs');
      mkdirSync(dir, { recursive: true });
      const name = `${process.env.BENCH_PROFILE_NAME ?? 'server'}-${process.pid}`;
      writeFileSync(`${dir}/${name}.cpuprofile`, JSON.stringify(profile));
      writeFileSync(`${dir}/${name}.served`, String(served));
    },
  };
}

/** In a child: listens on a free port, reports it, and answers the mark/stop protocol with `served()`. */
export function serveMeasured(server: import('node:http').Server, served: () => number): void {
  server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port }));
  answerMarks(served);
}

/**
 * In a child: the listener as it ships (the compiled dist/, not the TypeScript through tsx, whose
 * transform adds helpers to every function), its port reported, the mark/stop protocol answered.
 */
export async function serveListener(options: import('../src/listen/types.js').ListenOptions): Promise<void> {
  const { startListener } = (await import(new URL('../dist/listen/server.js', import.meta.url).href)) as typeof import('../src/listen/server.js');
  const handle = await startListener(options);
  process.send!({ port: handle.port });
  const { stats } = handle;
  // Every delivery here is new and routed: forwarded (or failed) once each.
  const forwardsDone = options.forward?.ackFirst ? () => until(() => stats.forwarded + stats.forwardFailed + stats.forwardsKept >= stats.received) : undefined;
  answerMarks(
    () => stats.received,
    async () => {
      const writes = handle.writes();
      return { ...(await handle.close()), writes };
    },
    forwardsDone,
  );
}

/** The parent's side: restart the child's counters. */
export async function markChild(child: ChildProcess): Promise<void> {
  const marked = new Promise<void>((resolve) => child.once('message', () => resolve()));
  child.send('mark');
  await marked;
}

/** Stops a child: a forked server reports its summary; a spawned one (no IPC) gets SIGINT. */
export async function stopChild(child: ChildProcess): Promise<Record<string, unknown> | undefined> {
  if (!child.connected) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
    return undefined;
  }
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
