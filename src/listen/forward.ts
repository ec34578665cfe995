/**
 * Forwarding to the user's app. Loaded only when --forward-to or --route is set: it pulls in undici.
 */
import { abortableWait, createDispatcher, deliver, DEFAULT_RETRY_SCHEDULE_MS, DEFAULT_TIMEOUT_MS, STANDARD_JITTER, type DeliveryOutcome, type PreparedRequest } from '../delivery/index.js';
import { cannotReSign, cannotReSignWarning, forwardRequest, type ForwardSigning, type ForwardSource, type ForwardTarget } from '../delivery/forward-request.js';
import { appSide, forwardedAs } from '../delivery/app-refusal.js';
import type { Attempt } from '../delivery/deliver.js';
import { Slots } from '../send/slots.js';
import { displayUrl } from '../text/url.js';
import type { Scheme, SchemeOptions } from '../schemes/types.js';
import type { ForwardResult, QueuedForward } from './types.js';

export interface ForwardItem {
  id: string;
  eventId: string | null;
  /** The dedupe key when it is not the event id: the app gets it as Hookctl-Dedupe-Key. */
  idempotencyKey: string | null;
  method: string;
  /** Path and query it was posted to. */
  path: string;
  /** Headers as received. */
  headers: Record<string, string>;
  body: Buffer;
  /** The scheme the delivery was signed with, if known: re-signing uses the same. */
  scheme: Scheme | undefined;
  /** Which of the listener's secrets verified it (a URL-bound scheme is re-signed with it). */
  secretIndex: number | undefined;
  /** How it verified at the listener: the hint on a refusal depends on it. */
  verified: boolean | null;
}

/** Where a forward goes: a route's URL (with keepPath), and its name for reports. */
export interface ForwardDestination extends ForwardTarget {
  /** The route's name (`FILTERS=URL`, or the URL of --forward-to). */
  name: string;
}

/** A forward from the queue (--ack-first), possibly resumed from the outbox. */
export interface ForwardJob {
  item: ForwardItem;
  target: ForwardDestination;
  /** Attempts already made, by an earlier run of the listener. */
  attemptsMade?: number;
  /** When the next attempt is due (Unix ms), for a resumed job; it waits until then without a slot. */
  dueAt?: number;
  /** The job is kept where a stop cannot lose it (the outbox): a stop leaves it pending, not undelivered. */
  kept?: boolean;
  /** A job that gives up is kept as a dead letter (the outbox): reported with `dead: true`. */
  keptWhenDead?: boolean;
  /** After each attempt: its number (counting earlier runs) and when the next is due, if there will be one. */
  onAttempt?(attempt: Attempt, number: number, nextAt: number | undefined): void;
  /** Once it was delivered or given up (not when the listener stops first). */
  onSettled?(forward: QueuedForward, last: Attempt | undefined): void;
}

export interface Forwarder {
  /** One attempt; its status is mirrored to the sender (whose own retries reach the app). */
  once(item: ForwardItem, target: ForwardTarget): Promise<ForwardResult & { snippet?: string }>;
  /** Forwards with retries (--ack-first); a slot is held per attempt, never while waiting for a retry. */
  enqueue(job: ForwardJob): void;
  /** Forwards not finished yet (in flight, waiting for a slot or for a retry). */
  readonly queued: number;
  /**
   * Waits until none is left or the time is up; returns how many were left. With `dueOnly`, forwards
   * waiting for a later attempt are not waited for (the outbox keeps them): only those in flight or due.
   */
  drain(timeoutMs: number, options?: { dueOnly?: boolean }): Promise<number>;
  close(): Promise<void>;
}

/** How the listener forwards: the retry schedule, timeouts, concurrency and re-signing, the same for every route. */
export interface ForwarderOptions {
  /** Re-sign forwarded deliveries with this secret (fresh timestamp, same event id). */
  secret?: string;
  /** Waits between attempts (ack-first), ms; the first is 0. Default: the send default (0, 5s, 30s, 5m). */
  retryScheduleMs?: number[];
  /** Fraction each wait moves by, up or down (default: 0.2 for the default schedule, 0 for one given). */
  retryJitter?: number;
  /** Per-attempt timeout, ms (default 10s). */
  timeoutMs?: number;
  /** Forwards in flight at once from the queue (default 16). */
  concurrency?: number;
}

