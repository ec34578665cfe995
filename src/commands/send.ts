import type { CommandContext } from '../cli/context.js';
import { displayUrl } from '../cli/output.js';
import type { Output, Spinner } from '../cli/output.js';
import { schemeOptionsFrom } from '../cli/scheme-flags.js';
import { requireSigningSecret, signingKeyFlag, type SecretFlags } from '../cli/secrets.js';
import { createDispatcher, retryPolicyFromFlags, type Attempt, type DeliveryOutcome, type RetryPolicy } from '../delivery/index.js';
import { EXIT, usageError } from '../errors.js';
import { appSide, type AppAnswer } from '../delivery/app-refusal.js';
import { attemptError } from '../routes/outcome.js';
import { parseHeaderFlag, parseInteger, parseNumber, parseUrl } from '../options/units.js';
import { BadSecretError } from '../schemes/crypto.js';
import { getScheme } from '../schemes/registry.js';
import { signRequest } from '../schemes/sign-request.js';
import type { Scheme } from '../schemes/types.js';
import { EventFactory, type OutgoingEvent, type SendPlan } from '../send/event.js';
import { formatMs, formatStatus, retryAfterText, snippetOf } from '../send/format.js';
import { formatDuration } from '../text/duration.js';
import { LoadRun, type LoadSummary } from '../send/load.js';
import { sendSequence, type SequenceResult } from '../send/single.js';
import { resolveSource } from '../send/source.js';
import { onInterrupt } from '../cli/interrupt.js';
import { queueOverridesFrom } from '../cli/queue-options.js';
import { showProgress } from '../cli/progress.js';


function ignoreClosedPipe(error: NodeJS.ErrnoException): void {
  if (error.code !== 'EPIPE') throw error;
}

/** What --scheme auto signs a new event (a sample, --data, --file) with; a fixture brings its own. */
const DEFAULT_SIGNING_SCHEME = 'standard';

/**
 * --id names the event id the app will see. Where the scheme carries the id inside the body
 * (Stripe, Slack) and the body is the user's, sent byte for byte, it cannot: refuse rather than
 * report an id the app never receives.
 */
function checkIdFits(factory: EventFactory, id: string, scheme: string): void {
  const { template, placement } = factory;
  if (placement.kind === 'fixed' && placement.id !== id) throw usageError(`--id: a --header already sets the event id to "${placement.id}"; drop one of them`);
  if (placement.kind !== 'body' || template.rewritable || template.bodyEventId === id) return;
  const has = template.bodyEventId ? `its id is "${template.bodyEventId}"` : 'it has none';
  throw usageError(`--id: ${scheme} carries the event id inside the body, and ${template.source} is sent byte for byte (${has}); put the id in the body, or drop --id`);
}

/** Says so when the app will see no event id: it cannot tell a retry from a new event. */
function warnWithoutId(output: Output, scheme: Scheme, events: OutgoingEvent[]): void {
  for (const event of events) {
    if (event.eventId !== undefined) continue;
    output.warn(`${event.template.source}: no event id in what is sent (${scheme.name} carries it inside the body, and this body has none); the app sees none and cannot tell a retry from a new event`);
  }
}

/** Fails early, with the flag named, when the secret cannot sign for this scheme (e.g. a bad whsec_). */
function checkSecret(scheme: Scheme, secret: string, url: string, flags: SecretFlags): void {
  try {
    signRequest(scheme, { body: Buffer.from('{}'), secret, timestamp: Math.floor(Date.now() / 1000), id: 'check', url });
  } catch (error) {
    if (!(error instanceof BadSecretError)) throw error;
    // Only a base64 key has a shape worth showing; text secrets cannot be malformed, so an error
    // here is about a key (a public-key provider's), and the flag it came from is named.
    const flag = signingKeyFlag(flags);
    const shape = flag === '--secret' && scheme.keyEncoding === 'base64' ? ` (${scheme.name} secrets look like whsec_<base64>)` : '';
    throw usageError(`${flag}: ${error.message}${shape}`);
  }
}

