import type { CommandContext } from '../cli/context.js';
import { displayUrl } from '../cli/output.js';
import { onInterrupt } from '../cli/interrupt.js';
import type { Output } from '../cli/output.js';
import { EXIT } from '../errors.js';
import { filtered } from '../listen/filter.js';
import type { Subscriber } from '../listen/observe.js';
import type { ListenSummary } from '../listen/types.js';
import { NdjsonRenderer } from './listen/ndjson.js';
import { isLoopbackHost, listenOptionsFrom } from './listen/options.js';
import { TerminalRenderer } from './listen/terminal.js';
import { checkUiFlagsNeedUi } from './inspector-ui.js';

export { isLoopbackHost, listenOptionsFrom };

function renderSummary(output: Output, summary: ListenSummary, undelivered: readonly string[]): void {
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
    undeliveredForwards: undelivered,
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

export async function run({ options, output, env, command }: CommandContext): Promise<number> {
  const listenOptions = listenOptionsFrom(options, env);
  const verbose = Boolean(options.verbose);
  // Acknowledged to the sender but never delivered to the app (--ack-first): the run failed for them.
  const undelivered: string[] = [];
  const subscribers: Subscriber[] = [{ warning: limitedWarnings(output), forward: (forward) => void (forward.delivered || forward.kept || undelivered.push(forward.eventId ?? forward.id)) }];
  if (!options.quiet) {
    const renderer = output.json ? new NdjsonRenderer(output, verbose) : new TerminalRenderer(output, verbose);
    subscribers.push(filtered(renderer, { failures: Boolean(options.onlyFailures), eventTypes: options.filter as string | undefined, paths: options.filterPath as string | undefined }));
  }
  // --ui: the inspector, fed by this listener from its first delivery (its modules load only with the flag).
  checkUiFlagsNeedUi(options, command);
  const ui = options.ui ? await (await import('./listen-ui.js')).listenUi({ options, command, output }, listenOptions) : undefined;
  if (ui) subscribers.push(ui.subscriber);
  listenOptions.subscribers = subscribers;

  const { startListener } = await import('../listen/server.js');
  const handle = await startListener(listenOptions);
  const inspector = await ui?.start(handle);

  output.record({ type: 'listening', url: handle.url, ...(inspector ? { uiUrl: inspector.url } : {}), capture: handle.capture.journal ?? handle.capture.dir, verifying: (listenOptions.secrets?.length ?? 0) > 0, scheme: listenOptions.scheme });
  output.line(`${output.color.bold('listening on')} ${handle.url}`);
  inspector?.announce();
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
  for (const warning of cap.warnings) output.warn(warning);
  if (listenOptions.forward) output.note(ec.dim(`forwarding to ${displayUrl(listenOptions.forward.url)}${listenOptions.forward.ackFirst ? ' (ack first, queued with retries)' : ' (the app\'s status is answered)'}`));
  const host = listenOptions.host ?? '127.0.0.1';
  if (!isLoopbackHost(host)) {
    output.warn(`--host ${host}: the listener is reachable from the network${secrets === 0 ? ' and accepts unsigned deliveries (no secret)' : ''}; keep it on 127.0.0.1 behind a tunnel unless you mean it`);
  }
  output.note(ec.dim('Ctrl-C to stop'));

  // From here on a line per delivery: batched, and never allowed to stall the listener.
  output.streamStdout();
  const interrupt = onInterrupt(() => output.note(ec.dim('stopping: finishing requests in flight and queued forwards (Ctrl-C again to quit at once)')));
  await new Promise((resolve) => interrupt.signal.addEventListener('abort', resolve, { once: true }));
  const summary = await handle.close();
  await inspector?.close();
  interrupt.dispose();
  if (summary.abandonedForwards > 0) output.warn(`${summary.abandonedForwards} queued forwards did not finish within --drain-timeout`);
  renderSummary(output, summary, undelivered);
  if (undelivered.length > 0) {
    const shown = undelivered.slice(0, 20).join(', ');
    output.warn(`${undelivered.length} acknowledged deliver${undelivered.length === 1 ? 'y' : 'ies'} never reached your app: ${shown}${undelivered.length > 20 ? `, and ${undelivered.length - 20} more` : ''} (they are in the capture: replay them with hookctl replay --to your app)`);
  }
  await output.flush();
  return undelivered.length > 0 ? EXIT.failed : EXIT.ok;
}
