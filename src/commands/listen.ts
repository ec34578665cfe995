import type { CommandContext } from '../cli/context.js';
import { displayUrl } from '../cli/output.js';
import { onInterrupt } from '../cli/interrupt.js';
import type { Output } from '../cli/output.js';
import { schemeOptionsFrom } from '../cli/scheme-flags.js';
import { resolveSecrets } from '../cli/secrets.js';
import { parseRetrySchedule } from '../delivery/policy.js';
import { EXIT, usageError } from '../errors.js';
import type { Delivery, ListenOptions, ListenSummary, QueuedForward } from '../listen/types.js';
import { BadSecretError, keyFromSecret } from '../schemes/crypto.js';
import { isEd25519Secret } from '../schemes/ed25519.js';
import { getScheme } from '../schemes/registry.js';
import { parseDuration, parseHttpStatus, parseInteger, parsePositiveDuration, parseProbability, parseSize, parseUrl } from '../options/units.js';

type Options = CommandContext['options'];

/** Flags to listener options; every bad value is a usage error naming its flag. */
export function listenOptionsFrom(options: Options, env: NodeJS.ProcessEnv): ListenOptions {
  const port = parseInteger(String(options.port), '--port', { min: 0, max: 65535 });
  const path = options.path as string | undefined;
  if (path !== undefined && !path.startsWith('/')) throw usageError(`--path: expected a path starting with /, got "${path}"`);
  const secrets = resolveSecrets(options, env);
  const capture = options.capture === false ? undefined : String(options.capture ?? 'fixtures/captured');
  if (capture === undefined && options.durable) throw usageError('--durable: nothing is written with --no-capture; drop one of them');
  if (capture === undefined && options.captureFiles) throw usageError('--capture-files: nothing is written with --no-capture; drop one of them');
  if (capture === '') throw usageError('--capture: expected a folder');

  const scheme = String(options.scheme ?? 'auto');
  if (scheme !== 'auto') checkSecretsFit(scheme, secrets);

  const result: ListenOptions = {
    port,
    host: String(options.host ?? '127.0.0.1'),
    scheme,
    schemeOptions: schemeOptionsFrom(options),
    secrets,
    toleranceSeconds: parseDuration(String(options.tolerance ?? '5m'), '--tolerance') / 1000,
    captureFiles: Boolean(options.captureFiles),
    durable: Boolean(options.durable),
    maxBodyBytes: parseSize(String(options.maxBody ?? '1mb'), '--max-body'),
    headerTimeoutMs: parsePositiveDuration(String(options.headerTimeout ?? '10s'), '--header-timeout'),
    bodyTimeoutMs: parsePositiveDuration(String(options.bodyTimeout ?? '30s'), '--body-timeout'),
    drainTimeoutMs: parseDuration(String(options.drainTimeout ?? '10s'), '--drain-timeout'),
  };
  if (result.maxBodyBytes! <= 0) throw usageError('--max-body: must be greater than 0');
  if (path !== undefined) result.path = path;
  if (capture !== undefined) result.captureDir = capture;
  if (options.url !== undefined) result.publicUrl = parseUrl(String(options.url), '--url').href;
  if (options.idHeader !== undefined) {
    const name = String(options.idHeader).trim().toLowerCase();
    if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name)) throw usageError(`--id-header: "${options.idHeader}" is not a header name`);
    result.idHeader = name;
  }

  // Repeated flags give a list; HOOKCTL_KEEP_HEADER gives one string, possibly comma-separated.
  const keep = [options.keepHeader ?? []]
    .flat()
    .flatMap((value: string) => String(value).split(','))
    .map((name) => name.trim())
    .filter(Boolean);
  for (const name of keep) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw usageError(`--keep-header: "${name}" is not a header name`);
  }
  if (keep.length > 0) result.keepHeaders = keep.map((name) => name.toLowerCase());

  if (options.forwardTo !== undefined) {
    result.forward = {
      url: parseUrl(String(options.forwardTo), '--forward-to').href,
      ackFirst: Boolean(options.ackFirst),
      timeoutMs: parsePositiveDuration(String(options.forwardTimeout ?? '10s'), '--forward-timeout'),
    };
    if (options.forwardSecret !== undefined) {
      if (String(options.forwardSecret) === '') throw usageError('--forward-secret: the secret is empty');
      result.forward.secret = String(options.forwardSecret);
    }
    if (options.forwardRetrySchedule !== undefined) {
      result.forward.retryScheduleMs = parseRetrySchedule(String(options.forwardRetrySchedule), '--forward-retry-schedule').delaysMs;
    }
  } else {
    for (const [flag, name] of [['--ack-first', 'ackFirst'], ['--forward-secret', 'forwardSecret'], ['--forward-retry-schedule', 'forwardRetrySchedule']] as const) {
      if (options[name] !== undefined && options[name] !== false) throw usageError(`${flag}: only makes sense with --forward-to URL`);
    }
  }

  const faults: NonNullable<ListenOptions['faults']> = {};
  if (options.status !== undefined) faults.status = parseHttpStatus(String(options.status), '--status');
  if (options.failFirst !== undefined) faults.failFirst = parseInteger(String(options.failFirst), '--fail-first', { min: 0 });
  if (options.failRate !== undefined) faults.failRate = parseProbability(String(options.failRate), '--fail-rate');
  if (options.failStatus !== undefined) faults.failStatus = parseHttpStatus(String(options.failStatus), '--fail-status');
  if (options.retryAfter !== undefined) faults.retryAfterMs = parseDuration(String(options.retryAfter), '--retry-after');
  if (options.resetRate !== undefined) faults.resetRate = parseProbability(String(options.resetRate), '--reset-rate');
  if (options.delay !== undefined) faults.delayMs = parseDuration(String(options.delay), '--delay');
  result.faults = faults;
  return result;
}