export async function run(context: CommandContext): Promise<number> {
  const { options, args, output, env } = context;
  const [rawUrl, fixture] = args;
  const url = parseUrl(rawUrl ?? '', '<url>').href;
  if (options.url !== undefined) parseUrl(String(options.url), '--url');
  const policy = retryPolicyFromFlags(options);
  const loadMode = options.count !== undefined;
  const count = loadMode ? parseInteger(String(options.count), '--count', { min: 1, max: 100_000_000 }) : 1;
  const concurrency = parseInteger(String(options.concurrency ?? '10'), '--concurrency', { min: 1, max: 10_000 });
  const rate = options.rate !== undefined ? parseNumber(String(options.rate), '--rate', { min: 0.001 }) : undefined;
  if (rate !== undefined && !loadMode) throw usageError('--rate: applies to load mode; add --count N');
  // From a config file or HOOKCTL_CONCURRENCY it is a setting for load mode; typed, it is a request.
  if (!loadMode && context.command.getOptionValueSource('concurrency') === 'cli') throw usageError('--concurrency: applies to load mode; add --count N (one event is sent once, then retried)');
  if (loadMode && options.id !== undefined) throw usageError('--id: load mode sends --count distinct events, each with its own id; drop --id');
  if (options.id !== undefined && String(options.id).trim() === '') throw usageError('--id: the event id is empty');
  const headerOverrides = ((options.header as string[] | undefined) ?? []).map((value) => parseHeaderFlag(value, '--header'));
  const secret = requireSigningSecret(options, env);

  // --scheme auto (the default): a fixture's own scheme, else Standard Webhooks for a new event.
  const named = String(options.scheme ?? 'auto');
  let scheme = getScheme(named === 'auto' ? DEFAULT_SIGNING_SCHEME : named, schemeOptionsFrom(options));
  const warn = (text: string) => output.warn(text);
  const sourceInput = { data: options.data, file: options.file, fixture, event: options.event, cwd: context.cwd, warn, queue: queueOverridesFrom(options) };
  let source = await resolveSource({ ...sourceInput, scheme });
  if (named === 'auto' && source.fixtureScheme && source.fixtureScheme !== scheme.name) {
    scheme = getScheme(source.fixtureScheme, schemeOptionsFrom(options));
    source = await resolveSource({ ...sourceInput, scheme, warn: () => {} });
  }
  // Twilio signs the URL as the provider requests it: the public one from --url, exactly as
  // given, or else the target as it goes on the wire (normalised, e.g. with its trailing "/").
  const signingUrl = options.url !== undefined ? String(options.url) : url;
  checkSecret(scheme, secret, signingUrl, options);

  // `hookctl send ... | head` closes the pipe early; that is the reader's choice, not a crash.
  output.stdout.on('error', ignoreClosedPipe);

  const plan: SendPlan = { scheme, secret, url, signingUrl, headerOverrides };
  const factories = source.templates.map((template) => new EventFactory(template, plan));
  if (options.id !== undefined) for (const factory of factories) checkIdFits(factory, String(options.id), scheme.name);
  const events = loadMode ? [] : factories.map((factory) => factory.make(options.id !== undefined ? { id: String(options.id) } : {}));
  warnWithoutId(output, scheme, loadMode ? factories.map((factory) => factory.make({ fresh: true })) : events);
  const dispatcher = createDispatcher(loadMode ? { connections: concurrency } : {});
  const interrupt = onInterrupt();
  try {
    if (loadMode) return await runLoad(output, plan, factories, { count, concurrency, policy, signal: interrupt.signal, dispatcher, ...(rate !== undefined ? { rate } : {}) });
    return await runEvents(output, plan, events, policy, interrupt.signal, dispatcher);
  } finally {
    const interrupted = interrupt.signal.aborted;
    interrupt.dispose();
    // Close the idle keep-alive sockets now rather than at their timeout; after Ctrl-C nothing is waited for.
    await (interrupted ? dispatcher.destroy() : dispatcher.close()).catch(() => {});
  }
}

// ---------------------------------------------------------------- one event (or a journal's few)

/** The app's side of a refused attempt: its answer, and the hint when it reads like a failed signature check on what send signed. */
function refusalOf(plan: SendPlan, event: OutgoingEvent, attempt: Attempt): { app?: AppAnswer; hint?: string } {
  const headers: Record<string, string> = {};
  if (event.template.contentType !== undefined) headers['content-type'] = event.template.contentType;
  // What the hint reads of the request: its content type, and that Twilio signed it (the value is not used).
  if (plan.scheme.name === 'twilio') headers['x-twilio-signature'] = 'signed';
  return appSide(attempt, plan.secret === undefined ? 'passed on' : 'signed', { headers, body: event.body });
}

