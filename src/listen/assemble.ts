import { CaptureSetupError, openCapture, type CaptureSink } from '../capture/index.js';
import { failure } from '../errors.js';
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
import type { ListenOptions } from './types.js';
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
  const ledger = capture.ledger;

  const faults = new Faults(options.faults);
  const answers = new Answers(faults);
  const store = new StoreStage(sinks, stats, observers);
  const parts: HandOnParts = { store, answers, stats, observers };

  let handOn: HandOn;
  if (options.forward) {
    const { createForwarder } = await import('./forward.js');
    const forwarder = createForwarder(options.forward, {
      scheme: schemeName,
      schemeOptions,
      secrets,
      onForward: (forward) => observers.forward(forward),
      onWarning: (message) => observers.warning(message),
    });
    if (options.forward.ackFirst) {
      const { AppQueue } = await import('./hand-on/app-queue.js');
      handOn = new AppQueue(parts, forwarder);
    } else {
      const { AppInLine } = await import('./hand-on/app-in-line.js');
      handOn = new AppInLine(parts, forwarder, options.forward.url);
    }
  } else {
    handOn = new ProcessedOnStore(parts);
  }

  const stages: Stages = {
    verify: new VerifyStage({
      scheme: schemeName,
      schemeOptions,
      secrets,
      toleranceSeconds: options.toleranceSeconds ?? DEFAULTS.toleranceSeconds,
      now: options.now ?? Date.now,
      publicUrl: options.publicUrl,
    }),
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
  const withHeaders = options.onDelivery !== undefined || sinks.length > 0 || options.forward !== undefined || subscribers.some((subscriber) => subscriber.needsHeaders);
  return {
    stages,
    detailed: watched || withHeaders,
    withHeaders,
    stats,
    capture,
    async close(timeoutMs) {
      const left = await handOn.drain(timeoutMs);
      await handOn.close();
      await Promise.all([store.close(), ledger.close()]);
      return left;
    },
  };
}