export interface ForwarderContext {
  scheme: string;
  schemeOptions: SchemeOptions;
  /** The listener's secrets: a delivery whose scheme signs the URL is re-signed with the one that verified it. */
  secrets: readonly string[];
  onForward?: (forward: QueuedForward) => void;
  onWarning?: (message: string) => void;
}

export function createForwarder(options: ForwarderOptions, context: ForwarderContext): Forwarder {
  const dispatcher = createDispatcher();
  const controller = new AbortController();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const schedule = options.retryScheduleMs ?? [...DEFAULT_RETRY_SCHEDULE_MS];
  const jitter = options.retryJitter ?? (options.retryScheduleMs === undefined ? STANDARD_JITTER : 0);
  // Attempts in flight at once; forwards waiting for a retry hold no slot.
  const slots = new Slots(options.concurrency ?? 16);
  const inFlight = new Set<Promise<void>>();
  /** Forwards waiting for a later attempt (a retry, or a resumed job's due time): they hold nothing. */
  let waiting = 0;
  let idleWaiters: Array<{ dueOnly: boolean; wake: () => void }> = [];

  const signing: ForwardSigning | undefined = options.secret === undefined ? undefined : { secret: options.secret, fallbackScheme: context.scheme, schemeOptions: context.schemeOptions };
  let warnedUnsigned = false;

  function prepare(item: ForwardItem, target: ForwardTarget): PreparedRequest {
    const verifiedWith = item.secretIndex === undefined ? undefined : context.secrets[item.secretIndex];
    const source: ForwardSource = { method: item.method, path: item.path, headers: item.headers, body: item.body, eventId: item.eventId, idempotencyKey: item.idempotencyKey, fallbackId: item.id, scheme: item.scheme, ...(verifiedWith !== undefined ? { verifiedWith } : {}) };
    if (!warnedUnsigned && cannotReSign(source, signing)) {
      warnedUnsigned = true;
      context.onWarning?.(cannotReSignWarning(item.scheme!, `give the listener --secret (it re-signs for ${displayUrl(target.url)}) or --forward-secret`));
    }
    return forwardRequest(source, target, signing);
  }

  /** The app's answer to a refused forward, and the hint when it reads like a failed signature check. */
  const refusal = (item: ForwardItem, attempt: Attempt | undefined) => appSide(attempt, forwardedAs(options.secret !== undefined, item.verified), { headers: item.headers, body: item.body });

  function wakeIdle(): void {
    const busy = inFlight.size - waiting;
    if (busy > 0) return;
    const ready = idleWaiters.filter((waiter) => waiter.dueOnly || inFlight.size === 0);
    if (ready.length === 0) return;
    idleWaiters = idleWaiters.filter((waiter) => !ready.includes(waiter));
    for (const waiter of ready) waiter.wake();
  }

  /** Waits until a resumed job is due, counted as waiting; false if the listener stopped first. */
  async function waitUntilDue(ms: number): Promise<boolean> {
    waiting++;
    wakeIdle();
    try {
      return await abortableWait(ms, controller.signal);
    } finally {
      waiting--;
    }
  }

  /** The rest of the schedule for a job: all of it, or what an earlier run left. */
  function remainingSchedule(job: ForwardJob): number[] {
    const rest = schedule.slice(job.attemptsMade ?? 0);
    if (rest.length === 0) rest.push(0);
    rest[0] = 0;
    return rest;
  }

  async function attempts(job: ForwardJob, onAttempt: ((attempt: Attempt) => void) | undefined): Promise<DeliveryOutcome> {
    // A resumed job waits for its due time first (deliver() makes its first attempt at once), holding no slot.
    const due = job.dueAt === undefined ? 0 : job.dueAt - Date.now();
    if (due > 0 && !(await waitUntilDue(due))) return { delivered: false, attempts: [], status: null, interrupted: true };
    // Between attempts the job waits inside deliver(): counted as waiting from onWait until the next prepare.
    let inRetryWait = false;
    const busyAgain = () => {
      if (!inRetryWait) return;
      inRetryWait = false;
      waiting--;
    };
    return deliver(
      () => {
        busyAgain();
        return prepare(job.item, job.target);
      },
      { delaysMs: remainingSchedule(job), timeoutMs, timeScale: 1, jitter },
      {
        dispatcher,
        signal: controller.signal,
        limiter: slots,
        onWait: () => {
          inRetryWait = true;
          waiting++;
          wakeIdle();
        },
        ...(onAttempt ? { onAttempt } : {}),
      },
    ).finally(busyAgain);
  }

  function run(job: ForwardJob): Promise<void> {
    const { item } = job;
    const made = job.attemptsMade ?? 0;
    const started = performance.now();
    const onAttempt = job.onAttempt ? (attempt: Attempt) => job.onAttempt!(attempt, made + attempt.attempt, attempt.willRetry ? Date.now() + (attempt.nextDelayMs ?? 0) : undefined) : undefined;
    return attempts(job, onAttempt).then(
      (outcome) => {
        const last = outcome.attempts[outcome.attempts.length - 1];
        const total = made + outcome.attempts.length;
        let error = last?.error ?? null;
        if (outcome.interrupted) {
          const kept = job.kept ? '; kept in the outbox, resumed when the listener starts again' : '';
          error =
            outcome.attempts.length === 0
              ? `not forwarded: the listener stopped before its turn${kept}`
              : `not delivered: the listener stopped after ${total} attempt${total === 1 ? '' : 's'}${last?.error ? ` (last: ${last.error})` : last?.status ? ` (last: ${last.status})` : ''}${kept}`;
        }
        const forward: QueuedForward = {
          id: item.id,
          eventId: item.eventId,
          delivered: outcome.delivered,
          status: outcome.status,
          error,
          attempts: total,
          ms: Math.round(performance.now() - started),
          route: job.target.name,
          target: job.target.url,
          ...(outcome.interrupted && job.kept ? { kept: true } : {}),
          ...(!outcome.interrupted && !outcome.delivered && job.keptWhenDead ? { dead: true } : {}),
          ...(outcome.delivered ? {} : refusal(item, last)),
        };
        if (!outcome.interrupted) job.onSettled?.(forward, last);
        context.onForward?.(forward);
      },
      (error: unknown) => context.onWarning?.(`a queued forward of ${item.eventId ?? item.id} failed unexpectedly: ${(error as Error)?.message ?? error}`),
    );
  }

  return {
    async once(item, target) {
      const outcome = await deliver(() => prepare(item, target), { delaysMs: [0], timeoutMs, timeScale: 1 }, { dispatcher, signal: controller.signal });
      const attempt = outcome.attempts[0];
      const result: ForwardResult & { snippet?: string } = { status: outcome.status, ms: attempt?.ms ?? 0, error: attempt?.error ?? null, attempts: 1, ...refusal(item, attempt) };
      if (attempt?.responseSnippet) result.snippet = attempt.responseSnippet;
      return result;
    },
    enqueue(job) {
      const flight: Promise<void> = run(job).finally(() => {
        inFlight.delete(flight);
        wakeIdle();
      });
      inFlight.add(flight);
    },
    get queued() {
      return inFlight.size;
    },
    drain(ms, { dueOnly = false } = {}) {
      const left = () => (dueOnly ? inFlight.size - waiting : inFlight.size);
      if (left() === 0) return Promise.resolve(0);
      return new Promise((resolve) => {
        const waiter = {
          dueOnly,
          wake: () => {
            clearTimeout(timer);
            resolve(0);
          },
        };
        const timer = setTimeout(() => {
          idleWaiters = idleWaiters.filter((other) => other !== waiter);
          resolve(left());
        }, ms);
        idleWaiters.push(waiter);
      });
    },
    async close() {
      // Every forward not finished is interrupted and reports itself by id (those that never got a
      // slot too), before the summary: none is dropped silently.
      controller.abort();
      slots.open();
      await Promise.allSettled([...inFlight]);
      await dispatcher.close().catch(() => {});
    },
  };
}