function attemptRecord(event: OutgoingEvent, attempt: Attempt, refusal: { app?: AppAnswer; hint?: string } = {}): { type: string } & Record<string, unknown> {
  return {
    type: 'attempt',
    eventId: event.eventId ?? null,
    attempt: attempt.attempt,
    status: attempt.status,
    // The app's words when it refused (the human line shows them too), not null beside them.
    error: attempt.error ?? (attempt.status !== null && (attempt.status < 200 || attempt.status >= 300) ? attemptError(attempt) : null),
    ms: attempt.ms,
    willRetry: attempt.willRetry,
    ...refusal,
    ...(attempt.nextDelayMs !== undefined ? { nextDelayMs: attempt.nextDelayMs } : {}),
    ...(attempt.retryAfterMs !== undefined ? { retryAfterMs: attempt.retryAfterMs } : {}),
    ...(attempt.retryAfterCappedMs !== undefined ? { retryAfterCappedMs: attempt.retryAfterCappedMs } : {}),
  };
}

function resultRecord(event: OutgoingEvent, outcome: DeliveryOutcome): { type: string } & Record<string, unknown> {
  return {
    type: 'result',
    eventId: event.eventId ?? null,
    eventType: event.type ?? null,
    delivered: outcome.delivered,
    attempts: outcome.attempts.length,
    status: outcome.status,
    ...(outcome.interrupted ? { interrupted: true } : {}),
  };
}

/** The spinner line: which attempt, the last answer, and a countdown to the next try. */
class AttemptSpinner {
  private spinner: Spinner | undefined;
  private ticker: NodeJS.Timeout | undefined;

  constructor(
    private readonly output: Output,
    private readonly total: number,
  ) {}

  /** Loads ora (on a TTY only) before anything is sent, so later updates are synchronous. */
  async init(): Promise<void> {
    if (!this.output.interactive) return;
    this.spinner = await this.output.spinner('preparing…');
    this.spinner.stop();
  }

  sending(attempt: number, last: string | undefined): void {
    this.show(`attempt ${attempt}/${this.total}${last ? ` · last ${last}` : ''} · sending…`);
  }

  waiting(ms: number, nextAttempt: number, last: string): void {
    const until = Date.now() + ms;
    const text = () => {
      const left = until - Date.now();
      if (left <= 0) return `attempt ${nextAttempt}/${this.total} · last ${last} · sending…`;
      return `attempt ${nextAttempt - 1}/${this.total} · last ${last} · next try (${nextAttempt}/${this.total}) in ${formatDuration(left)} · Ctrl-C to stop`;
    };
    this.show(text());
    this.ticker = setInterval(() => {
      if (this.spinner) this.spinner.text = text();
    }, 200);
  }

  private show(text: string): void {
    this.clearTicker();
    if (!this.spinner) return;
    this.spinner.text = text;
    this.spinner.start(text);
  }

  private clearTicker(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
  }

  /** Clears the line so a result can be printed where it was. */
  stop(): void {
    this.clearTicker();
    this.spinner?.stop();
  }
}

function describeAttempt(output: Output, attempt: Attempt): string {
  const { color } = output;
  const ok = attempt.status !== null && attempt.status >= 200 && attempt.status < 300;
  const status = formatStatus(attempt.status, attempt.error);
  const painted = ok ? color.green(status) : attempt.status !== null && attempt.status < 500 && !attempt.willRetry ? color.red(status) : color.yellow(status);
  let line = `  attempt ${attempt.attempt}: ${painted} in ${attempt.ms}ms`;
  const snippet = ok ? undefined : snippetOf(attempt);
  if (snippet) line += color.dim(` — ${snippet}`);
  if (attempt.willRetry) {
    const asked = retryAfterText(attempt);
    line += `; retrying in ${formatDuration(attempt.nextDelayMs ?? 0)}${asked ? ` (${asked})` : ''}`;
  } else if (!ok && attempt.status !== null && attempt.status >= 400 && attempt.status < 500 && attempt.status !== 408 && attempt.status !== 429) {
    line += '; not retried (a 4xx answer is final)';
  }
  return line;
}

/** The event as the app knows it: its id, or its type and a plain statement that it has no id. */
function eventLabel(event: OutgoingEvent): string {
  return event.eventId ?? `${event.type ?? 'the event'} (no event id)`;
}

