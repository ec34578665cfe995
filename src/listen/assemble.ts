import { handshakesFor } from '../schemes/handshakes/index.js';
import { CaptureSetupError, fsErrorText, openCapture, type CaptureSink } from '../capture/index.js';
import { failure } from '../errors.js';
import type { Route } from '../routes/route.js';
import type { SchemeOptions } from '../schemes/types.js';
import { DEFERRED_LEDGER, type Ledger } from './claim.js';
import type { Forwarder } from './forward.js';
import { Answers } from './answers.js';
import { DEFAULTS } from './defaults.js';
import { Faults } from './faults.js';
import type { HandOn, HandOnParts } from './hand-on/index.js';
import { ProcessedOnStore } from './hand-on/processed.js';
import { IdentifyStage } from './identify.js';
import { Observers } from './observe.js';
import type { Stages } from './pipeline.js';
import { Redactor } from './redact.js';
import { StatsCounter } from './stats.js';
import { StoreStage, type Sink } from './store.js';
import { OutcomeRecorder } from './outcomes.js';
import { listenerRoutes } from './routes.js';
import type { ListenerHandle, ListenOptions, OutboxReport, QueueOptions } from './types.js';
import { VerifyStage } from './verify.js';

export interface Assembly {
  stages: Stages;
  /**
   * Someone looks at each delivery (a sink, a subscriber, an app): the pipeline builds its type,
   * capture id and time. A quiet verify-only listener skips that work (and a JSON parse).
   */
  detailed: boolean;
  /** Someone reads each delivery's headers (a sink, the app, a subscriber that says so). */
  withHeaders: boolean;
  stats: StatsCounter;
  capture: CaptureSink;
  outbox: OutboxReport | null;
  queue: ListenerHandle['queue'];
  /** Queued work finished (bounded by `timeoutMs`), then every part closed; resolves with the work left undone. */
  close(timeoutMs: number): Promise<number>;
}

/**
 * Where the listener's parts are chosen from its options: the one place a new sink, ledger,
 * hand-on or subscriber is added. Optional parts that pull in heavy modules are imported here,
 * only when their option is on.
 */
export async function assemble(options: ListenOptions): Promise<Assembly> {
  const secrets = options.secrets ?? [];
  const schemeName = options.scheme ?? DEFAULTS.scheme;
  const schemeOptions = options.schemeOptions ?? {};

  const observers = new Observers();
  const stats = new StatsCounter();
  observers.add(stats);
  for (const subscriber of options.subscribers ?? []) observers.add(subscriber);
  observers.add({
    ...(options.onDelivery ? { delivery: options.onDelivery } : {}),
    ...(options.onForward ? { forward: options.onForward } : {}),
    ...(options.onWarning ? { warning: options.onWarning } : {}),
  });

  let capture: CaptureSink;
  try {
    capture = await openCapture({
      ...(options.captureDir !== undefined ? { dir: options.captureDir } : {}),
      ...(options.dedupeWindowMs !== undefined ? { dedupeWindowMs: options.dedupeWindowMs } : {}),
      files: options.captureFiles ?? false,
      durable: options.durable ?? false,
      ...(options.fileOps ? { ops: options.fileOps } : {}),
      // A compaction of the ledger that fails while running is said, not thrown.
      onWarning: (message) => observers.warning(message),
    });
  } catch (error) {
    if (error instanceof CaptureSetupError) throw failure(error.message);
    throw error;
  }
  const sinks: Sink[] = [];
  if (options.captureDir !== undefined) sinks.push(capture);
  let ledger: Ledger = capture.ledger;

  const faults = new Faults(options.faults);
  const answers = new Answers(faults);
  const store = new StoreStage(sinks, stats, observers);
  if (sinks.length > 0) observers.add(new OutcomeRecorder(store, options.captureFiles ?? false));
  const parts: HandOnParts = { store, answers, stats, observers };

  let handOn: HandOn;
  let outbox: OutboxReport | null = null;
  let queue: QueueReport | null = null;
  let closeQueue = async () => {};
  try {
    if (options.queue) {
      const opened = await openQueue(options.queue, options.dedupeWindowMs, parts);
      ({ handOn, report: queue, close: closeQueue } = opened);
      ledger = DEFERRED_LEDGER;
    } else if (options.forward) {
      const routes = listenerRoutes(options.forward);
      const { createForwarder } = await import('./forward.js');
      const forwarder = createForwarder(options.forward, {
        scheme: schemeName,
        schemeOptions,
        secrets,
        onForward: (forward) => observers.forward(forward),
        onWarning: (message) => observers.warning(message),
      });
      if (options.forward.ackFirst && capture.dir !== undefined) {
        const opened = await openOutbox(parts, forwarder, routes, capture, options, schemeOptions);
        handOn = opened.handOn;
        outbox = opened.report;
      } else if (options.forward.ackFirst) {
        const { AppQueue } = await import('./hand-on/app-queue.js');
        handOn = new AppQueue(parts, forwarder, routes);
      } else {
        const { AppInLine } = await import('./hand-on/app-in-line.js');
        handOn = new AppInLine(parts, forwarder, routes);
      }
    } else {
      handOn = new ProcessedOnStore(parts);
    }
  } catch (error) {
    await capture.close().catch(() => {});
    throw error;
  }

  const stages: Stages = {
    verify: new VerifyStage({
      scheme: schemeName,
      schemeOptions,
      secrets,
      // Undefined: each scheme applies the tolerance its provider documents (5 minutes otherwise).
      toleranceSeconds: options.toleranceSeconds,
      now: options.now ?? Date.now,
      publicUrl: options.publicUrl,
    }),
    handshakes: options.handshakes === false ? [] : handshakesFor(schemeName),
    identify: new IdentifyStage(schemeOptions, options.idHeader),
    ledger,
    store,
    faults,
    answers,
    handOn,
    observers,
    redactor: new Redactor(secrets, options.keepHeaders),
  };

  const subscribers = options.subscribers ?? [];
  const watched = options.onDelivery !== undefined || subscribers.some((subscriber) => subscriber.delivery !== undefined);
  // onDelivery is the library's own callback: it may read anything.
  const withHeaders = options.onDelivery !== undefined || sinks.length > 0 || options.forward !== undefined || options.queue !== undefined || subscribers.some((subscriber) => subscriber.needsHeaders);
  return {
    stages,
    detailed: watched || withHeaders,
    withHeaders,
    stats,
    capture,
    outbox,
    queue,
    async close(timeoutMs) {
      const left = await handOn.drain(timeoutMs);
      await handOn.close();
      await Promise.all([store.close(), ledger.close()]);
      await closeQueue();
      return left;
    },
  };
}

