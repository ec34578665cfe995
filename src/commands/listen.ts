import type { CommandContext } from '../cli/context.js';
import { displayUrl } from '../cli/output.js';
import { onInterrupt } from '../cli/interrupt.js';
import type { Output } from '../cli/output.js';
import { EXIT } from '../errors.js';
import { heldUntilOpen } from '../listen/held.js';
import { filtered } from '../listen/filter.js';
import type { Subscriber } from '../listen/observe.js';
import type { ListenerHandle, ListenOptions, ListenSummary } from '../listen/types.js';
import { forwardKey } from '../listen/stats.js';
import { formatDuration } from '../text/duration.js';
import { NdjsonRenderer } from './listen/ndjson.js';
import { isLoopbackHost, listenOptionsFrom } from './listen/options.js';
import { relaySettingsFrom } from './listen/relay-options.js';
import { TerminalRenderer } from './listen/terminal.js';
import { RateAdaptiveView } from './listen/aggregate.js';
import { checkUiFlagsNeedUi } from './inspector-ui.js';
import { describeTarget } from '../routes/route.js';
import { getScheme, isSchemeName } from '../schemes/registry.js';

export { isLoopbackHost, listenOptionsFrom };

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

function renderSummary(output: Output, summary: ListenSummary, undelivered: readonly string[], toQueue: boolean): void {
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
    forwardsKept: summary.forwardsKept,
    deadLetters: summary.deadLetters,
    queued: summary.queued,
    unrouted: summary.unrouted,
    undeliveredForwards: undelivered,
  });
  if (output.json) return;
  const c = output.color;
  const extra = [
    summary.forwardFailed ? `${summary.forwardFailed} forward failures` : '',
    summary.injected ? `${summary.injected} injected failures` : '',
    summary.resets ? `${summary.resets} resets` : '',
    summary.captureErrors ? c.red(`${summary.captureErrors} capture errors`) : '',
    summary.forwardsKept ? `${plural(summary.forwardsKept, 'forward')} kept in the outbox for the next start` : '',
    summary.deadLetters ? c.red(plural(summary.deadLetters, 'dead letter')) : '',
    summary.unrouted ? `${summary.unrouted} matched no route` : '',
    summary.abandonedForwards && !summary.forwardsKept ? c.red(`${summary.abandonedForwards} queued forwards abandoned`) : '',
  ].filter(Boolean);
  output.line(
    `${c.bold('summary')}: ${summary.received} received, ${summary.verified} verified, ${summary.rejected} rejected, ${summary.duplicates} duplicate${summary.duplicates === 1 ? '' : 's'}, ${toQueue ? `${summary.queued} queued for workers` : `${summary.forwarded} forwarded`}${extra.length ? `, ${extra.join(', ')}` : ''}`,
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

/** What the listener is about to do, on stderr (and the `listening` record). */
function renderBanner(output: Output, options: ListenOptions, handle: ListenerHandle, inspector: { url: string; announce(): void } | undefined, relay: { url: string; announce(): void } | undefined): void {
  const queue = handle.queue;
  output.record({ type: 'listening', url: handle.url, ...(inspector ? { uiUrl: inspector.url } : {}), capture: handle.capture.journal ?? handle.capture.dir, verifying: (options.secrets?.length ?? 0) > 0, scheme: options.scheme, ...(queue ? { queue: queue.display } : {}), ...(handle.outbox ? { outbox: handle.outbox.path } : {}), ...(relay ? { relay: displayUrl(relay.url) } : {}) });
  output.line(`${output.color.bold('listening on')} ${handle.url}`);
  inspector?.announce();
  relay?.announce();
  const ec = output.errColor;
  const secrets = options.secrets?.length ?? 0;
  // Public-key providers (Discord, SendGrid, SNS…) verify with keys, not shared secrets.
  const withKeys = options.scheme !== undefined && isSchemeName(options.scheme) && getScheme(options.scheme).checkVerifyingKey !== undefined;
  const noun = withKeys ? 'key' : 'secret';
  output.note(
    ec.dim(
      secrets > 0
        ? `verifying with ${secrets} ${noun}${secrets === 1 ? '' : 's'}, scheme ${options.scheme}`
        : withKeys
          ? `no key: accepting everything unverified (give --public-key FILE to verify ${options.scheme}'s signatures)`
          : 'no secret: accepting everything unverified (give --secret, --secret-file or HOOKCTL_SECRET to verify)',
    ),
  );
  const cap = handle.capture;
  if (queue) {
    output.note(ec.dim(`queue ${queue.display} (stream ${queue.stream}, group ${queue.group}): each new delivery is answered 2xx once Redis has it; duplicates decided in Redis for ${formatDuration(queue.dedupeWindowMs)}`));
    output.note(ec.dim(`forward with: hookctl worker ${queue.pastable.args} --forward-to URL${queue.pastable.hint ? ` (${queue.pastable.hint})` : ''}`));
    for (const warning of queue.warnings) output.warn(warning);
    if (cap.dir) output.note(ec.dim(`a local copy in ${cap.files ? `${cap.dir} (one file per delivery)` : cap.journal}`));
    else output.note(ec.dim('local capture off (the queue keeps the deliveries; --capture DIR for a local copy)'));
  } else if (cap.dir) {
    output.note(ec.dim(`capturing to ${cap.files ? `${cap.dir} (one file per delivery)` : cap.journal}${options.durable ? ', durable' : ''}; idempotency ledger: ${cap.ledgerEntries} event ids`));
  } else output.note(ec.dim('capture off; duplicates are remembered until the listener stops'));
  if (cap.tornJournal) output.warn('the journal ended in a torn line (an earlier crash); it was left as is and new records start on a fresh line');
  if (cap.tornLedger) output.warn('the idempotency ledger ended in a torn line (an earlier crash); that entry was ignored');
  for (const warning of cap.warnings) output.warn(warning);
  const forward = options.forward;
  if (forward) {
    const routes = [...(forward.url !== undefined ? [`everything → ${describeTarget(forward.url, forward.keepPath === true)}`] : []), ...(forward.routes ?? []).map((route) => `${route.name.slice(0, route.name.length - displayUrl(route.url).length - 1) || '*'} → ${describeTarget(route.url, route.keepPath)}`)];
    const how = !forward.ackFirst ? "the app's status is answered" : handle.outbox ? `ack first; every forward kept in ${handle.outbox.path} until delivered` : 'ack first, queued in memory';
    output.note(ec.dim(`forwarding ${routes.length === 1 ? routes[0] : `by route: ${routes.join('; ')}`} (${how})`));
    if (forward.ackFirst && !handle.outbox) output.warn('--ack-first with --no-capture: forwards are queued in memory only, so deliveries acknowledged but not yet forwarded are lost if the listener crashes (give --capture DIR to keep them in an outbox)');
  }
  const box = handle.outbox;
  if (box) {
    const dir = cap.dir!;
    const found = [box.resumed ? `${plural(box.resumed, 'pending forward')} resumed` : '', box.requeued ? `${box.requeued} requeued` : '', box.dead ? ec.red(`${plural(box.dead, 'dead letter')} (hookctl queue dead ${dir})`) : ''].filter(Boolean);
    if (found.length > 0) output.note(`${ec.dim('outbox:')} ${found.join(', ')}`);
    if (box.otherRoutes) output.warn(`${plural(box.otherRoutes, 'pending forward')} in the outbox ${box.otherRoutes === 1 ? 'is' : 'are'} for routes this listener does not have; left pending for a run that has them (hookctl queue status ${dir})`);
    if (box.lost) output.warn(`${plural(box.lost, 'pending forward')} lost ${box.lost === 1 ? 'its delivery record' : 'their delivery records'} (the journal was removed or cut?): now dead letters (hookctl queue dead ${dir})`);
    if (box.unacknowledged) output.note(ec.dim(`outbox: ${plural(box.unacknowledged, 'forward')} of deliveries never acknowledged (the listener stopped before answering) dropped; their senders retry`));
    const damage = outboxDamage(box);
    if (box.recreated) output.warn(`the outbox ${damage || 'was missing forwards'}: ${plural(box.recreated, 'acknowledged forward')} the capture records as owed ${box.recreated === 1 ? 'was' : 'were'} recreated from it`);
    else if (damage) output.warn(`the outbox ${damage}; the capture records no forward it lost`);
  }
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackHost(host)) {
    output.warn(`--host ${host}: the listener is reachable from the network${secrets === 0 ? ' and accepts unsigned deliveries (no secret)' : ''}; keep it on 127.0.0.1 behind a tunnel unless you mean it`);
  }
  output.note(ec.dim('Ctrl-C to stop'));
}