function verdict(output: Output, event: OutgoingEvent, outcome: DeliveryOutcome, total: number): string {
  const id = eventLabel(event);
  const n = outcome.attempts.length;
  const tries = `${n} attempt${n === 1 ? '' : 's'}`;
  if (outcome.delivered) return output.ok(`delivered ${id} (${tries})`);
  const last = outcome.attempts[n - 1];
  const lastText = last ? formatStatus(last.status, last.error) : 'no attempt';
  if (outcome.interrupted) return output.bad(`interrupted: ${id} was not delivered (${tries}, last: ${lastText})`);
  if (last && !last.willRetry && n < total && last.status !== null && last.status < 500) return output.bad(`not delivered: ${id} was refused with ${lastText}`);
  return output.bad(`gave up on ${id} after ${tries} (last: ${lastText})`);
}

async function runEvents(output: Output, plan: SendPlan, events: OutgoingEvent[], policy: RetryPolicy, signal: AbortSignal, dispatcher: ReturnType<typeof createDispatcher>): Promise<number> {
  const total = policy.delaysMs.length;
  const spinner = new AttemptSpinner(output, total);
  await spinner.init();
  let last: string | undefined;
  const result: SequenceResult = await sendSequence(plan, events, {
    policy,
    dispatcher,
    signal,
    onStart: (event) => {
      last = undefined;
      const type = event.type ? ` ${event.type}` : '';
      output.line(output.color.bold(`→ ${plan.scheme.name}${type} ${event.eventId ?? '(no event id)'}`) + output.color.dim(` to ${displayUrl(event.postUrl)}`) + (events.length > 1 ? output.color.dim(` (${event.template.source})`) : ''));
      spinner.sending(1, undefined);
    },
    onAttempt: (event, attempt) => {
      spinner.stop();
      last = formatStatus(attempt.status, attempt.error);
      const refusal = refusalOf(plan, event, attempt);
      output.record(attemptRecord(event, attempt, refusal));
      output.line(describeAttempt(output, attempt) + (refusal.hint ? `\n    ${output.color.yellow('hint:')} ${refusal.hint}` : ''));
    },
    onWait: (_event, ms, nextAttempt) => spinner.waiting(ms, nextAttempt, last ?? ''),
    onResult: (event, outcome) => {
      spinner.stop();
      output.record(resultRecord(event, outcome));
      output.line(verdict(output, event, outcome, total));
    },
  });
  spinner.stop();

  const delivered = result.results.filter((entry) => entry.outcome.delivered).length;
  if (result.interrupted) {
    const notDelivered = result.results.length - delivered + result.notSent.length;
    output.note(`interrupted: ${delivered} delivered, ${notDelivered} not delivered${result.notSent.length ? ` (${result.notSent.length} never sent: ${result.notSent.map(eventLabel).join(', ')})` : ''}`);
    return EXIT.interrupted;
  }
  if (events.length > 1) output.line(`${delivered} of ${events.length} delivered`);
  return delivered === events.length ? EXIT.ok : EXIT.failed;
}

// ---------------------------------------------------------------- load mode

/**
 * NDJSON records written in batches: at load-mode rates one write per record costs more than
 * the request. Flushed every 50ms so a reader sees records as they happen, and when stdout
 * pushes back (a slow `| jq`), new events wait, so memory stays bounded.
 */
class RecordBatcher {
  private lines: string[] = [];
  private bytes = 0;
  private blocked: Promise<void> | undefined;
  private readonly timer: NodeJS.Timeout;

  private closed = false;
  private release: (() => void) | undefined;

  constructor(private readonly out: NodeJS.WritableStream) {
    this.timer = setInterval(() => this.flush(), 50);
    // A reader that went away (EPIPE) will never drain: stop holding events back for it.
    out.once('error', () => {
      this.closed = true;
      this.release?.();
    });
  }

  push(record: object): void {
    const line = `${JSON.stringify(record)}\n`;
    this.lines.push(line);
    this.bytes += line.length;
    if (this.bytes >= 64 * 1024) this.flush();
  }

  flush(): void {
    if (this.lines.length === 0) return;
    const chunk = this.lines.join('');
    this.lines = [];
    this.bytes = 0;
    if (this.closed) return;
    if (!this.out.write(chunk) && !this.blocked) {
      this.blocked = new Promise<void>((resolve) => {
        this.release = () => {
          this.blocked = undefined;
          this.release = undefined;
          this.out.off('drain', this.onDrain);
          resolve();
        };
        this.out.once('drain', this.onDrain);
      });
    }
  }

