import type { Dispatcher } from 'undici';
import { abortableWait, deliver, watchAbort, type Attempt, type DeliveryOutcome, type RetryPolicy } from '../delivery/index.js';
import { createPreparer, type EventFactory, type OutgoingEvent, type SendPlan } from './event.js';
import { idSequence } from './ids.js';
import { Slots } from './slots.js';

export interface LoadOptions {
  count: number;
  concurrency: number;
  /** Cap on events started per second. */
  rate?: number;
  policy: RetryPolicy;
  dispatcher: Dispatcher;
  signal?: AbortSignal;
  onAttempt?(event: OutgoingEvent, attempt: Attempt): void;
  onResult?(event: OutgoingEvent, outcome: DeliveryOutcome): void;
  /** Called before each event starts; a returned promise holds the event back (output backpressure). */
  beforeEvent?(): Promise<void> | undefined;
}

/** Live counters, read by a progress display while the run goes on. */
export interface LoadCounters {
  started: number;
  /** Events finished: delivered or given up. */
  finished: number;
  delivered: number;
  failed: number;
  attempts: number;
  statuses: Record<string, number>;
  errors: Record<string, number>;
}

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export interface LoadSummary extends LoadCounters {
  count: number;
  notSent: number;
  elapsedMs: number;
  /** Requests (attempts) per second. */
  rps: number;
  deliveredPerSecond: number;
  /** Per request, from sending to the end of the response. */
  latencyMs: LatencySummary;
  /** CPU time this process spent during the run (user + system), for cost per request. */
  cpuMs: number;
  interrupted: boolean;
}

interface Histogram {
  recordValue(value: number): void;
  getValueAtPercentile(percentile: number): number;
  readonly maxValue: number;
  readonly mean: number;
  readonly totalCount: number;
}

async function histogram(): Promise<Histogram> {
  // Loaded only in load mode; a one-shot send never pays for it.
  const module = (await import('hdr-histogram-js')) as unknown as { build?: (request: object) => Histogram; default?: { build: (request: object) => Histogram } };
  const build = module.build ?? module.default!.build;
  // Microseconds, 3 significant digits, up to an hour.
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
}


const round2 = (value: number) => Math.round(value * 100) / 100;

/**
 * Sends `count` distinct events (fresh ids, cycling through the factories), at most
 * `concurrency` requests in flight over one keep-alive dispatcher, each event under the retry policy.
 */
export class LoadRun {
  readonly counters: LoadCounters = { started: 0, finished: 0, delivered: 0, failed: 0, attempts: 0, statuses: {}, errors: {} };
  private startedAt = 0;

  constructor(
    private readonly plan: SendPlan,
    private readonly factories: readonly EventFactory[],
    private readonly options: LoadOptions,
  ) {}

  /** Elapsed time so far, ms. */
  elapsedMs(): number {
    return this.startedAt === 0 ? 0 : performance.now() - this.startedAt;
  }

