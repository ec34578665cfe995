import { outcomeFailed, worstForward } from '../records/outcome.js';
import { stat } from 'node:fs/promises';
import { displayUrl } from '../cli/output.js';
import { resolve } from 'node:path';
import type { CommandContext } from '../cli/context.js';
import type { Output } from '../cli/output.js';
import { schemeOptionsFrom } from '../cli/scheme-flags.js';
import { resolveSecrets } from '../cli/secrets.js';
import { onInterrupt } from '../cli/interrupt.js';
import { createDispatcher, retryPolicyFromFlags } from '../delivery/index.js';
import { REPLAY_RETRY_SCHEDULE } from '../replay/defaults.js';
import { EXIT, failure, usageError } from '../errors.js';
import { FileExistsError, findRecordsIn, fixtureContent, writeFileAtomic } from '../records/extract.js';
import { fileProblem } from '../input/file-errors.js';
import { where } from '../records/reader.js';
import { parseQueueAddress, type AddressOverrides } from '../queue/address.js';
import { queueOverridesFrom } from '../cli/queue-options.js';
import { checkQueueSource, isQueueSource, readSources } from '../records/sources.js';
import { parseDuration, parseInteger, parseUrl } from '../options/units.js';
import { executePlan, type StepResult } from '../replay/execute.js';
import { formatBytes } from '../text/bytes.js';
import { formatDuration } from '../text/duration.js';
import { retryAfterText } from '../send/format.js';
import { eventTypeMatcher } from '../replay/glob.js';
import { emptyStats, planItems, type PlanInvalid, type PlanItem, type PlanStats, type PlanStep } from '../replay/plan.js';

const DEFAULT_PATH = 'fixtures/';

function isInteractive(output: Output): boolean {
  return Boolean(process.stdin.isTTY && output.stderr.isTTY);
}

/** --since and --until: an ISO time, or a duration ago ("30m" = 30 minutes ago). */
export function parseSince(value: string, nowMs = Date.now(), flag = '--since'): number {
  const text = value.trim();
  if (/^\d+(?:\.\d+)?(?:ms|s|m|h|d)?$/.test(text) && !/^\d{4}$/.test(text)) {
    try {
      return nowMs - parseDuration(text, flag);
    } catch {
      // Fall through to the date reading and its message.
    }
  }
  const time = Date.parse(text);
  if (Number.isNaN(time)) throw usageError(`${flag}: expected an ISO time (2026-01-15T10:00:00Z) or a duration ago (30m, 2h), got "${value}"`);
  return time;
}

async function askForUrl(output: Output): Promise<string> {
  const { input } = await import('@inquirer/prompts');
  const answer = await input(
    {
      message: 'Replay to which URL?',
      default: 'http://127.0.0.1:3000/webhooks',
      validate: (text: string) => {
        try {
          parseUrl(text.trim(), '--to');
          return true;
        } catch (error) {
          return (error as Error).message.replace(/^--to: /, '');
        }
      },
    },
    { output: output.stderr },
  );
  return answer.trim();
}

/** How a capture verified when it arrived: what a person picking deliveries wants to see first. */
function verifiedLabel(record: PlanStep['entry']['record']): string {
  const verified = record.verified === true ? '✓ verified' : record.verified === false ? `✗ ${record.reason ?? 'not verified'}` : '· unchecked';
  return `${verified}${outcomeLabel(record.outcome)}`;
}

/** What the listener answered and the app said, when it went wrong: a capture the app refused is not a clean one. */
function outcomeLabel(outcome: PlanStep['entry']['record']['outcome']): string {
  if (!outcomeFailed(outcome)) return '';
  const forward = worstForward(outcome!.forwards);
  if (forward && forward.state !== 'delivered' && forward.state !== 'pending') return forward.status === null ? ' · ✗ app unreachable' : ` · ✗ app ${forward.status}`;
  return ` · ✗ answered ${outcome!.answer?.status ?? 'nothing'}`;
}