  private readonly onDrain = () => this.release?.();

  /** Resolves when stdout has room again; undefined when it has room now. */
  drained(): Promise<void> | undefined {
    return this.blocked;
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
  }
}

async function runLoad(
  output: Output,
  plan: SendPlan,
  factories: EventFactory[],
  options: { count: number; concurrency: number; rate?: number; policy: RetryPolicy; signal: AbortSignal; dispatcher: ReturnType<typeof createDispatcher> },
): Promise<number> {
  const json = output.json;
  const records = json ? new RecordBatcher(output.stdout) : undefined;
  const run = new LoadRun(plan, factories, {
    ...options,
    ...(records
      ? {
          onAttempt: (event: OutgoingEvent, attempt: Attempt) => records.push(attemptRecord(event, attempt)),
          onResult: (event: OutgoingEvent, outcome: DeliveryOutcome) => records.push(resultRecord(event, outcome)),
          beforeEvent: () => records.drained(),
        }
      : {}),
  });
  const progress = await showProgress(output, () => {
    const c = run.counters;
    const seconds = run.elapsedMs() / 1000;
    const rate = seconds > 0 ? Math.round(c.finished / seconds) : 0;
    return { fraction: c.finished / options.count, text: `${c.finished}/${options.count} · ${c.delivered} delivered · ${c.failed} failed · ${rate}/s · Ctrl-C to stop` };
  });
  let summary: LoadSummary;
  try {
    summary = await run.run();
  } finally {
    progress.stop();
    records?.close();
  }

  output.record({
    type: 'summary',
    sent: summary.finished,
    delivered: summary.delivered,
    failed: summary.failed,
    rps: summary.rps,
    latencyMs: { p50: summary.latencyMs.p50, p90: summary.latencyMs.p90, p99: summary.latencyMs.p99, max: summary.latencyMs.max },
    count: summary.count,
    notSent: summary.notSent,
    attempts: summary.attempts,
    deliveredPerSecond: summary.deliveredPerSecond,
    durationMs: summary.elapsedMs,
    statuses: summary.statuses,
    errors: summary.errors,
    meanLatencyMs: summary.latencyMs.mean,
    cpuMs: summary.cpuMs,
    concurrency: options.concurrency,
    ...(options.rate !== undefined ? { rate: options.rate } : {}),
    interrupted: summary.interrupted,
  });
  if (!json) printLoadSummary(output, plan, summary);
  if (summary.interrupted) {
    output.note(`interrupted: ${summary.delivered} delivered, ${summary.failed} failed, ${summary.notSent} of ${summary.count} not delivered or never sent`);
    return EXIT.interrupted;
  }
  return summary.failed === 0 ? EXIT.ok : EXIT.failed;
}

function printLoadSummary(output: Output, plan: SendPlan, summary: LoadSummary): void {
  const { color } = output;
  const seconds = summary.elapsedMs / 1000;
  output.line(color.bold(`${summary.finished} events (${plan.scheme.name}) to ${displayUrl(plan.url)} in ${seconds.toFixed(2)}s: ${summary.deliveredPerSecond} delivered/s, ${summary.rps} requests/s`));
  const delivered = summary.delivered === summary.finished ? color.green(`${summary.delivered} delivered`) : `${summary.delivered} delivered`;
  const failed = summary.failed > 0 ? color.red(`${summary.failed} failed`) : `${summary.failed} failed`;
  output.line(`  ${delivered} · ${failed}${summary.notSent ? ` · ${summary.notSent} not sent` : ''} · ${summary.attempts} requests`);
  const statuses = Object.entries(summary.statuses).map(([status, n]) => `${status} × ${n}`);
  const errors = Object.entries(summary.errors).map(([error, n]) => `${error} × ${n}`);
  if (statuses.length) output.line(`  status   ${statuses.join(', ')}`);
  if (errors.length) output.line(`  errors   ${errors.join(', ')}`);
  const l = summary.latencyMs;
  output.line(`  latency  p50 ${formatMs(l.p50)} · p90 ${formatMs(l.p90)} · p99 ${formatMs(l.p99)} · max ${formatMs(l.max)} · mean ${formatMs(l.mean)}`);
  if (summary.attempts > 0) output.line(`  cpu      ${summary.cpuMs}ms in this process, ${Math.round((summary.cpuMs * 1000) / summary.attempts)}µs per request`);
}
