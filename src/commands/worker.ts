import { hostname } from 'node:os';
import type { CommandContext } from '../cli/context.js';
import { onInterrupt } from '../cli/interrupt.js';
import type { Output } from '../cli/output.js';
import { queueOverridesFrom, readSecretFile, redisTimeoutFrom } from '../cli/queue-options.js';
import { schemeOptionsFrom } from '../cli/scheme-flags.js';
import { retryPolicyFromFlags } from '../delivery/policy.js';
import { EXIT, usageError } from '../errors.js';
import { parseDuration, parseInteger, parsePositiveDuration } from '../options/units.js';
import { parseQueueAddress, pastableAddress } from '../queue/address.js';
import { connectRedis } from '../queue/connection.js';
import { checkDurability, recheckOnReconnect } from '../queue/durability.js';
import { queueKeys } from '../queue/keys.js';
import { QueueWorker, type WorkerEvent, type WorkerOptions, type WorkerSummary } from '../queue/worker.js';
import { describeTarget, routesFrom } from '../routes/route.js';
import { resolveSecrets } from '../cli/secrets.js';
import { formatDuration } from '../text/duration.js';
import { appAnswerLines } from './app-answer.js';
import { printable } from '../text/printable.js';
import { displayUrl, hideUrlPasswords } from '../text/url.js';

type Options = CommandContext['options'];

function forwardSecretFrom(options: Options): string | undefined {
  if (options.forwardSecret !== undefined && options.forwardSecretFile !== undefined) throw usageError('--forward-secret and --forward-secret-file: give one or the other');
  if (options.forwardSecretFile !== undefined) return readSecretFile(String(options.forwardSecretFile), '--forward-secret-file');
  if (options.forwardSecret === undefined) return undefined;
  const secret = String(options.forwardSecret);
  if (secret === '') throw usageError('--forward-secret: the secret is empty');
  return secret;
}

/** Flags to worker options; every bad value is a usage error naming its flag. */
function workerOptionsFrom(options: Options): Omit<WorkerOptions, 'onEvent'> {
  const routes = routesFrom(options.forwardTo === undefined ? undefined : String(options.forwardTo), (options.route as string[] | undefined) ?? []);
  if (routes.length === 0) throw usageError("--forward-to: where should deliveries go? Give --forward-to URL or one or more --route 'FILTER=URL'");
  const schemeOptions = schemeOptionsFrom(options);
  const secret = forwardSecretFrom(options);
  const result: Omit<WorkerOptions, 'onEvent'> = {
    routes,
    policy: retryPolicyFromFlags(options),
    consumer: String(options.consumer ?? `${hostname()}-${process.pid}`),
    concurrency: parseInteger(String(options.concurrency ?? '10'), '--concurrency', { min: 1, max: 10_000 }),
    claimIdleMs: parsePositiveDuration(String(options.claimIdle ?? '30s'), '--claim-idle'),
    retainMs: parseDuration(String(options.retain ?? '10m'), '--retain'),
    drainTimeoutMs: parseDuration(String(options.drainTimeout ?? '10s'), '--drain-timeout'),
    schemeOptions,
  };
  if (result.consumer.trim() === '' || /\s/.test(result.consumer)) throw usageError(`--consumer: "${result.consumer}" is not a usable name (no spaces)`);
  if (secret !== undefined) result.signing = { secret, fallbackScheme: String(options.scheme ?? 'auto'), schemeOptions };
  const secrets = resolveSecrets({ secret: options.secret as string[] | undefined, secretFile: options.secretFile as string[] | undefined });
  if (secrets.length > 0) result.secrets = secrets;
  return result;
}

function clock(date: Date = new Date()): string {
  return date.toTimeString().slice(0, 8);
}

/** An event as printed: no URL password in its route or target. */
function masked(event: WorkerEvent): { type: string } & Record<string, unknown> {
  return JSON.parse(hideUrlPasswords(JSON.stringify(event))) as { type: string } & Record<string, unknown>;
}

function render(output: Output, event: WorkerEvent, quiet: boolean): void {
  const c = output.color;
  const ec = output.errColor;
  switch (event.type) {
    case 'attempt': {
      output.record(masked(event));
      if (output.json || quiet) return;
      const ok = event.status !== null && event.status >= 200 && event.status < 300;
      const answer = event.status === null ? c.red(event.error ?? 'no answer') : ok ? c.green(String(event.status)) : c.red(String(event.status));
      const next = event.willRetry && event.nextAttemptAt ? c.yellow(`retry ${event.attempt + 1}/${event.of} in ${formatDuration(Date.parse(event.nextAttemptAt) - Date.now())}`) : '';
      output.line(
        [c.dim(clock()), ok ? c.green('✓') : c.red('✗'), printable(event.eventId ?? event.entryId, 36), c.cyan(printable(event.eventType ?? '-', 40)), `→ ${printable(displayUrl(event.target ?? ''), 60)}`, answer, c.dim(`${event.ms}ms`), c.dim(`attempt ${event.attempt}/${event.of}`), next]
          .filter(Boolean)
          .join('  ') + appAnswerLines(c, event, false),
      );
      return;
    }
    case 'result':
      output.record(masked(event));
      if (output.json || quiet || event.delivered) return;
      output.line(`  ${c.red('✗ dead letter')}  ${printable(event.eventId ?? event.entryId, 36)}  ${c.dim(`${event.dead}: ${printable(event.error ?? '', 160)}`)}`);
      return;
    case 'unrouted':
      output.record(masked(event));
      if (!output.json && !quiet) output.line(`${c.dim(clock())}  ${c.dim('·')}  ${printable(event.eventId ?? event.entryId, 36)}  ${c.cyan(printable(event.eventType ?? '-', 40))}  ${c.dim(`no route matches ${printable(event.path, 60)}; acknowledged`)}`);
      return;
    case 'reclaimed':
      output.record(masked(event));
      output.note(ec.dim(`took over ${event.entryIds.length} deliver${event.entryIds.length === 1 ? 'y' : 'ies'} from a worker that stopped`));
      return;
    case 'connection':
      output.record(masked(event));
      if (event.state === 'lost') output.warn(`lost the connection to Redis (${event.error ?? 'closed'}); reconnecting…`);
      else output.note(ec.green('reconnected to Redis'));
      return;
    case 'warning':
      output.warn(event.message);
      return;
  }
}

