/**
 * `npm run soak`: a bounded soak of a spawned `hookctl listen` (the real CLI, loopback only).
 *
 * Main run (SOAK_SECONDS, default 120): WORKERS keep-alive connections post signed GitHub-style
 * deliveries as fast as the listener takes them, a mix of fresh events, duplicates of events
 * already acknowledged, and forged signatures. In the last fifth only duplicates and forgeries are
 * sent (no new ids), so memory that grows per request, rather than per remembered id, shows up as
 * a slope there. Every second the listener's RSS (/proc/<pid>/status VmRSS) and open file
 * descriptors (/proc/<pid>/fd) are sampled. At the end, after Ctrl-C, the captures are checked:
 *
 *   - every accepted id is captured exactly once as new (and its duplicates flagged as such),
 *   - every forged delivery was answered 401 and never claimed an id,
 *   - RSS is flat once warm: the growth per new id is the idempotency ledger's (bounded bytes/id);
 *     the leak check (SOAK_LEAK_SECONDS, default 30, longer until 150,000 requests) runs a fresh
 *     listener with a capped V8 heap through duplicates and forgeries only: it must survive with
 *     RSS level,
 *   - no file-descriptor growth.
 *
 * Then the hostile mix (SOAK_HOSTILE_SECONDS, default 10 s; 0 skips it): valid traffic (fresh
 * deliveries and duplicates) alone, and beside HOSTILE_WORKERS (default 4) connections sending forged
 * Twilio forms of up to --max-body, valid deliveries under 15,000-character ids, and one old valid
 * delivery under the ids the valid traffic is about to use (poisoned ids), paced at
 * SOAK_HOSTILE_RATE requests a second (default 60: 20 of each), in SOAK_COMPARE_ROUNDS
 * interleaved rounds on fresh listeners: the valid deliveries' p50/p99 each way, and no valid
 * delivery answered as a duplicate of a poisoned id.
 *
 * Then a throughput comparison (SOAK_COMPARE_ROUNDS interleaved rounds, default 3, of
 * SOAK_COMPARE_SECONDS each, default 6; 0 skips it; the median round is reported): fresh events
 * only, against listen with no capture, the journal, the journal --durable, --capture-files, and
 * --capture-files --durable: what durability costs.
 *
 * Flags override the environment: --seconds N, --leak-seconds N, --hostile-seconds N,
 * --hostile-workers N, --hostile-rate N (SOAK_HOSTILE_RATE, default 60 a second; 0: unpaced),
 * --hostile-kinds "form,long,poison", --compare-seconds N, --rounds N, --workers N, --modes
 * "journal,--capture-files" (SOAK_MODES), --only-hostile, --no-hostile, --only-compare,
 * --no-compare. Exit 1 when a check fails. Default total: about 5 minutes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { cpSync, createReadStream, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * The build as it is now, copied aside (bin/, dist/, package.json, node_modules linked): a soak
 * takes minutes, and a rebuild of dist/ meanwhile must not change what is measured half-way.
 */
function snapshotBuild(): { bin: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hookctl-soak-build-'));
  cpSync(join(ROOT, 'bin'), join(dir, 'bin'), { recursive: true });
  cpSync(join(ROOT, 'dist'), join(dir, 'dist'), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return { bin: join(dir, 'bin', 'hookctl.js'), dir };
}

const BUILD = snapshotBuild();
process.on('exit', () => rmSync(BUILD.dir, { recursive: true, force: true }));
const BIN = BUILD.bin;
const SECRET = 'soak-secret-5e1f';

// ---------------------------------------------------------------- settings

function flag(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}
function numberSetting(flagName: string, envName: string, fallback: number): number {
  const text = flag(flagName) ?? process.env[envName];
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) {
    console.error(`soak: --${flagName} / ${envName}: expected a number of seconds (or a count), got "${text}"`);
    process.exit(2);
  }
  return value;
}

const SECONDS = numberSetting('seconds', 'SOAK_SECONDS', 120);
const COMPARE_SECONDS = process.argv.includes('--no-compare') ? 0 : numberSetting('compare-seconds', 'SOAK_COMPARE_SECONDS', 6);
const COMPARE_ROUNDS = Math.max(1, Math.round(numberSetting('rounds', 'SOAK_COMPARE_ROUNDS', 3)));
const WORKERS = Math.max(1, Math.round(numberSetting('workers', 'SOAK_WORKERS', 32)));
const ONLY_COMPARE = process.argv.includes('--only-compare');
const LEAK_SECONDS = numberSetting('leak-seconds', 'SOAK_LEAK_SECONDS', 30);
const ONLY_HOSTILE = process.argv.includes('--only-hostile');
const HOSTILE_SECONDS = process.argv.includes('--no-hostile') ? 0 : numberSetting('hostile-seconds', 'SOAK_HOSTILE_SECONDS', 10);
const HOSTILE_WORKERS = Math.max(1, Math.round(numberSetting('hostile-workers', 'SOAK_HOSTILE_WORKERS', 4)));
/** Hostile requests a second at most, all kinds together (0: as fast as the listener answers them). */
const HOSTILE_RATE = numberSetting('hostile-rate', 'SOAK_HOSTILE_RATE', 60);
const DUPLICATE_SHARE = 0.1;
const FORGED_SHARE = 0.1;

// ---------------------------------------------------------------- the listener