/**
 * A secret the named scheme cannot turn into a key (a Standard Webhooks secret that is not base64)
 * would make the listener refuse every delivery: say so at start instead. The secret is not echoed.
 */
function checkSecretsFit(schemeName: string, secrets: readonly string[]): void {
  const scheme = getScheme(schemeName);
  for (const [index, secret] of secrets.entries()) {
    if ((schemeName === 'standard' || schemeName === 'svix') && isEd25519Secret(secret)) continue;
    try {
      keyFromSecret(secret, scheme.keyEncoding);
    } catch (error) {
      if (!(error instanceof BadSecretError)) throw error;
      const which = secrets.length > 1 ? ` (secret #${index + 1})` : '';
      throw usageError(`--secret${which}: not a usable ${scheme.title} key: ${error.message}`);
    }
  }
}

/** True for addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  return /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|\[::1\]|localhost)$/i.test(host.trim());
}

/** Text from the sender, made safe for a terminal: no escape sequences or control characters. */
function printable(text: string, max = Infinity): string {
  const clean = text.replace(/[\x00-\x1f\x7f-\x9f]/g, '?');
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

function printableBlock(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, '?');
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function clock(date: Date): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

function statusText(output: Output, status: number | null): string {
  const c = output.color;
  if (status === null) return c.red('reset');
  if (status < 300) return c.green(String(status));
  if (status < 500) return c.yellow(String(status));
  return c.red(String(status));
}

const MAX_VERBOSE_BODY = 16 * 1024;

function prettyBody(body: Buffer): string {
  if (body.length === 0) return '(empty body)';
  const shown = body.subarray(0, MAX_VERBOSE_BODY);
  const more = body.length > MAX_VERBOSE_BODY ? `\n… ${body.length - MAX_VERBOSE_BODY} more bytes` : '';
  const text = shown.toString('utf8');
  if (text.includes('\ufffd')) return `(${body.length} bytes of binary: ${shown.subarray(0, 64).toString('hex')}${body.length > 64 ? '…' : ''})`;
  if (more === '') {
    try {
      return printableBlock(JSON.stringify(JSON.parse(text), null, 2));
    } catch {
      // not JSON: shown as text
    }
  }
  return printableBlock(text) + more;
}

function renderDelivery(output: Output, delivery: Delivery, verbose: boolean): void {
  if (output.json) {
    output.record({
      type: 'delivery',
      id: delivery.id,
      eventId: delivery.eventId,
      eventType: delivery.eventType,
      method: delivery.method,
      path: delivery.path,
      scheme: delivery.scheme,
      verified: delivery.verified,
      reason: delivery.reason,
      duplicate: delivery.duplicate,
      status: delivery.status,
      bytes: delivery.bytes,
      capture: delivery.capture,
      forward: delivery.forward,
      // Additions beyond the contract's fields:
      ...(delivery.forwardQueued ? { forwardQueued: true } : {}),
      ...(delivery.reset ? { reset: true } : {}),
      ...(delivery.note ? { note: delivery.note } : {}),
      ...(delivery.verification && !delivery.verification.verified ? { message: delivery.verification.message, diagnosis: delivery.verification.diagnosis ?? null } : {}),
      ms: delivery.ms,
      receivedAt: delivery.receivedAt.toISOString(),
      ...(verbose ? { headers: delivery.headers, body: delivery.body.toString(delivery.body.length > 0 && !delivery.body.toString('utf8').includes('\ufffd') ? 'utf8' : 'base64') } : {}),
    });
    return;
  }
  const c = output.color;
  let check: string;
  if (delivery.verified === true) check = c.green(`✓ ${delivery.scheme}`);
  else if (delivery.verified === false) check = c.red(`✗ ${delivery.reason}${delivery.scheme ? ` [${delivery.scheme}]` : ''}`);
  else if (delivery.reason) check = c.red(`✗ ${delivery.reason}`);
  else check = c.dim(`· unverified${delivery.scheme ? ` ${delivery.scheme}` : ''}`);
  const parts = [
    c.dim(clock(delivery.receivedAt)),
    `${delivery.method} ${printable(delivery.path, 60)}`,
    c.cyan(printable(delivery.eventType ?? '-', 40)),
    printable(delivery.eventId ?? '-', 36),
    check,
  ];
  if (delivery.duplicate) parts.push(c.yellow('duplicate'));
  parts.push(c.dim(formatBytes(delivery.bytes)), statusText(output, delivery.status));
  if (delivery.forward) parts.push(`→ app ${delivery.forward.status === null ? c.red(delivery.forward.error ?? 'failed') : statusText(output, delivery.forward.status)} ${c.dim(`${delivery.forward.ms}ms`)}`);
  else if (delivery.forwardQueued) parts.push(c.dim('→ queued'));
  if (delivery.note && !delivery.forward) parts.push(c.dim(`(${delivery.note})`));
  output.line(parts.join('  '));
  const v = delivery.verification;
  if (v && !v.verified) {
    output.line(`    ${c.dim(v.message)}`);
    if (v.diagnosis) output.line(`    ${c.yellow('likely cause:')} ${v.diagnosis}`);
  }
  if (verbose) {
    for (const [name, value] of Object.entries(delivery.headers)) output.line(`    ${c.dim(`${printable(name)}:`)} ${printable(value)}`);
    output.line(
      prettyBody(delivery.body)
        .split('\n')
        .map((line) => `    ${line}`)
        .join('\n'),
    );
  }
}

function renderForward(output: Output, forward: QueuedForward): void {
  output.record({ type: 'forward', id: forward.id, eventId: forward.eventId, delivered: forward.delivered, status: forward.status, attempts: forward.attempts, ms: forward.ms, error: forward.error });
  if (output.json) return;
  const c = output.color;
  const what = forward.delivered ? c.green(`→ app ${forward.status}`) : c.red(`→ app gave up: ${forward.status ?? forward.error}`);
  output.line(`  ${c.dim('↳')} ${printable(forward.eventId ?? forward.id, 36)}  ${what}  ${c.dim(`${forward.attempts} attempt${forward.attempts === 1 ? '' : 's'}, ${forward.ms}ms`)}`);
}

function renderSummary(output: Output, summary: ListenSummary): void {
  output.record({
    type: 'summary',
    received: summary.received,
    verified: summary.verified,
    rejected: summary.rejected,
    duplicates: summary.duplicates,
    forwarded: summary.forwarded,
    forwardFailed: summary.forwardFailed,
    injected: summary.injected,
    resets: summary.resets,
    captured: summary.captured,
    captureErrors: summary.captureErrors,
    abandonedForwards: summary.abandonedForwards,
  });
  if (output.json) return;
  const c = output.color;
  const extra = [
    summary.forwardFailed ? `${summary.forwardFailed} forward failures` : '',
    summary.injected ? `${summary.injected} injected failures` : '',
    summary.resets ? `${summary.resets} resets` : '',
    summary.captureErrors ? c.red(`${summary.captureErrors} capture errors`) : '',
    summary.abandonedForwards ? c.red(`${summary.abandonedForwards} queued forwards abandoned`) : '',
  ].filter(Boolean);
  output.line(
    `${c.bold('summary')}: ${summary.received} received, ${summary.verified} verified, ${summary.rejected} rejected, ${summary.duplicates} duplicate${summary.duplicates === 1 ? '' : 's'}, ${summary.forwarded} forwarded${extra.length ? `, ${extra.join(', ')}` : ''}`,
  );
}

/** Warnings are limited to one a second, so a failing disk under load does not flood the terminal. */
function limitedWarnings(output: Output): (message: string) => void {
  let last = 0;
  let suppressed = 0;
  return (message) => {
    const now = Date.now();
    if (now - last < 1000) {
      suppressed++;
      return;
    }
    last = now;
    output.warn(suppressed > 0 ? `${message} (and ${suppressed} more warnings)` : message);
    suppressed = 0;
  };
}

export async function run({ options, output, env }: CommandContext): Promise<number> {
  const listenOptions = listenOptionsFrom(options, env);
  const verbose = Boolean(options.verbose);
  const quiet = Boolean(options.quiet);
  if (!quiet) {
    listenOptions.onDelivery = (delivery) => renderDelivery(output, delivery, verbose);
    listenOptions.onForward = (forward) => renderForward(output, forward);
  }
  listenOptions.onWarning = limitedWarnings(output);

  const { startListener } = await import('../listen/server.js');
  const handle = await startListener(listenOptions);

  output.record({ type: 'listening', url: handle.url, capture: handle.capture.journal ?? handle.capture.dir, verifying: (listenOptions.secrets?.length ?? 0) > 0, scheme: listenOptions.scheme });
  output.line(`${output.color.bold('listening on')} ${handle.url}`);
  const ec = output.errColor;
  const secrets = listenOptions.secrets?.length ?? 0;
  output.note(
    ec.dim(
      secrets > 0
        ? `verifying with ${secrets} secret${secrets === 1 ? '' : 's'}, scheme ${listenOptions.scheme}`
        : 'no secret: accepting everything unverified (give --secret, --secret-file or HOOKCTL_SECRET to verify)',
    ),
  );
  const cap = handle.capture;
  if (cap.dir) {
    output.note(ec.dim(`capturing to ${cap.files ? `${cap.dir} (one file per delivery)` : cap.journal}${listenOptions.durable ? ', durable' : ''}; idempotency ledger: ${cap.ledgerEntries} event ids`));
  } else output.note(ec.dim('capture off; duplicates are remembered until the listener stops'));
  if (cap.tornJournal) output.warn('the journal ended in a torn line (an earlier crash); it was left as is and new records start on a fresh line');
  if (cap.tornLedger) output.warn('the idempotency ledger ended in a torn line (an earlier crash); that entry was ignored');
  if (listenOptions.forward) output.note(ec.dim(`forwarding to ${displayUrl(listenOptions.forward.url)}${listenOptions.forward.ackFirst ? ' (ack first, queued with retries)' : ' (the app\'s status is answered)'}`));
  const host = listenOptions.host ?? '127.0.0.1';
  if (!isLoopbackHost(host)) {
    output.warn(`--host ${host}: the listener is reachable from the network${secrets === 0 ? ' and accepts unsigned deliveries (no secret)' : ''}; keep it on 127.0.0.1 behind a tunnel unless you mean it`);
  }
  output.note(ec.dim('Ctrl-C to stop'));

  const interrupt = onInterrupt(() => output.note(ec.dim('stopping: finishing requests in flight and queued forwards (Ctrl-C again to quit at once)')));
  await new Promise((resolve) => interrupt.signal.addEventListener('abort', resolve, { once: true }));
  const summary = await handle.close();
  interrupt.dispose();
  if (summary.abandonedForwards > 0) output.warn(`${summary.abandonedForwards} queued forwards did not finish within --drain-timeout`);
  renderSummary(output, summary);
  return EXIT.ok;
}
