import { closeSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { CommandContext } from '../cli/context.js';
import { onInterrupt } from '../cli/interrupt.js';
import { showProgress } from '../cli/progress.js';
import type { Output } from '../cli/output.js';
import { EXIT, failure, usageError } from '../errors.js';
import { fileProblem } from '../input/file-errors.js';
import { parseBenchFlags, pushConcurrency, type BenchConfig } from '../bench/config.js';
import type { Progress } from '../bench/runner.js';
import { formatMs } from '../bench/format.js';

/**
 * Fails before anything runs when the report could not be written: a missing directory, a
 * directory given as the file, or no permission (probed by creating and removing a temp file).
 */
function checkReportPath(path: string, cwd: string): string {
  const target = resolve(cwd, path);
  try {
    if (statSync(target).isDirectory()) throw usageError(`--report: ${path} is a directory; give a file name like ${join(path, 'bench.html')}`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      if ((error as { exitCode?: number }).exitCode !== undefined) throw error;
      throw usageError(`--report: cannot use ${path} (${fileProblem(error)})`);
    }
  }
  const probe = join(dirname(target), `.${basename(target)}.${process.pid}.probe`);
  try {
    closeSync(openSync(probe, 'wx'));
    unlinkSync(probe);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw usageError(`--report: cannot write to ${dirname(path) || '.'} (${code === 'ENOENT' || code === 'ENOTDIR' ? 'no such folder' : fileProblem(error)})`);
  }
  return target;
}

/** The soft limit on open files, where the OS tells us (Linux); undefined elsewhere. */
function openFileLimit(): number | undefined {
  try {
    const match = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (!match) return undefined;
    return match[1] === 'unlimited' ? Infinity : Number(match[1]);
  } catch {
    return undefined;
  }
}

/** Each process holds one socket per client (push: up to pushConcurrency per subscriber), plus its own. */
function checkFileDescriptors(config: BenchConfig): void {
  const limit = openFileLimit();
  if (limit === undefined) return;
  const most = Math.max(...config.clients);
  const perClient = config.strategies.includes('push') ? pushConcurrency(config) : 1;
  const needed = most * perClient + 256;
  if (needed > limit) {
    throw usageError(`--clients: ${most} clients need about ${needed} open files per process, but the limit here is ${limit}; raise it (ulimit -n ${needed}) or use fewer clients`);
  }
}

/** The bar's line for one moment of the run: which run of how many, its phase, events and deliveries. */
function progressLine(output: Output, progress: Progress, startedAt: number): { fraction: number; text: string } {
  const fraction = progress.expectedDeliveries > 0 ? Math.min(1, progress.delivered / progress.expectedDeliveries) : 0;
  const emitted = Math.max(progress.emitted, Math.floor(progress.delivered / progress.clients));
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
  return {
    fraction: (progress.step - 1 + fraction) / progress.steps,
    text: `${progress.step}/${progress.steps} ${output.errColor.bold(progress.strategy)} · ${progress.clients} client${progress.clients === 1 ? '' : 's'} · ${progress.phase} · ${emitted}/${progress.events} emitted · ${progress.delivered.toLocaleString('en-US')}/${progress.expectedDeliveries.toLocaleString('en-US')} delivered · ${seconds}s · Ctrl-C to stop`,
  };
}

export async function run({ options, output, cwd }: CommandContext): Promise<number> {
  // Everything is checked before the first process starts.
  const config = parseBenchFlags(options);
  const reportPath = options.report !== undefined ? checkReportPath(String(options.report), cwd) : undefined;
  checkFileDescriptors(config);

  const { runBench } = await import('../bench/runner.js');
  const startedAt = performance.now();
  let latest: Progress | undefined;
  const bar = await showProgress(output, () => (latest ? progressLine(output, latest, startedAt) : { fraction: 0, text: 'starting…' }));
  // Without a terminal there is no bar: one line per run on stderr says what is happening.
  let announced = 0;
  const onProgress = (progress: Progress) => {
    latest = progress;
    if (output.interactive || progress.phase !== 'running' || announced === progress.step) return;
    announced = progress.step;
    output.note(`bench ${progress.step}/${progress.steps}: ${progress.strategy}, ${progress.clients} client${progress.clients === 1 ? '' : 's'}: running`);
  };
  const interrupt = onInterrupt(() => bar.note(output.errColor.yellow('stopping: collecting partial results (Ctrl-C again to quit at once)')));
  let result: Awaited<ReturnType<typeof runBench>>;
  try {
    result = await runBench(config, { signal: interrupt.signal, onProgress });
  } catch (error) {
    throw failure(`bench: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    bar.stop();
    interrupt.dispose();
  }

  const [{ verdict }, { renderText }] = await Promise.all([import('../bench/verdict.js'), import('./bench-text.js')]);
  const paragraph = result.strategies.length > 0 ? verdict(result) : 'Interrupted before any strategy had run.';
  if (output.json) {
    const { config: used } = result;
    output.record({
      type: 'bench',
      config: {
        events: used.events,
        rate: used.rate,
        intervalMs: used.intervalMs,
        longPollTimeoutMs: used.longPollTimeoutMs,
        clients: used.clients.length === 1 ? used.clients[0] : used.clients,
        clientCounts: used.clients,
        latencyMs: used.latencyMs,
        payloadSize: used.payloadSize,
        seed: used.seed,
        strategies: used.strategies,
      },
      strategies: result.strategies,
      clock: result.clock,
      loopback: result.loopback,
      interrupted: result.interrupted,
      elapsedMs: result.elapsedMs,
      machine: result.machine,
      verdict: paragraph,
    });
  } else {
    output.line(renderText(result, output.color));
    output.line();
    output.line(paragraph);
  }

  if (reportPath && result.strategies.length > 0) {
    const { renderHtml } = await import('../bench/report-html.js');
    const temp = `${reportPath}.${process.pid}.tmp`;
    try {
      writeFileSync(temp, renderHtml(result));
      renameSync(temp, reportPath);
    } catch (error) {
      try {
        unlinkSync(temp);
      } catch {
        // nothing was written
      }
      throw failure(`--report: could not write ${options.report} (${fileProblem(error)})`);
    }
    output.note(`report written to ${options.report}`);
  }
  if (result.interrupted) {
    output.note(`interrupted after ${formatMs(result.elapsedMs)}; the numbers above are partial`);
    return EXIT.interrupted;
  }
  return EXIT.ok;
}