interface Listener {
  child: ChildProcess;
  url: URL;
  pid: number;
  exited: Promise<number | null>;
  stdout: string[];
  stderr: string[];
}

async function startListener(args: string[], nodeOptions = ''): Promise<Listener> {
  const child = spawn(process.execPath, [BIN, 'listen', '--port', '0', '--host', '127.0.0.1', '--json', '--quiet', '--secret', SECRET, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', NODE_OPTIONS: nodeOptions },
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => stderr.push(line));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const url = await new Promise<URL>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      stdout.push(line);
      try {
        const record = JSON.parse(line) as { type: string; url: string };
        if (record.type === 'listening') resolve(new URL(record.url));
      } catch {
        // not a record
      }
    });
    void exited.then((code) => reject(new Error(`listen exited (${code}) before listening:\n${stderr.join('\n')}`)));
  });
  return { child, url, pid: child.pid!, exited, stdout, stderr };
}

async function stopListener(listener: Listener): Promise<{ code: number | null; summary: Record<string, unknown> | undefined }> {
  listener.child.kill('SIGINT');
  const code = await listener.exited;
  const summary = listener.stdout.map((line) => JSON.parse(line) as Record<string, unknown>).find((record) => record.type === 'summary');
  return { code, summary };
}

/** CPU seconds (user + system) a process has used, from /proc (Linux; USER_HZ is 100). */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** RSS in bytes and open descriptors of a process, from /proc (Linux). */
function sample(pid: number): { rss: number; fds: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
    return { rss: kb * 1024, fds: readdirSync(`/proc/${pid}/fd`).length };
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------- load

interface Sent {
  body: string;
  headers: Record<string, string>;
}

function delivery(id: string, forged = false): Sent {
  const body = JSON.stringify({ action: 'opened', issue: { number: 1347, title: 'Found a bug' }, repository: { full_name: 'octocat/Hello-World' }, id });
  const signature = createHmac('sha256', forged ? 'not-the-secret' : SECRET).update(body).digest('hex');
  return {
    body,
    headers: { 'content-type': 'application/json', 'x-github-event': 'issues', 'x-github-delivery': id, 'x-hub-signature-256': `sha256=${signature}` },
  };
}

interface LoadStats {
  requests: number;
  /** Answered 200 as new: processed and captured once. */
  accepted: Set<string>;
  /** Sent again after being accepted; each should be 200 duplicate:true. */
  duplicatesSent: number;
  duplicatesConfirmed: number;
  forgedSent: Set<string>;
  forgedRejected: number;
  unexpected: Map<string, number>;
  latenciesMs: number[];
}

function newStats(): LoadStats {
  return { requests: 0, accepted: new Set(), duplicatesSent: 0, duplicatesConfirmed: 0, forgedSent: new Set(), forgedRejected: 0, unexpected: new Map(), latenciesMs: [] };
}

type Mix = 'soak' | 'soak-valid' | 'no-new-ids' | 'fresh-only';

const randomIds = () => `soak-${randomUUID()}`;

/**
 * Runs `workers` loops until `until()` is false; `mix()` says what each request is, `freshId()`
 * names each new event (the hostile mix makes them predictable, as a provider's are not, to aim
 * its poisoned ids at them).
 */
async function load(pool: Pool, path: string, stats: LoadStats, workers: number, until: () => boolean, mix: () => Mix, freshId: () => string = randomIds): Promise<void> {
  const acceptedList: string[] = [];
  const note = (what: string) => stats.unexpected.set(what, (stats.unexpected.get(what) ?? 0) + 1);
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (until()) {
        const mode = mix();
        const roll = Math.random();
        let kind: 'new' | 'duplicate' | 'forged';
        if (mode === 'fresh-only') kind = 'new';
        else if (mode === 'no-new-ids') kind = roll < 0.5 || acceptedList.length === 0 ? 'forged' : 'duplicate';
        else if (mode === 'soak-valid') kind = roll < DUPLICATE_SHARE && acceptedList.length > 0 ? 'duplicate' : 'new';
        else kind = roll < FORGED_SHARE ? 'forged' : roll < FORGED_SHARE + DUPLICATE_SHARE && acceptedList.length > 0 ? 'duplicate' : 'new';
        const id = kind === 'duplicate' ? acceptedList[Math.floor(Math.random() * acceptedList.length)]! : freshId();
        const sent = delivery(id, kind === 'forged');
        if (kind === 'forged') stats.forgedSent.add(id);
        if (kind === 'duplicate') stats.duplicatesSent++;
        const started = performance.now();
        let status: number;
        let text: string;
        try {
          const response = await pool.request({ path, method: 'POST', headers: sent.headers, body: sent.body });
          status = response.statusCode;
          text = await response.body.text();
        } catch (error) {
          note(`network: ${(error as { code?: string }).code ?? (error as Error).message}`);
          continue;
        }
        stats.requests++;
        if (stats.latenciesMs.length < 2_000_000) stats.latenciesMs.push(performance.now() - started);
        if (kind === 'forged') {
          if (status === 401) stats.forgedRejected++;
          else note(`forged answered ${status}`);
          continue;
        }
        if (status !== 200) {
          note(`${kind} answered ${status}`);
          continue;
        }
        const duplicate = text.includes('"duplicate":true');
        if (kind === 'duplicate') {
          if (duplicate) stats.duplicatesConfirmed++;
          else note('duplicate answered as new');
        } else if (duplicate) {
          note('fresh id answered as duplicate');
        } else {
          stats.accepted.add(id);
          acceptedList.push(id);
        }
      }
    }),
  );
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