function renderSummary(output: Output, summary: WorkerSummary): void {
  output.record({ type: 'summary', ...summary });
  if (output.json) return;
  const c = output.color;
  const extra = [
    summary.retried ? `${summary.retried} retries scheduled` : '',
    summary.dead ? c.red(`${summary.dead} dead letters`) : '',
    summary.malformed ? c.red(`${summary.malformed} malformed entries`) : '',
    summary.unrouted ? `${summary.unrouted} matched no route` : '',
    summary.reclaimed ? `${summary.reclaimed} taken over` : '',
    summary.abandoned ? c.yellow(`${summary.abandoned} left in the queue for another worker`) : '',
  ].filter(Boolean);
  output.line(`${c.bold('summary')}: ${summary.delivered} delivered in ${summary.attempts} attempts${extra.length ? `, ${extra.join(', ')}` : ''}`);
}

export async function run({ options, args, output }: CommandContext): Promise<number> {
  const address = parseQueueAddress(String(args[0] ?? ''), queueOverridesFrom(options), '<redis-url>');
  const workerOptions = workerOptionsFrom(options);
  const quiet = Boolean(options.quiet);

  const timeoutMs = redisTimeoutFrom(options);
  const timeouts = timeoutMs === undefined ? {} : { connectTimeoutMs: timeoutMs, commandTimeoutMs: timeoutMs };
  const connection = await connectRedis(address, { name: `hookctl-worker:${workerOptions.consumer}`, ...timeouts });
  let reader;
  try {
    reader = await connectRedis(address, { name: `hookctl-worker-reader:${workerOptions.consumer}`, ...timeouts });
  } catch (error) {
    await connection.close();
    throw error;
  }
  const durability = { allowEviction: Boolean(options.allowEviction) };
  try {
    for (const warning of await checkDurability(connection, durability)) output.warn(warning);
  } catch (error) {
    await Promise.all([connection.close(), reader.close()]);
    throw error;
  }
  recheckOnReconnect(connection, durability, (message) => output.warn(message));
  const worker = new QueueWorker(connection, reader, queueKeys(address.stream), { ...workerOptions, onEvent: (event) => render(output, event, quiet) });
  try {
    await worker.start();
    const routes = workerOptions.routes.map((route) => ({ name: route.name, url: displayUrl(route.url) }));
    output.record({ type: 'worker', consumer: workerOptions.consumer, queue: address.display, stream: address.stream, group: address.group, routes, concurrency: workerOptions.concurrency });
    const ec = output.errColor;
    output.note(`${ec.bold('worker')} ${workerOptions.consumer} ${ec.dim('reading')} ${address.display} ${ec.dim(`(stream ${address.stream}, group ${address.group})`)}`);
    for (const route of workerOptions.routes) output.note(ec.dim(`  → ${route.types.length === 0 && route.paths.length === 0 ? 'everything' : route.name.slice(0, route.name.length - displayUrl(route.url).length - 1)} to ${describeTarget(route.url, route.keepPath)}`));
    output.note(ec.dim(`${workerOptions.concurrency} in flight at most; attempts ${workerOptions.policy.delaysMs.map((ms, index) => (index === 0 ? 'now' : `+${formatDuration(ms * workerOptions.policy.timeScale)}`)).join(', ')}; Ctrl-C to stop`));

    const interrupt = onInterrupt(() => output.note(ec.dim('stopping: finishing forwards in flight (Ctrl-C again to quit at once)')));
    // A line per forward: batched, and never allowed to stall the worker.
    output.streamStdout();
    await new Promise((resolve) => interrupt.signal.addEventListener('abort', resolve, { once: true }));
    const summary = await worker.stop();
    interrupt.dispose();
    if (summary.abandoned > 0) output.warn(`${summary.abandoned} deliveries did not finish within --drain-timeout; they stay in the queue and another worker takes them over after --claim-idle`);
    output.endStream();
    renderSummary(output, summary);
    // A forward that gave up is a failed run, as for listen: the contract's exit 1.
    const pastable = pastableAddress(address);
    if (summary.dead > 0) output.warn(`${summary.dead} forward${summary.dead === 1 ? '' : 's'} gave up and became dead letters (list them: hookctl queue dead ${pastable.args}; send them again: hookctl queue requeue ${pastable.args} --all${pastable.hint ? `; ${pastable.hint}` : ''})`);
    await output.flush();
    return summary.dead > 0 ? EXIT.failed : EXIT.ok;
  } finally {
    await worker.stop();
    await Promise.all([connection.close(), reader.close()]);
  }
}