  async run(): Promise<LoadSummary> {
    const { count, concurrency, rate, policy, dispatcher, signal } = this.options;
    const latency = await histogram();
    const counters = this.counters;
    const prepareFor = createPreparer(this.plan);
    const factories = this.factories;
    const nextId = idSequence(this.plan.scheme.name);
    const onAttemptOut = this.options.onAttempt;
    const onResultOut = this.options.onResult;
    const beforeEvent = this.options.beforeEvent;
    // A worker held back by beforeEvent must still stop at once on Ctrl-C.
    const aborted = signal ? new Promise<void>((resolve) => (signal.aborted ? resolve() : watchAbort(signal, resolve))) : undefined;
    const cpuAtStart = process.cpuUsage();
    this.startedAt = performance.now();
    const intervalMs = rate ? 1000 / rate : 0;
    // At most `concurrency` requests in flight. An event waiting to retry holds no slot, so, as at
    // a real provider, retries run beside new events instead of stalling them.
    const slots = new Slots(concurrency);
    if (signal) watchAbort(signal, () => slots.open());
    let active = 0;
    let producing = true;
    // A bug in a delivery must not become an unhandled rejection; it ends the run, as a worker's would.
    let failure: { error: unknown } | undefined;
    let allDone: () => void = () => {};
    const finishedAll = new Promise<void>((resolve) => (allDone = resolve));

    const deliverOne = async (index: number): Promise<void> => {
      const event = factories[index % factories.length]!.make({ fresh: true, nextId });
      const outcome = await deliver(prepareFor(event), policy, {
        dispatcher,
        ...(signal ? { signal } : {}),
        limiter: slots,
        holdingSlot: true,
        onAttempt: (attempt) => {
          counters.attempts++;
          if (attempt.status !== null) counters.statuses[attempt.status] = (counters.statuses[attempt.status] ?? 0) + 1;
          else if (attempt.error !== 'interrupted') counters.errors[attempt.error ?? 'error'] = (counters.errors[attempt.error ?? 'error'] ?? 0) + 1;
          if (attempt.error !== 'interrupted') latency.recordValue(Math.max(1, Math.round((attempt.elapsedMs ?? attempt.ms) * 1000)));
          onAttemptOut?.(event, attempt);
        },
      });
      // Stopped mid-way (Ctrl-C) is neither delivered nor given up on.
      if (!(outcome.interrupted && !outcome.delivered)) {
        counters.finished++;
        if (outcome.delivered) counters.delivered++;
        else counters.failed++;
      }
      onResultOut?.(event, outcome);
    };
    // Against a receiver that is down, every event fails fast and waits to retry; without a cap
    // a large --count would hold them all in memory at once.
    const maxAlive = Math.max(1000, concurrency * 20);
    let roomForMore: (() => void) | undefined;
    const settle = () => {
      active--;
      if (roomForMore && active < maxAlive) {
        const wake = roomForMore;
        roomForMore = undefined;
        wake();
      }
      if (active === 0 && !producing) allDone();
    };

    for (let index = 0; index < count; index++) {
      const hold = beforeEvent?.();
      if (hold) await (aborted ? Promise.race([hold, aborted]) : hold);
      if (signal?.aborted) break;
      if (intervalMs > 0) {
        const wait = this.startedAt + index * intervalMs - performance.now();
        if (wait >= 1 && !(await abortableWait(wait, signal))) break;
      }
      if (active >= maxAlive) {
        const room = new Promise<void>((resolve) => (roomForMore = resolve));
        await (aborted ? Promise.race([room, aborted]) : room);
        if (signal?.aborted) break;
      }
      const slot = slots.acquire();
      if (slot) await slot;
      if (signal?.aborted) {
        slots.release();
        break;
      }
      counters.started++;
      active++;
      deliverOne(index).then(settle, (error: unknown) => {
        failure ??= { error };
        settle();
      });
      if (failure) break;
    }
    producing = false;
    if (active > 0) await finishedAll;
    if (failure) throw failure.error;

    const elapsedMs = performance.now() - this.startedAt;
    const cpu = process.cpuUsage(cpuAtStart);
    const seconds = elapsedMs / 1000;
    const ms = (us: number) => round2(us / 1000);
    const empty = latency.totalCount === 0;
    return {
      ...counters,
      count,
      notSent: count - counters.finished,
      elapsedMs: Math.round(elapsedMs),
      rps: seconds > 0 ? Math.round(counters.attempts / seconds) : 0,
      deliveredPerSecond: seconds > 0 ? Math.round(counters.delivered / seconds) : 0,
      latencyMs: {
        p50: empty ? 0 : ms(latency.getValueAtPercentile(50)),
        p90: empty ? 0 : ms(latency.getValueAtPercentile(90)),
        p99: empty ? 0 : ms(latency.getValueAtPercentile(99)),
        max: empty ? 0 : ms(latency.maxValue),
        mean: empty ? 0 : ms(latency.mean),
      },
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      interrupted: Boolean(signal?.aborted),
    };
  }
}