// ---------------------------------------------------------------- checks and output

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/** A plain-text table; numbers are right-aligned, text left-aligned. */
function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const numeric = rows[0]!.map((_, column) => rows.slice(1).every((row) => /^-?[\d.]+%?$/.test(row[column]!)));
  return rows.map((row, index) => {
    const line = row.map((cell, column) => (numeric[column] ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('  ').trimEnd();
    return index === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line;
  }).join('\n');
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** Least-squares slope of y over x. */
function slope(points: Array<[number, number]>): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const num = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const den = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

async function soak(): Promise<Check[]> {
  const dir = mkdtempSync(join(tmpdir(), 'hookctl-soak-'));
  try {
    const listener = await startListener(['--capture', dir]);
    const pool = new Pool(listener.url.origin, { connections: WORKERS, pipelining: 1 });
    const stats = newStats();
    const started = performance.now();
    const durationMs = SECONDS * 1000;
    const warmupMs = Math.min(15_000, durationMs * 0.15);
    const quietFromMs = durationMs * 0.8;
    const samples: Array<{ t: number; rss: number; fds: number; accepted: number; requests: number }> = [];
    const sampler = setInterval(() => {
      const s = sample(listener.pid);
      if (s) samples.push({ t: performance.now() - started, ...s, accepted: stats.accepted.size, requests: stats.requests });
    }, 1000);
    const progress = setInterval(() => {
      const t = (performance.now() - started) / 1000;
      const last = samples.at(-1);
      process.stderr.write(`\r  ${t.toFixed(0)}s/${SECONDS}s  ${stats.requests} requests  ${stats.accepted.size} accepted  rss ${last ? mb(last.rss) : '?'}  fds ${last?.fds ?? '?'}   `);
    }, 2000);
    console.error(`soak: ${SECONDS}s against ${listener.url.href} (pid ${listener.pid}), ${WORKERS} connections, journal capture in ${dir}`);
    await load(pool, listener.url.pathname, stats, WORKERS, () => performance.now() - started < durationMs, () => (performance.now() - started >= quietFromMs ? 'no-new-ids' : 'soak'));
    clearInterval(sampler);
    clearInterval(progress);
    process.stderr.write('\n');
    const elapsedS = (performance.now() - started) / 1000;
    await pool.close();
    const { code, summary } = await stopListener(listener);

    // The captures: journal records by event id, streamed (a two-minute journal is gigabytes).
    const newCaptures = new Map<string, number>();
    const duplicateCaptures = new Map<string, number>();
    const verifiedFalse = new Set<string>();
    let broken = 0;
    let lineCount = 0;
    const lines = createInterface({ input: createReadStream(join(dir, 'deliveries.ndjson'), 'utf8'), crlfDelay: Infinity });
    for await (const line of lines) {
      if (line === '') continue;
      lineCount++;
      let record: { eventId: string; duplicate: boolean; verified: boolean | null };
      try {
        record = JSON.parse(line);
      } catch {
        broken++;
        continue;
      }
      if (record.verified === false) verifiedFalse.add(record.eventId);
      else if (record.duplicate) duplicateCaptures.set(record.eventId, (duplicateCaptures.get(record.eventId) ?? 0) + 1);
      else newCaptures.set(record.eventId, (newCaptures.get(record.eventId) ?? 0) + 1);
    }
    // The ledger holds idempotency keys: an X-GitHub-Delivery id is not signed, so it is bound to
    // the signature (`<id>|sig:<signature>`); the ids sent here never contain `|`.
    const ledger = readFileSync(join(dir, '.hookctl-ledger'), 'utf8').split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { eventId: string }).eventId.split('|')[0]!);
    const ledgerSet = new Set(ledger);

    const notOnce = [...stats.accepted].filter((id) => newCaptures.get(id) !== 1);
    const strayNew = [...newCaptures.keys()].filter((id) => !stats.accepted.has(id));
    const forgedClaimed = [...stats.forgedSent].filter((id) => ledgerSet.has(id) || newCaptures.has(id));
    const forgedNotCaptured = [...stats.forgedSent].filter((id) => !verifiedFalse.has(id));

    // Memory: after warm-up and before the no-new-ids phase, RSS growth per new id; in the
    // no-new-ids phase, RSS growth per second.
    const steady = samples.filter((s) => s.t >= warmupMs && s.t < quietFromMs);
    const quiet = samples.filter((s) => s.t >= quietFromMs + 2000);
    const bytesPerId = slope(steady.map((s) => [s.accepted, s.rss]));
    const quietSlope = slope(quiet.map((s) => [s.t / 1000, s.rss]));
    const quietGrowth = quiet.length > 1 ? quiet.at(-1)!.rss - quiet[0]!.rss : 0;
    const fdsAfterWarmup = steady.map((s) => s.fds);
    const fdMin = Math.min(...fdsAfterWarmup, ...quiet.map((s) => s.fds));
    const fdMax = Math.max(...fdsAfterWarmup, ...quiet.map((s) => s.fds));
    const rssAtWarmup = steady[0]?.rss ?? 0;
    const rssPeak = Math.max(...samples.map((s) => s.rss));
    const sorted = [...stats.latenciesMs].sort((a, b) => a - b);

    console.log(`\nsoak: ${elapsedS.toFixed(1)}s, ${stats.requests} requests (${Math.round(stats.requests / elapsedS)}/s), ${WORKERS} connections, ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    console.log(table([
      ['measure', 'value'],
      ['requests answered', String(stats.requests)],
      ['accepted (new ids)', String(stats.accepted.size)],
      ['duplicates sent / confirmed', `${stats.duplicatesSent} / ${stats.duplicatesConfirmed}`],
      ['forged sent / 401', `${stats.forgedSent.size} / ${stats.forgedRejected}`],
      ['unexpected answers', stats.unexpected.size === 0 ? '0' : [...stats.unexpected].map(([k, v]) => `${k} x${v}`).join('; ')],
      ['latency p50 / p99 / max', `${percentile(sorted, 50).toFixed(2)} / ${percentile(sorted, 99).toFixed(2)} / ${(sorted.at(-1) ?? 0).toFixed(1)} ms`],
      ['journal lines (broken)', `${lineCount} (${broken})`],
      ['ledger entries', String(ledger.length)],
      ['RSS after warm-up -> peak -> end', `${mb(rssAtWarmup)} -> ${mb(rssPeak)} -> ${mb(samples.at(-1)?.rss ?? 0)}`],
      ['RSS growth per new id (steady)', `${bytesPerId.toFixed(0)} B/id`],
      // Informational: V8 grows its heap lazily, so RSS wanders here; the leak check below is the test.
      ['RSS slope, no new ids (last fifth)', `${(quietSlope / 1024).toFixed(1)} KB/s (${mb(quietGrowth)} over ${quiet.length}s; GC pacing, see leak check)`],
      ['open fds after warm-up (min..max)', `${fdMin}..${fdMax}`],
      ['listener exit code / summary', `${code} / received ${summary?.received}, rejected ${summary?.rejected}, duplicates ${summary?.duplicates}, captureErrors ${summary?.captureErrors}`],
    ]));

    return [
      { name: 'every accepted id captured exactly once as new', ok: notOnce.length === 0 && strayNew.length === 0 && stats.accepted.size > 0, detail: `${stats.accepted.size} accepted; ${notOnce.length} not exactly once; ${strayNew.length} captured as new but never acknowledged` },
      { name: 'every duplicate answered as a duplicate', ok: stats.duplicatesSent === stats.duplicatesConfirmed, detail: `${stats.duplicatesConfirmed}/${stats.duplicatesSent}` },
      { name: 'every forged delivery rejected (401), none claimed an id', ok: stats.forgedRejected === stats.forgedSent.size && forgedClaimed.length === 0 && forgedNotCaptured.length === 0, detail: `${stats.forgedRejected}/${stats.forgedSent.size} rejected; ${forgedClaimed.length} claimed; ${forgedNotCaptured.length} missing from the journal as verified:false` },
      { name: 'no unexpected answers or network errors', ok: stats.unexpected.size === 0, detail: stats.unexpected.size === 0 ? 'none' : [...stats.unexpected].map(([k, v]) => `${k} x${v}`).join('; ') },
      { name: 'journal complete (no broken line) and ledger = accepted ids', ok: broken === 0 && ledger.length === ledgerSet.size && ledgerSet.size === stats.accepted.size, detail: `${broken} broken; ledger ${ledger.length} entries, ${ledgerSet.size} distinct, ${stats.accepted.size} accepted` },
      // The ledger remembers every id (a Set of strings): a few hundred bytes each is that, not a leak.
      { name: 'RSS: growth per new id within the ledger\'s cost (< 1 KB/id)', ok: bytesPerId < 1024, detail: `${bytesPerId.toFixed(0)} B/id` },
      { name: 'no file-descriptor growth', ok: fdMax - fdMin <= 2, detail: `${fdMin}..${fdMax}` },
      { name: 'listener stopped cleanly (exit 0, no capture errors)', ok: code === 0 && summary?.captureErrors === 0, detail: `exit ${code}, captureErrors ${summary?.captureErrors}` },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- leak check

const LEAK_HEAP_MB = 64;
/**
 * The capped heap fills by requests, not by seconds: on a busy machine 30 s were 42k requests and
 * the heap was still growing towards its cap over the second half (9 MB, a failed check with no
 * leak; 60 s, 302k requests, gave 0.2 MB). The check runs on until this many, within 4x its time.
 */
const LEAK_MIN_REQUESTS = 150_000;

/**
 * V8 lets its heap grow before collecting, so an uncapped RSS wanders by tens of megabytes with
 * no leak at all. Here a fresh listener gets a capped old generation (--max-old-space-size) and a
 * few thousand remembered ids, then only duplicates and forgeries (no new ids, so nothing should
 * be kept) for LEAK seconds. Hundreds of thousands of requests through a 64 MB heap: retaining even
 * a few hundred bytes per request would exhaust it and crash the listener. It must survive with RSS
 * level over the second half and no descriptor growth.
 */
async function leakCheck(seconds: number): Promise<Check[]> {
  const dir = mkdtempSync(join(tmpdir(), 'hookctl-soak-leak-'));
  try {
    const listener = await startListener(['--capture', dir], `--max-old-space-size=${LEAK_HEAP_MB}`);
    const pool = new Pool(listener.url.origin, { connections: WORKERS, pipelining: 1 });
    const prime = newStats();
    await load(pool, listener.url.pathname, prime, WORKERS, () => prime.accepted.size < 2000, () => 'fresh-only');
    const stats = newStats();
    for (const id of prime.accepted) stats.accepted.add(id);
    const started = performance.now();
    const samples: Array<{ t: number; rss: number; fds: number }> = [];
    const sampler = setInterval(() => {
      const s = sample(listener.pid);
      if (s) samples.push({ t: performance.now() - started, ...s });
    }, 1000);
    console.error(`leak check: ${seconds}s (longer, up to ${seconds * 4}s, until ${LEAK_MIN_REQUESTS} requests) of duplicates and forgeries, V8 old space capped at ${LEAK_HEAP_MB} MB (pid ${listener.pid})`);
    const until = () => {
      const ms = performance.now() - started;
      return listener.child.exitCode === null && (ms < seconds * 1000 || (stats.requests < LEAK_MIN_REQUESTS && ms < seconds * 4000));
    };
    await load(pool, listener.url.pathname, stats, WORKERS, until, () => 'no-new-ids');
    clearInterval(sampler);
    const elapsed = (performance.now() - started) / 1000;
    await pool.close().catch(() => {});
    const alive = listener.child.exitCode === null;
    const { code } = alive ? await stopListener(listener) : { code: listener.child.exitCode };
    const secondHalf = samples.filter((s) => s.t >= (elapsed * 1000) / 2);
    const growth = secondHalf.length > 1 ? Math.max(...secondHalf.map((s) => s.rss)) - secondHalf[0]!.rss : 0;
    const fds = samples.map((s) => s.fds);
    const requests = stats.requests;
    console.log(`\nleak check: ${elapsed.toFixed(1)}s, ${requests} requests (${Math.round(requests / elapsed)}/s) of duplicates and forgeries, old space capped at ${LEAK_HEAP_MB} MB`);
    console.log(table([
      ['measure', 'value'],
      ['listener survived / exit code', `${alive} / ${code}`],
      ['RSS start -> end', `${mb(samples[0]?.rss ?? 0)} -> ${mb(samples.at(-1)?.rss ?? 0)}`],
      ['RSS growth over the second half', mb(growth)],
      ['open fds (min..max)', `${Math.min(...fds)}..${Math.max(...fds)}`],
      ['bytes a leak could keep per request before the cap', `< ${Math.round((LEAK_HEAP_MB * 1024 * 1024) / Math.max(1, requests))}`],
    ]));
    return [
      { name: `leak check: survives ${requests} requests in a ${LEAK_HEAP_MB} MB heap`, ok: alive && code === 0 && stats.unexpected.size === 0, detail: `alive ${alive}, exit ${code}${stats.unexpected.size ? `, ${[...stats.unexpected].map(([k, v]) => `${k} x${v}`).join('; ')}` : ''}` },
      { name: 'leak check: RSS level over the second half (< 8 MB)', ok: growth < 8 * 1024 * 1024, detail: mb(growth) },
      { name: 'leak check: no file-descriptor growth', ok: Math.max(...fds) - Math.min(...fds) <= 2, detail: `${Math.min(...fds)}..${Math.max(...fds)}` },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- the hostile mix

/** The listener's default --max-body (`1mb`): the largest forged form it has to read. */
const MAX_BODY = 1024 * 1024;
const LONG_ID_CHARS = 15_000;
const FORM = 'application/x-www-form-urlencoded';

const ALL_HOSTILE_KINDS = ['forged Twilio form', 'long id', 'poisoned id'] as const;
type HostileKind = (typeof ALL_HOSTILE_KINDS)[number];
/** --hostile-kinds "form,long,poison" (SOAK_HOSTILE_KINDS) sends only some, to see what each costs. */
const HOSTILE_KINDS: HostileKind[] = (() => {
  const only = (flag('hostile-kinds') ?? process.env.SOAK_HOSTILE_KINDS)?.split(',').map((word) => word.trim());
  if (!only) return [...ALL_HOSTILE_KINDS];
  const kinds = ALL_HOSTILE_KINDS.filter((kind) => only.some((word) => word !== '' && kind.includes(word)));
  if (kinds.length === 0) {
    console.error(`soak: --hostile-kinds: expected some of form, long, poison; got "${only.join(',')}"`);
    process.exit(2);
  }
  return kinds;
})();

/** A form of about `bytes` bytes: `count` parameters made by `param(i, room)`, `room` the bytes each may take. */
function form(bytes: number, count: number, param: (i: number, room: number) => string): Buffer {
  const room = Math.floor(bytes / count) - 1;
  return Buffer.from(Array.from({ length: count }, (_, i) => param(i, room)).join('&'));
}

/**
 * Forged Twilio forms (any request with X-Twilio-Signature is verified as Twilio under `--scheme
 * auto`), built once: the shapes that cost the most to verify (test/security/verify-cost.test.ts),
 * up to --max-body. Over 1,000 parameters is refused unread; 999 parameters are parsed, sorted
 * and HMAC-ed whole.
 */
function forgedForms(): Buffer[] {
  const forms: Buffer[] = [];
  for (const bytes of [MAX_BODY, MAX_BODY / 2, MAX_BODY / 8]) {
    forms.push(
      form(bytes, Math.floor(bytes / 9.5), (i) => `p${i.toString(36).padStart(4, '0')}=${String(i % 97).padStart(2, '0')}`),
      form(bytes, 999, (i, room) => `n${i}=`.padEnd(room, 'v')),
      form(bytes, 999, (i, room) => `n${i}=`.padEnd(room, '+')),
      form(bytes, 999, (i, room) => `n${i}=${'%E2%82%AC'.repeat(Math.floor(room / 9) - 1)}`),
    );
  }
  for (const body of forms) if (body.length > MAX_BODY) throw new Error(`soak: a forged form of ${body.length} bytes is over --max-body`);
  return forms;
}

interface HostileStats {
  /** Kind → requests sent. */
  sent: Map<string, number>;
  /** `<kind> <status>` → count. */
  answers: Map<string, number>;
  /** Requests of a kind answered other than expected (forms: 401; long and poisoned ids: 200, they are validly signed). */
  unexpected: Map<string, number>;
}

/**
 * `workers` loops sending, in turn, a forged Twilio form, one old valid GitHub delivery under a
 * 15,000-character id, and the same delivery under an id the valid traffic is about to use
 * (`futureId()`): GitHub does not sign X-GitHub-Delivery, so that verifies, and before the key
 * bound the signature it claimed the id, and the real delivery was answered `duplicate`. Paced
 * at HOSTILE_RATE requests a second in all (a worker that falls behind sends back to back).
 */
async function hostileLoad(pool: Pool, path: string, stats: HostileStats, workers: number, until: () => boolean, futureId: () => string, forms: Buffer[]): Promise<void> {
  const old = delivery(`soak-old-${randomUUID()}`);
  const longPrefix = `soak-long-${'L'.repeat(LONG_ID_CHARS)}-`;
  let longIds = 0;
  const count = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  const intervalMs = HOSTILE_RATE > 0 ? (1000 * workers) / HOSTILE_RATE : 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      let nextAt = start + (intervalMs * worker) / workers;
      for (let turn = worker; until(); turn++) {
        const wait = nextAt - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        nextAt += intervalMs;
        if (!until()) break;
        const kind = HOSTILE_KINDS[turn % HOSTILE_KINDS.length]!;
        const request =
          kind === 'forged Twilio form'
            ? { body: forms[Math.floor(Math.random() * forms.length)]!, headers: { 'content-type': FORM, 'x-twilio-signature': randomBytes(20).toString('base64') } }
            : { body: old.body, headers: { ...old.headers, 'x-github-delivery': kind === 'long id' ? `${longPrefix}${longIds++}` : futureId() } };
        count(stats.sent, kind);
        let status: number;
        try {
          const response = await pool.request({ path, method: 'POST', ...request });
          status = response.statusCode;
          await response.body.dump();
        } catch (error) {
          count(stats.unexpected, `${kind}: network ${(error as { code?: string }).code ?? (error as Error).message}`);
          continue;
        }
        count(stats.answers, `${kind} ${status}`);
        if (status !== (kind === 'forged Twilio form' ? 401 : 200)) count(stats.unexpected, `${kind} answered ${status}`);
      }
    }),
  );
}

interface HostileRound {
  validRate: number;
  p50: number;
  p99: number;
  max: number;
  hostile: HostileStats;
  /** Valid-traffic problems: a fresh id answered `duplicate` is a stolen id. */
  problems: Map<string, number>;
  duplicatesSent: number;
  duplicatesConfirmed: number;
  /** The listener's CPU time over the measured seconds, in cores (1 = one core busy throughout). */
  listenerCpu: number;
  exitCode: number | null;
}

/**
 * One round on a fresh listener (journal capture, as the soak): WORKERS connections of valid
 * traffic (fresh GitHub deliveries with ids in sequence, 10% duplicates) for `seconds`, with or
 * without HOSTILE_WORKERS more connections of the hostile mix beside it.
 */
async function hostileRound(seconds: number, withHostile: boolean, forms: Buffer[]): Promise<HostileRound> {
  const dir = mkdtempSync(join(tmpdir(), 'hookctl-soak-hostile-'));
  try {
    const listener = await startListener(['--capture', dir]);
    const pool = new Pool(listener.url.origin, { connections: WORKERS, pipelining: 1 });
    const hostilePool = new Pool(listener.url.origin, { connections: HOSTILE_WORKERS, pipelining: 1 });
    const tag = randomUUID().slice(0, 8);
    let next = 0;
    const freshId = () => `soak-${tag}-${next++}`;
    // Ids the valid traffic will send within the next fraction of a second.
    const futureId = () => `soak-${tag}-${next + 1 + Math.floor(Math.random() * 2000)}`;
    const warm = performance.now();
    await load(pool, listener.url.pathname, newStats(), WORKERS, () => performance.now() - warm < 1000, () => 'fresh-only', freshId);
    const stats = newStats();
    const hostile: HostileStats = { sent: new Map(), answers: new Map(), unexpected: new Map() };
    const started = performance.now();
    const cpuBefore = cpuSeconds(listener.pid);
    const running = () => performance.now() - started < seconds * 1000;
    await Promise.all([
      load(pool, listener.url.pathname, stats, WORKERS, running, () => 'soak-valid', freshId),
      withHostile ? hostileLoad(hostilePool, listener.url.pathname, hostile, HOSTILE_WORKERS, running, futureId, forms) : undefined,
    ]);
    const elapsed = (performance.now() - started) / 1000;
    const listenerCpu = (cpuSeconds(listener.pid) - cpuBefore) / elapsed;
    await Promise.all([pool.close(), hostilePool.close()]);
    const { code } = await stopListener(listener);
    const sorted = [...stats.latenciesMs].sort((a, b) => a - b);
    return {
      validRate: stats.requests / elapsed,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      max: sorted.at(-1) ?? 0,
      hostile,
      problems: stats.unexpected,
      duplicatesSent: stats.duplicatesSent,
      duplicatesConfirmed: stats.duplicatesConfirmed,
      listenerCpu,
      exitCode: code,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Valid-delivery latency without and with the hostile mix, in interleaved rounds on fresh listeners. */
async function hostileComparison(seconds: number): Promise<Check[]> {
  const forms = forgedForms();
  console.error(`\nhostile mix: ${COMPARE_ROUNDS} rounds of ${seconds}s each way, ${WORKERS} valid connections, ${HOSTILE_WORKERS} hostile ones`);
  const rounds = { without: [] as HostileRound[], with: [] as HostileRound[] };
  for (let round = 1; round <= COMPARE_ROUNDS; round++) {
    for (const withHostile of [false, true]) {
      const result = await hostileRound(seconds, withHostile, forms);
      (withHostile ? rounds.with : rounds.without).push(result);
      console.error(`  round ${round}/${COMPARE_ROUNDS} ${withHostile ? 'valid + hostile' : 'valid only'}: ${result.validRate.toFixed(0)} valid/s, p99 ${result.p99.toFixed(2)} ms`);
    }
  }
  const median = (list: HostileRound[], by: (r: HostileRound) => number) => [...list].map(by).sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
  const total = (list: HostileRound[], pick: (r: HostileRound) => Map<string, number>) => {
    const sum = new Map<string, number>();
    for (const r of list) for (const [k, v] of pick(r)) sum.set(k, (sum.get(k) ?? 0) + v);
    return sum;
  };
  const row = (name: string, list: HostileRound[]) => [
    name,
    median(list, (r) => r.validRate).toFixed(0),
    median(list, (r) => r.p50).toFixed(2),
    median(list, (r) => r.p99).toFixed(2),
    median(list, (r) => r.max).toFixed(1),
    `${(median(list, (r) => r.listenerCpu) * 100).toFixed(0)}%`,
    list.map((r) => r.p99.toFixed(2)).join(' '),
  ];
  console.log(`\nhostile mix (median of ${COMPARE_ROUNDS} rounds of ${seconds}s each way; valid traffic: fresh signed GitHub deliveries and 10% duplicates over ${WORKERS} connections; hostile: ${HOSTILE_WORKERS} more connections; ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}):`);
  console.log(table([['valid traffic', 'valid/s', 'p50 ms', 'p99 ms', 'max ms', 'listener CPU', 'rounds (p99 ms)'], row('alone', rounds.without), row('beside the hostile mix', rounds.with)]));
  const sent = total(rounds.with, (r) => r.hostile.sent);
  const answers = total(rounds.with, (r) => r.hostile.answers);
  const sentAll = [...sent.values()].reduce((a, b) => a + b, 0);
  // CPU time, unlike latency, hardly depends on what else the machine runs: what a valid delivery
  // costs alone, and what the rest of the listener's CPU beside the hostile mix cost per hostile request.
  const cpuPerValidMs = median(rounds.without, (r) => (r.listenerCpu * 1000) / r.validRate);
  const cpuPerHostileMs = median(rounds.with, (r) => {
    const hostileRate = [...r.hostile.sent.values()].reduce((a, b) => a + b, 0) / seconds;
    return ((r.listenerCpu - (r.validRate * cpuPerValidMs) / 1000) * 1000) / hostileRate;
  });
  console.log(`listener CPU: ${cpuPerValidMs.toFixed(3)} ms a valid delivery (alone); ${cpuPerHostileMs.toFixed(1)} ms a hostile request (the rest of its CPU beside the mix)`);
  console.log(`hostile requests: ${(sentAll / (seconds * rounds.with.length)).toFixed(0)}/s (${HOSTILE_RATE > 0 ? `paced at ${HOSTILE_RATE}/s` : 'as fast as answered'}): ${HOSTILE_KINDS.map((kind) => `${sent.get(kind) ?? 0} ${kind}s`).join(', ')}; answers: ${[...answers].map(([k, v]) => `${k} x${v}`).join(', ')}`);

  const all = [...rounds.without, ...rounds.with];
  const problems = total(all, (r) => r.problems);
  const hostileProblems = total(rounds.with, (r) => r.hostile.unexpected);
  const stolen = problems.get('fresh id answered as duplicate') ?? 0;
  const list = (map: Map<string, number>) => (map.size === 0 ? 'none' : [...map].map(([k, v]) => `${k} x${v}`).join('; '));
  return [
    { name: 'hostile mix: no valid delivery answered as a duplicate of a poisoned id', ok: stolen === 0, detail: `${stolen} stolen; ${sent.get('poisoned id') ?? 0} poisoned ids sent` },
    { name: 'hostile mix: valid traffic answered as expected (duplicates as duplicates, no errors)', ok: problems.size === 0 && all.every((r) => r.duplicatesSent === r.duplicatesConfirmed), detail: `${list(problems)}; duplicates ${all.reduce((n, r) => n + r.duplicatesConfirmed, 0)}/${all.reduce((n, r) => n + r.duplicatesSent, 0)}` },
    { name: 'hostile mix: forged forms 401, long and poisoned ids (validly signed) 200', ok: hostileProblems.size === 0, detail: list(hostileProblems) },
    { name: 'hostile mix: every listener stopped cleanly', ok: all.every((r) => r.exitCode === 0), detail: all.map((r) => r.exitCode).join(' ') },
  ];
}

// ---------------------------------------------------------------- what durability costs

const CONFIGS: Array<{ name: string; args: (dir: string) => string[] }> = [
  { name: 'no capture', args: () => ['--no-capture'] },
  { name: 'journal', args: (dir) => ['--capture', dir] },
  { name: 'journal --durable', args: (dir) => ['--capture', dir, '--durable'] },
  { name: '--capture-files', args: (dir) => ['--capture', dir, '--capture-files'] },
  { name: '--capture-files --durable', args: (dir) => ['--capture', dir, '--capture-files', '--durable'] },
];

interface Measured {
  rate: number;
  p50: number;
  p99: number;
  problems: string;
}

async function measure(config: (typeof CONFIGS)[number]): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), 'hookctl-soak-cmp-'));
  try {
    const listener = await startListener(config.args(dir));
    const pool = new Pool(listener.url.origin, { connections: WORKERS, pipelining: 1 });
    const stats = newStats();
    // One second of warm-up traffic (JIT, connections, first file blocks), not counted.
    const warm = performance.now();
    await load(pool, listener.url.pathname, newStats(), WORKERS, () => performance.now() - warm < 1000, () => 'fresh-only');
    const started = performance.now();
    await load(pool, listener.url.pathname, stats, WORKERS, () => performance.now() - started < COMPARE_SECONDS * 1000, () => 'fresh-only');
    const seconds = (performance.now() - started) / 1000;
    await pool.close();
    const died = listener.child.exitCode !== null || listener.child.signalCode !== null;
    const { code } = await stopListener(listener);
    if (died || code !== 0) {
      stats.unexpected.set(`listener exited ${code ?? listener.child.signalCode} during the run`, 1);
      console.error(`  ${config.name}: the listener exited (${code ?? listener.child.signalCode}); its stderr:\n${listener.stderr.slice(-20).join('\n')}`);
    }
    const sorted = [...stats.latenciesMs].sort((a, b) => a - b);
    return {
      rate: stats.accepted.size / seconds,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      problems: stats.unexpected.size ? [...stats.unexpected].map(([k, v]) => `${k} x${v}`).join('; ') : '',
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Each mode in several interleaved rounds, the median round reported: the machine may be shared,
 * and a burst of someone else's work then hits one round of one mode, not a whole mode.
 */
async function compare(): Promise<string[][]> {
  const results = new Map<string, Measured[]>();
  const only = (flag('modes') ?? process.env.SOAK_MODES)?.split(',').map((name) => name.trim());
  const configs = only ? CONFIGS.filter((config) => only.includes(config.name)) : CONFIGS;
  for (let round = 1; round <= COMPARE_ROUNDS; round++) {
    for (const config of configs) {
      const measured = await measure(config);
      results.set(config.name, [...(results.get(config.name) ?? []), measured]);
      console.error(`  round ${round}/${COMPARE_ROUNDS} ${config.name}: ${measured.rate.toFixed(0)}/s`);
    }
  }
  const rows: string[][] = [['mode', 'deliveries/s', 'p50 ms', 'p99 ms', 'vs journal', 'rounds (deliveries/s)']];
  const median = (name: string) => {
    const list = [...results.get(name)!].sort((a, b) => a.rate - b.rate);
    return list[Math.floor(list.length / 2)]!;
  };
  const journal = results.has('journal') ? median('journal').rate : median(configs[0]!.name).rate;
  for (const config of configs) {
    const m = median(config.name);
    const problems = results.get(config.name)!.map((r) => r.problems).filter(Boolean).join('; ');
    rows.push([
      config.name + (problems ? ` (${problems})` : ''),
      m.rate.toFixed(0),
      m.p50.toFixed(2),
      m.p99.toFixed(2),
      `${((m.rate / journal) * 100).toFixed(0)}%`,
      results.get(config.name)!.map((r) => r.rate.toFixed(0)).join(' '),
    ]);
  }
  return rows;
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  if (process.platform !== 'linux') console.error('soak: RSS and fd sampling read /proc; on this platform those checks are skipped');
  let checks: Check[] = [];
  const everything = !ONLY_COMPARE && !ONLY_HOSTILE;
  if (everything && SECONDS > 0) checks = await soak();
  if (everything && LEAK_SECONDS > 0) checks.push(...(await leakCheck(LEAK_SECONDS)));
  if (!ONLY_COMPARE && HOSTILE_SECONDS > 0) checks.push(...(await hostileComparison(HOSTILE_SECONDS)));
  if (!ONLY_HOSTILE && COMPARE_SECONDS > 0) {
    console.error(`\ncomparing capture modes: ${COMPARE_ROUNDS} rounds of ${COMPARE_SECONDS}s each, fresh events only, ${WORKERS} connections`);
    const rows = await compare();
    console.log(`\nwhat durability costs (median of ${COMPARE_ROUNDS} rounds of ${COMPARE_SECONDS}s, ${WORKERS} connections, ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}):`);
    console.log(table(rows));
  }
  if (checks.length > 0) {
    console.log('\nchecks:');
    console.log(table([['check', 'result', 'detail'], ...checks.map((c) => [c.name, c.ok ? 'ok' : 'FAIL', c.detail])]));
    if (checks.some((c) => !c.ok)) process.exitCode = 1;
  }
}

await main();