/** What was wrong with the outbox file at start, in words ('' when nothing). */
function outboxDamage(box: NonNullable<ListenerHandle['outbox']>): string {
  const parts = [
    box.damagedLines ? `${plural(box.damagedLines, 'damaged line')} skipped` : '',
    box.nulBytes ? `${plural(box.nulBytes, 'NUL byte')} in it` : '',
    box.tornTail ? 'a torn last line (an earlier crash) ignored' : '',
  ].filter(Boolean);
  if (parts.length > 0) return `was damaged: ${parts.join(', ')}`;
  return box.empty && box.recreated ? 'was empty or missing' : '';
}

export async function run({ command, options, output, env }: CommandContext): Promise<number> {
  const listenOptions = listenOptionsFrom(options, env, (name) => command.getOptionValueSource(name));
  const relaySettings = relaySettingsFrom(options, env, (name) => command.getOptionValueSource(name));
  // Relayed deliveries come in over loopback carrying this run's marker (src/listen/relayed.ts).
  if (relaySettings) listenOptions.relayMarker = (await import('node:crypto')).randomBytes(24).toString('base64url');
  const verbose = Boolean(options.verbose);
  // Acknowledged to the sender but never delivered to the app (--ack-first): the run failed for them.
  // Keyed by capture id and route: a dead letter requeued and delivered since leaves both.
  const undeliveredForwards = new Map<string, string>();
  const deadForwards = new Map<string, string>();
  const subscribers: Subscriber[] = [
    {
      warning: limitedWarnings(output),
      forward: (forward) => {
        const key = forwardKey(forward);
        if (forward.delivered) {
          undeliveredForwards.delete(key);
          deadForwards.delete(key);
          return;
        }
        if (forward.kept) return;
        undeliveredForwards.set(key, forward.eventId ?? forward.id);
        if (forward.dead) deadForwards.set(key, forward.eventId ?? forward.id);
      },
    },
  ];
  // Deliveries and resumed forwards from before the banner are shown after it: `listening` comes first.
  let heldOutput: { open(): void } | undefined;
  let adaptive: RateAdaptiveView | undefined;
  if (!options.quiet) {
    // People get a line per delivery while they can read them, one a second past that; --json a record each.
    const lines = output.json ? new NdjsonRenderer(output, verbose) : new TerminalRenderer(output, verbose, (listenOptions.forward?.routes?.length ?? 0) > 0);
    if (!output.json && !options.everyLine) adaptive = new RateAdaptiveView(lines, output);
    const renderer = adaptive ?? lines;
    const held = heldUntilOpen(filtered(renderer, { failures: Boolean(options.onlyFailures), eventTypes: options.filter as string | undefined, paths: options.filterPath as string | undefined }));
    heldOutput = held;
    subscribers.push(held.subscriber);
  }
  // --ui: the inspector, fed by this listener from its first delivery (its modules load only with the flag).
  checkUiFlagsNeedUi(options, command);
  const ui = options.ui ? await (await import('./listen-ui.js')).listenUi({ options, command, output }, listenOptions) : undefined;
  if (ui) subscribers.push(ui.subscriber);
  listenOptions.subscribers = subscribers;

  const { startListener } = await import('../listen/server.js');
  const handle = await startListener(listenOptions);
  const inspector = await ui?.start(handle);
  // --relay: the first word from the relay comes before the banner, so a refused token is one line and exit 2.
  let relay: (Awaited<ReturnType<typeof import('./listen-relay.js').startRelay>> & { url: string }) | undefined;
  if (relaySettings) {
    try {
      relay = { ...(await (await import('./listen-relay.js')).startRelay(relaySettings, listenOptions.relayMarker!, handle, output)), url: relaySettings.subscribeUrl };
    } catch (error) {
      await inspector?.close();
      await handle.close();
      throw error;
    }
  }
  // Ctrl-C is taken from before "Ctrl-C to stop" is printed: one typed at once still stops cleanly.
  const ec = output.errColor;
  const interrupt = onInterrupt(() => output.note(ec.dim(`stopping: finishing requests in flight and ${handle.outbox ? 'forward attempts in flight (the rest stay in the outbox)' : 'queued forwards'} (Ctrl-C again to quit at once)`)));
  renderBanner(output, listenOptions, handle, inspector, relay);
  heldOutput?.open();

  // From here on a line per delivery: batched, and never allowed to stall the listener.
  output.streamStdout();
  const refused = await Promise.race([new Promise<undefined>((resolve) => interrupt.signal.addEventListener('abort', () => resolve(undefined), { once: true })), relay?.refused ?? new Promise<never>(() => {})]);
  // The subscriber stops first: the entry in hand still needs the listener to settle.
  await relay?.close();
  const summary = await handle.close();
  adaptive?.close();
  await inspector?.close();
  interrupt.dispose();
  if (summary.abandonedForwards > 0 && !handle.outbox) output.warn(`${summary.abandonedForwards} queued forwards did not finish within --drain-timeout`);
  output.endStream();
  const undelivered = [...undeliveredForwards.values()];
  const dead = [...deadForwards.values()];
  renderSummary(output, summary, undelivered, handle.queue !== null);
  if (summary.forwardsKept > 0) output.note(ec.dim(`${plural(summary.forwardsKept, 'forward')} not delivered yet ${summary.forwardsKept === 1 ? 'is' : 'are'} kept in ${handle.outbox?.path ?? 'the outbox'}: the next hookctl listen on ${handle.capture.dir} resumes them`));
  const shown = (ids: string[]) => `${ids.slice(0, 20).join(', ')}${ids.length > 20 ? `, and ${ids.length - 20} more` : ''}`;
  if (dead.length > 0) {
    const dir = handle.capture.dir;
    output.warn(`${plural(dead.length, 'forward')} gave up and ${dead.length === 1 ? 'is a dead letter' : 'are dead letters'} in the outbox: ${shown(dead)} (list them: hookctl queue dead ${dir}; send them again: hookctl queue requeue ${dir} --all)`);
  }
  const neverReached = undelivered.filter((id) => !dead.includes(id));
  if (neverReached.length > 0) {
    output.warn(`${neverReached.length} acknowledged deliver${neverReached.length === 1 ? 'y' : 'ies'} never reached your app: ${shown(neverReached)} (they are in the capture: replay them with hookctl replay --to your app)`);
  }
  await output.flush();
  if (refused) throw refused;
  return undelivered.length > 0 ? EXIT.failed : EXIT.ok;
}