type QueueReport = NonNullable<ListenerHandle['queue']>;

/** --queue: connects (loading the Redis client only now), creates the stream and group, and hands new deliveries to it. */
async function openQueue(options: QueueOptions, windowMs: number | undefined, parts: HandOnParts): Promise<{ handOn: HandOn; report: QueueReport; close(): Promise<void> }> {
  const { openRedisQueue } = await import('../queue/open.js');
  const { parseQueueAddress, pastableAddress } = await import('../queue/address.js');
  const { ToQueue } = await import('./hand-on/to-queue.js');
  const address = parseQueueAddress(options.url, { stream: options.stream, group: options.group, password: options.password, passwordFile: options.passwordFile }, '--queue');
  const timeouts = options.timeoutMs === undefined ? {} : { connectTimeoutMs: options.timeoutMs, commandTimeoutMs: options.timeoutMs };
  const queue = await openRedisQueue(address, { name: 'hookctl-listen', ...timeouts });
  const { checkDurability, recheckOnReconnect } = await import('../queue/durability.js');
  const durability = { allowEviction: options.allowEviction === true };
  let warnings: string[];
  try {
    warnings = await checkDurability(queue.connection, durability);
  } catch (error) {
    await queue.close();
    throw error;
  }
  recheckOnReconnect(queue.connection, durability, (message) => parts.observers.warning(message));
  try {
    const intake = await queue.intake(windowMs === undefined ? {} : { windowMs });
    queue.connection.on('lost', (error) => parts.observers.warning(`lost the connection to Redis at ${address.display} (${error.message}); answering 503 until it is back`));
    queue.connection.on('ready', () => parts.observers.warning(`reconnected to Redis at ${address.display}; accepting deliveries again`));
    return {
      handOn: new ToQueue(parts, intake, address.display),
      report: { display: address.display, stream: address.stream, group: address.group, dedupeWindowMs: intake.windowMs, warnings, pastable: pastableAddress(address) },
      close: () => queue.close(),
    };
  } catch (error) {
    await queue.close();
    throw failure(`--queue: ${address.display}: ${(error as Error)?.message ?? error}`);
  }
}

/** --ack-first with a capture folder: the outbox beside the captures, and every pending forward in it resumed. */
async function openOutbox(parts: HandOnParts, forwarder: Forwarder, routes: Route[], capture: CaptureSink, options: ListenOptions, schemeOptions: SchemeOptions): Promise<{ handOn: HandOn; report: OutboxReport }> {
  const { OutboxLog } = await import('../outbox/log.js');
  const { AppOutbox } = await import('./hand-on/outbox.js');
  const dir = capture.dir!;
  const outbox = new OutboxLog(dir, { durable: options.durable ?? false });
  let load;
  try {
    load = await outbox.open();
  } catch (error) {
    throw failure(`--ack-first: cannot open the outbox ${outbox.path} (${fsErrorText(error)}); pick another folder with --capture DIR`);
  }
  const ledger = capture.ledger;
  const handOn = new AppOutbox(parts, forwarder, routes, { outbox, dir, files: options.captureFiles ?? false, committed: (key) => ledger.has(key), schemeOptions });
  const report = await handOn.start(load);
  return { handOn, report };
}