/** "2026-01-15 10:00:01Z": the capture time, to the second. */
function capturedTime(record: PlanStep['entry']['record']): string {
  return Number.isNaN(Date.parse(record.capturedAt)) ? '(no time)' : new Date(record.capturedAt).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

function capturedMs(step: PlanStep): number {
  const time = Date.parse(step.entry.record.capturedAt);
  return Number.isNaN(time) ? -Infinity : time;
}

/**
 * --last N: the N most recently captured deliveries under the paths, in capture order (a journal's
 * later line wins a tie). Items that cannot be sent are named and left out.
 */
async function latestSteps(items: AsyncIterable<PlanItem> | PlanItem[], count: number, output: Output): Promise<PlanStep[]> {
  const steps: PlanStep[] = [];
  for await (const item of items) {
    if (item.kind === 'send') steps.push(item);
    else output.warn(`${where(item)}: ${item.message} (left out of --last)`);
  }
  return steps
    .map((step, order) => ({ step, order, time: capturedMs(step) }))
    .sort((a, b) => a.time - b.time || a.order - b.order)
    .slice(-count)
    .map((entry) => entry.step);
}

function describeLatest(steps: PlanStep[]): string {
  if (steps.length !== 1) return `the latest ${steps.length} captures`;
  const [step] = steps as [PlanStep];
  return `the latest capture, ${where(step)} (${step.eventType ?? 'no type'}, captured ${capturedTime(step.entry.record)})`;
}

function stepLabel(step: PlanStep, labelWidth = 12): string {
  const { record } = step.entry;
  const type = step.eventType ?? '(no type)';
  return `${capturedTime(record)}  ${verifiedLabel(record).padEnd(labelWidth)}  ${type}${step.eventId ? `  ${step.eventId}` : ''}  ${where(step)}`;
}

async function pickSteps(steps: PlanStep[], output: Output): Promise<PlanStep[]> {
  const { checkbox } = await import('@inquirer/prompts');
  // The column as wide as its widest label (an outcome makes one longer), so the columns after it line up.
  const labelWidth = steps.reduce((widest, step) => Math.max(widest, verifiedLabel(step.entry.record).length), 12);
  const picked = await checkbox(
    {
      message: `Pick deliveries to replay (${steps.length})`,
      choices: steps.map((step) => ({ name: stepLabel(step, labelWidth), value: step.index })),
      pageSize: 15,
      loop: false,
    },
    { output: output.stderr },
  );
  const wanted = new Set(picked);
  return steps.filter((step) => wanted.has(step.index));
}

async function defaultPaths(args: string[], cwd: string): Promise<string[]> {
  if (args.length > 0) return args;
  const exists = await stat(resolve(cwd, DEFAULT_PATH)).then(
    (info) => info.isDirectory(),
    () => false,
  );
  if (!exists) throw usageError(`no PATH given and ./${DEFAULT_PATH} does not exist here: pass fixture files, journals or folders (e.g. hookctl replay captures/ --to …)`);
  return [DEFAULT_PATH];
}

// ------------------------------------------------------------------ extract

async function extract({ options, args, output, cwd }: CommandContext): Promise<number> {
  const id = String(options.extract);
  if (!options.out) throw usageError('--out: the fixture file to write is required with --extract (e.g. --out fixtures/regressions/evt_123.json)');
  const out = resolve(cwd, String(options.out));
  const paths = await defaultPaths(args, cwd);
  const queue = queueOverridesFrom(options);
  for (const path of paths) if (isQueueSource(path)) checkQueueSource(path, { queue });
  const { matches, problems } = await findRecordsIn(readSources(paths, { cwd, queue }), id);
  const missing = problems.filter((problem) => problem.missing);
  if (missing.length > 0) throw usageError(`${missing.map((problem) => problem.source).join(', ')}: no such file or folder`);
  for (const problem of problems) if (!problem.empty) output.warn(`${where(problem)}: ${problem.message}`);
  const first = matches[0];
  if (!first) throw failure(`--extract: no record with capture id or event id "${id}" in ${shown(paths, queue).join(', ')}`);
  try {
    await writeFileAtomic(out, fixtureContent(first), { overwrite: Boolean(options.force) });
  } catch (error) {
    if (error instanceof FileExistsError) throw failure(`--out: ${options.out} already exists (pass --force to replace it)`);
    throw failure(`--out: cannot write ${options.out} (${fileProblem(error)})`);
  }
  // Said only once it is true: a refused --out must not be preceded by "wrote".
  if (matches.length > 1) {
    output.warn(`${matches.length} records match "${id}" (retries or duplicates); wrote the first, ${where(first)} (capture id ${first.record.id}); name another by its capture id`);
  }
  const { record } = first;
  output.record({ type: 'extract', file: String(options.out), from: first.source, ...(first.line !== undefined ? { line: first.line } : {}), id: record.id, eventId: record.eventId, eventType: record.eventType, bytes: record.bytes });
  output.line(`wrote ${options.out}  ${record.eventType ?? '(no type)'}  ${formatBytes(record.bytes)}  from ${where(first)}`);
  return EXIT.ok;
}

// ------------------------------------------------------------------ replay

interface Settings {
  to: string | undefined;
  secret: string | undefined;
  dryRun: boolean;
}

/** Every flag is checked before anything is asked: a prompt answered in vain is worse than an error. */
async function settingsFrom({ options, env, output }: CommandContext): Promise<Settings> {
  const dryRun = Boolean(options.dryRun);
  let to = options.to !== undefined ? parseUrl(String(options.to), '--to').toString() : undefined;
  if (to === undefined && !dryRun && !isInteractive(output)) throw usageError('--to: the URL to replay to is required (e.g. --to http://127.0.0.1:3000/webhooks)');
  const [secret] = resolveSecrets(options, env);
  if (secret === undefined && !options.asIs && !dryRun) {
    throw usageError('--secret: a secret is required to re-sign (or --secret-file, or HOOKCTL_SECRET); --as-is sends the stored headers unchanged instead');
  }
  if (to === undefined && !dryRun) to = parseUrl(await askForUrl(output), '--to').toString();
  return { to, secret, dryRun };
}

function describeStep(step: PlanStep, asIs: boolean): string {
  const how = asIs ? 'as stored' : step.scheme ? `re-signed (${step.scheme})` : 'unsigned';
  const changed = step.bodyChanged ? ', id in body replaced' : '';
  return `${step.method} ${step.url ? displayUrl(step.url) : '(no --to)'}  ${formatBytes(step.bytes)}  ${how}${changed}`;
}

/** The dry run: the plan, printed as it is read. Returns how many items there were and how many cannot be sent. */
async function renderDryRun(items: AsyncIterable<PlanItem> | Iterable<PlanItem>, output: Output, asIs: boolean): Promise<{ total: number; invalid: number }> {
  let total = 0;
  let invalid = 0;
  for await (const item of items) {
    total++;
    if (item.kind === 'invalid') {
      invalid++;
      output.record({ type: 'plan', file: item.source, ...(item.line !== undefined ? { line: item.line } : {}), eventId: item.eventId, eventType: item.eventType, ok: false, error: item.message });
      output.line(output.bad(`${where(item)}  ${item.message}`));
      continue;
    }
    output.record({
      type: 'plan',
      file: item.source,
      ...(item.line !== undefined ? { line: item.line } : {}),
      eventId: item.eventId,
      eventType: item.eventType,
      method: item.method,
      url: item.url,
      bytes: item.bytes,
      scheme: item.scheme,
      asIs,
      ok: true,
    });
    output.line(`• ${where(item)}  ${item.eventType ?? '(no type)'}  ${describeStep(item, asIs)}`);
  }
  return { total, invalid };
}

function invalidResult(output: Output, item: PlanInvalid): void {
  output.record({ type: 'replay', file: item.source, ...(item.line !== undefined ? { line: item.line } : {}), eventId: item.eventId, eventType: item.eventType, status: null, ms: 0, ok: false, attempts: 0, error: item.message });
  output.line(output.bad(`${where(item)}  ${item.eventType ?? '—'}  ${item.message}`));
}

/** The longest Retry-After a receiver asked for and the cap it was cut to, when one was cut. */
function cappedRetryAfter(result: StepResult): { retryAfterMs: number; retryAfterCappedMs: number } | Record<string, never> {
  let capped: { retryAfterMs: number; retryAfterCappedMs: number } | undefined;
  for (const attempt of result.outcome.attempts) {
    if (attempt.retryAfterCappedMs === undefined || attempt.retryAfterMs === undefined) continue;
    if (!capped || attempt.retryAfterMs > capped.retryAfterMs) capped = { retryAfterMs: attempt.retryAfterMs, retryAfterCappedMs: attempt.retryAfterCappedMs };
  }
  return capped ?? {};
}

function renderResult(output: Output, result: StepResult): void {
  const { step } = result;
  output.record({
    type: 'replay',
    file: step.source,
    ...(step.line !== undefined ? { line: step.line } : {}),
    eventId: step.eventId,
    eventType: step.eventType,
    status: result.status,
    ms: result.ms,
    ok: result.ok,
    attempts: result.attempts,
    ...(result.error ? { error: result.error } : {}),
    ...cappedRetryAfter(result),
  });
  const status = result.status === null ? '—' : String(result.status);
  const attempts = result.attempts > 1 ? `  ${result.attempts} attempts` : '';
  const text = `${where(step)}  ${step.eventType ?? '(no type)'}  ${status}  ${result.ms}ms${attempts}`;
  output.line(result.ok ? output.ok(text) : output.bad(`${text}  ${result.error ?? ''}`.trimEnd()));
}


/** The same items, the first one already read (its errors thrown now). */
async function primed<T>(items: AsyncIterable<T>): Promise<AsyncIterable<T>> {
  const iterator = items[Symbol.asyncIterator]();
  const first = await iterator.next();
  return {
    async *[Symbol.asyncIterator]() {
      try {
        if (first.done) return;
        yield first.value;
        for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
      } finally {
        // A reader stopped early still closes what it opened (a queue's connection).
        await iterator.return?.();
      }
    },
  };
}

/** Paths that do not exist, and queue URLs that do not parse, are usage errors before anything is sent. */
async function checkPaths(paths: string[], cwd: string, queue: AddressOverrides): Promise<void> {
  const missing: string[] = [];
  for (const path of paths) {
    if (isQueueSource(path)) {
      checkQueueSource(path, { queue });
      continue;
    }
    const exists = await stat(resolve(cwd, path)).then(
      () => true,
      () => false,
    );
    if (!exists) missing.push(path);
  }
  if (missing.length > 0) throw usageError(`${missing.join(', ')}: no such file or folder`);
}

/** The paths as they may be shown: a queue URL without its password. */
function shown(paths: string[], queue: AddressOverrides): string[] {
  return paths.map((path) => (isQueueSource(path) ? parseQueueAddress(path, queue).display : path));
}

function nothingToReplay(stats: PlanStats, paths: string[], options: CommandContext['options']): never {
  const { filter, since, until } = stats.skipped;
  const where = shown(paths, queueOverridesFrom(options));
  if (filter + since + until > 0) {
    const by = [
      options.filter !== undefined ? `--filter ${options.filter}` : '',
      options.since !== undefined ? `--since ${options.since}` : '',
      options.until !== undefined ? `--until ${options.until}` : '',
    ].filter(Boolean).join(' and ');
    throw failure(`nothing to replay: no delivery in ${where.join(', ')} matches ${by}`);
  }
  const queues = paths.filter(isQueueSource).length;
  if (queues === paths.length) throw failure(`nothing to replay: ${where.join(', ')} ${queues === 1 ? 'holds' : 'hold'} no deliveries${options.since !== undefined || options.until !== undefined ? ' in that time' : ''} (a worker keeps delivered entries for its --retain, default 10 minutes)`);
  throw failure(`nothing to replay: ${where.join(', ')} ${paths.length === 1 ? 'holds' : 'hold'} no fixtures (.json) or journals (.ndjson)`);
}

function reportStats(stats: PlanStats, output: Output): void {
  for (const problem of stats.empty) output.warn(`${problem.source}: ${problem.message}`);
  const { filter, since, until } = stats.skipped;
  if (filter + since + until > 0) {
    const parts = [filter ? `${filter} not matching --filter` : '', since ? `${since} captured before --since` : '', until ? `${until} captured after --until` : ''].filter(Boolean);
    output.note(`skipped ${parts.join(', ')}`);
  }
}

async function replay(context: CommandContext): Promise<number> {
  const { options, args, output, cwd } = context;
  if (options.extract !== undefined) return extract(context);
  if (options.out !== undefined) throw usageError('--out: only with --extract ID');
  const last = options.last === undefined ? undefined : options.last === true ? 1 : parseInteger(String(options.last), '--last', { min: 1, max: 1_000_000 });
  if (last !== undefined && options.pick) throw usageError('--last and --pick: give one way of choosing');
  if (options.pick && !isInteractive(output)) {
    throw usageError('--pick: choosing fixtures needs an interactive terminal; without one, narrow the set with PATHs, --filter or --since');
  }
  if (options.asIs && options.newIds) throw usageError('--as-is and --new-ids: --as-is sends the stored headers unchanged, so it cannot give new ids');
  const concurrency = parseInteger(String(options.concurrency ?? '1'), '--concurrency', { min: 1, max: 1000 });
  const delayMs = options.delay !== undefined ? parseDuration(String(options.delay), '--delay') : 0;
  const policy = retryPolicyFromFlags({ ...options, retrySchedule: options.retrySchedule ?? REPLAY_RETRY_SCHEDULE });
  const filter = options.filter !== undefined ? eventTypeMatcher(String(options.filter)) : undefined;
  const nowMs = Date.now();
  const sinceMs = options.since !== undefined ? parseSince(String(options.since), nowMs) : undefined;
  const untilMs = options.until !== undefined ? parseSince(String(options.until), nowMs, '--until') : undefined;
  if (sinceMs !== undefined && untilMs !== undefined && untilMs < sinceMs) throw usageError(`--until: ${options.until} is before --since ${options.since}`);
  const publicUrl = options.url !== undefined ? parseUrl(String(options.url), '--url').toString() : undefined;
  const queue = queueOverridesFrom(options);
  const paths = await defaultPaths(args, cwd);
  await checkPaths(paths, cwd, queue);
  const settings = await settingsFrom(context);
  const asIs = Boolean(options.asIs);

  const stats = emptyStats();
  let items: AsyncIterable<PlanItem> | PlanItem[] = planItems(
    paths,
    {
      ...(settings.to !== undefined ? { to: settings.to } : {}),
      asIs,
      ...(options.scheme && options.scheme !== 'auto' ? { scheme: String(options.scheme) } : {}),
      schemeOptions: schemeOptionsFrom(options),
      ...(settings.secret !== undefined ? { secret: settings.secret } : {}),
      newIds: Boolean(options.newIds),
      ...(publicUrl ? { publicUrl } : {}),
      keepPath: Boolean(options.keepPath),
      ...(filter ? { filter } : {}),
      ...(sinceMs !== undefined ? { sinceMs } : {}),
      ...(untilMs !== undefined ? { untilMs } : {}),
      queue,
      cwd,
    },
    stats,
  );

  if (last !== undefined) {
    items = await latestSteps(items, last, output);
    reportStats(stats, output);
    if (items.length === 0) nothingToReplay(stats, paths, options);
  }

  if (options.pick) {
    // Choosing needs the whole list; everything else streams.
    const all: PlanItem[] = [];
    for await (const item of items) all.push(item);
    reportStats(stats, output);
    if (all.length === 0) nothingToReplay(stats, paths, options);
    for (const item of all) if (item.kind === 'invalid') output.warn(`${where(item)}: ${item.message} (not offered)`);
    const steps = all.filter((item): item is PlanStep => item.kind === 'send');
    if (steps.length === 0) throw failure('--pick: nothing can be replayed (see the problems above)');
    items = await pickSteps(steps, output);
    if (items.length === 0) {
      output.note('nothing picked; nothing sent');
      return EXIT.ok;
    }
  }

  if (settings.dryRun) {
    const { total, invalid } = await renderDryRun(items, output, asIs);
    if (!options.pick && last === undefined) reportStats(stats, output);
    if (total === 0) nothingToReplay(stats, paths, options);
    output.record({ type: 'summary', total, ok: total - invalid, failed: invalid, dryRun: true, skipped: stats.skipped.filter + stats.skipped.since + stats.skipped.until });
    output.line(`dry run: ${total - invalid} of ${total} would be sent${invalid ? `, ${invalid} cannot be (see above)` : ''}; nothing was sent`);
    return invalid > 0 ? EXIT.failed : EXIT.ok;
  }

  // The first item is read before saying "replaying …": a queue that cannot be reached is then
  // the one line it should be, not a line after a promise.
  if (!Array.isArray(items)) items = await primed(items);
  const chosen = options.pick ? `${(items as PlanItem[]).length} picked` : last !== undefined ? describeLatest(items as PlanStep[]) : shown(paths, queue).join(' ');
  output.note(`replaying ${chosen} to ${displayUrl(String(settings.to))}${asIs ? ' as stored' : ', re-signed'}${concurrency > 1 ? `, ${concurrency} at a time` : ''}`);
  const interrupt = onInterrupt(() => output.note('interrupted: stopping (Ctrl-C again to quit at once)'));
  const dispatcher = createDispatcher({ connections: concurrency });
  const spinner = await output.spinner('replaying');
  let done = 0;
  let summary;
  try {
    summary = await executePlan(items, {
      policy,
      dispatcher,
      signal: interrupt.signal,
      concurrency,
      delayMs,
      onAttempt: (step, attempt) => {
        if (!attempt.willRetry) return;
        const retrying = `${where(step)}: ${attempt.status ?? attempt.error}, retrying in ${formatDuration(attempt.nextDelayMs ?? 0)}`;
        // A receiver's long ask that was cut is said where it happens: it explains the wait, or its absence.
        if (attempt.retryAfterCappedMs !== undefined) {
          spinner.clear();
          output.note(`${retrying} (${retryAfterText(attempt)})`);
          spinner.render();
        }
        spinner.text = `${retrying} · Ctrl-C to stop`;
      },
      onInvalid: (item) => {
        spinner.stop();
        invalidResult(output, item);
      },
      onResult: (result) => {
        done++;
        spinner.stop();
        renderResult(output, result);
        spinner.text = `replaying: ${done} sent`;
      },
    });
  } finally {
    spinner.stop();
    interrupt.dispose();
    await dispatcher.close().catch(() => undefined);
  }

  if (!options.pick && last === undefined) reportStats(stats, output);
  if (summary.total === 0) nothingToReplay(stats, paths, options);
  const failed = summary.failed + summary.cutShort;
  output.record({
    type: 'summary',
    total: summary.total,
    ok: summary.ok,
    failed,
    ...(summary.interrupted ? { interrupted: true, notSent: summary.notSent } : {}),
  });
  if (summary.interrupted) {
    output.line(`interrupted: ${summary.ok} delivered, ${summary.failed} failed, ${summary.cutShort} cut short, ${summary.notSent} not sent (of ${summary.total})`);
    return EXIT.interrupted;
  }
  output.line(`${summary.total} replayed: ${summary.ok} ok${failed ? `, ${failed} failed` : ''}`);
  return failed > 0 ? EXIT.failed : EXIT.ok;
}

export async function run(context: CommandContext): Promise<number> {
  try {
    return await replay(context);
  } catch (error) {
    // Ctrl-C inside a prompt (--to, --pick): nothing was sent yet.
    if ((error as Error)?.name === 'ExitPromptError') {
      context.output.note('cancelled; nothing sent');
      return EXIT.interrupted;
    }
    throw error;
  }
}
