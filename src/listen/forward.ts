/**
 * Forwarding to the user's app. Loaded only when --forward-to is set: it pulls in undici.
 */
import { createDispatcher, deliver, DEFAULT_RETRY_SCHEDULE_MS, DEFAULT_TIMEOUT_MS, type PreparedRequest } from '../delivery/index.js';
import { prepareForward, type ForwardTarget } from '../delivery/forward-request.js';
import { refusalHint, type AppAnswer } from '../delivery/app-refusal.js';
import type { Attempt } from '../delivery/deliver.js';
import { isDelivered } from '../delivery/retry-after.js';
import { getScheme } from '../schemes/registry.js';
import { displayUrl } from '../text/url.js';
import type { Scheme, SchemeOptions } from '../schemes/types.js';
import type { ForwardOptions, ForwardResult, QueuedForward } from './types.js';

export interface ForwardItem {
  id: string;
  eventId: string | null;
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

export interface Forwarder {
  /** One attempt; its status is mirrored to the sender (whose own retries reach the app). */
  once(item: ForwardItem): Promise<ForwardResult & { snippet?: string }>;
  /** Queues a forward with retries (--ack-first). */
  enqueue(item: ForwardItem): void;
  readonly queued: number;
  /** Waits until the queue is empty or the time is up; returns how many were left. */
  drain(timeoutMs: number): Promise<number>;
  close(): Promise<void>;
}

export interface ForwarderContext {
  scheme: string;
  schemeOptions: SchemeOptions;
  /** The listener's secrets: a delivery whose scheme signs the URL is re-signed with the one that verified it. */
  secrets: readonly string[];
  onForward?: (forward: QueuedForward) => void;
  onWarning?: (message: string) => void;
}

export function createForwarder(options: ForwardOptions, context: ForwarderContext): Forwarder {
  const dispatcher = createDispatcher();
  const controller = new AbortController();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const schedule = options.retryScheduleMs ?? [...DEFAULT_RETRY_SCHEDULE_MS];
  const concurrency = options.concurrency ?? 16;
  const queue: ForwardItem[] = [];
  let running = 0;
  let idleWaiters: Array<() => void> = [];

  const target: ForwardTarget = { url: options.url, keepPath: options.keepPath ?? false, ...(options.secret !== undefined ? { secret: options.secret } : {}) };
  const fallbackScheme = () => getScheme(context.scheme === 'auto' ? 'hmac' : context.scheme, context.schemeOptions);
  let warnedUnsigned = false;

  function prepare(item: ForwardItem): PreparedRequest {
    const verifiedWith = item.secretIndex === undefined ? undefined : context.secrets[item.secretIndex];
    if (!warnedUnsigned && item.scheme?.targetUrl && options.secret === undefined && verifiedWith === undefined) {
      warnedUnsigned = true;
      context.onWarning?.(`${item.scheme.title} signs the URL it posts to, so your app cannot verify the forwarded copy with the original signature: give the listener --secret (it re-signs for ${displayUrl(options.url)}) or --forward-secret`);
    }
    return prepareForward(target, { ...item, ...(verifiedWith !== undefined ? { verifiedWith } : {}) }, fallbackScheme);
  }

  /** The app's answer to a refused forward, and the hint when it reads like a failed signature check. */
  function appSide(item: ForwardItem, attempt: Attempt | undefined): { app?: AppAnswer; hint?: string } {
    if (!attempt || attempt.status === null || isDelivered(attempt.status)) return {};
    const app: AppAnswer = { status: attempt.status, headers: attempt.responseHeaders ?? {}, body: attempt.responseSnippet ?? '' };
    const how = options.secret !== undefined ? 're-signed' : item.verified === true ? 'verified' : 'passed on';
    const hint = refusalHint(app, how);
    return hint ? { app, hint } : { app };
  }

  function wakeIdle(): void {
    if (running > 0 || queue.length > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const wake of waiters) wake();
  }

  const inFlight = new Set<Promise<void>>();

  function pump(): void {
    while (running < concurrency && queue.length > 0 && !controller.signal.aborted) {
      const item = queue.shift()!;
      running++;
      const started = performance.now();
      const flight: Promise<void> = deliver(() => prepare(item), { delaysMs: schedule, timeoutMs, timeScale: 1 }, { dispatcher, signal: controller.signal })
        .then(
          (outcome) => {
            const last = outcome.attempts[outcome.attempts.length - 1];
            context.onForward?.({
              id: item.id,
              eventId: item.eventId,
              delivered: outcome.delivered,
              status: outcome.status,
              error: outcome.interrupted ? `not delivered: the listener stopped after ${outcome.attempts.length} attempt${outcome.attempts.length === 1 ? '' : 's'}${last?.error ? ` (last: ${last.error})` : last?.status ? ` (last: ${last.status})` : ''}` : (last?.error ?? null),
              attempts: outcome.attempts.length,
              ms: Math.round(performance.now() - started),
              ...(outcome.delivered ? {} : appSide(item, last)),
            });
          },
          () => {},
        )
        .finally(() => {
          running--;
          inFlight.delete(flight);
          pump();
          wakeIdle();
        });
      inFlight.add(flight);
    }
  }

  return {
    async once(item) {
      const outcome = await deliver(() => prepare(item), { delaysMs: [0], timeoutMs, timeScale: 1 }, { dispatcher, signal: controller.signal });
      const attempt = outcome.attempts[0];
      const result: ForwardResult & { snippet?: string } = { status: outcome.status, ms: attempt?.ms ?? 0, error: attempt?.error ?? null, attempts: 1, ...appSide(item, attempt) };
      if (attempt?.responseSnippet) result.snippet = attempt.responseSnippet;
      return result;
    },
    enqueue(item) {
      queue.push(item);
      pump();
    },
    get queued() {
      return queue.length + running;
    },
    drain(ms) {
      if (running === 0 && queue.length === 0) return Promise.resolve(0);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(queue.length + running), ms);
        idleWaiters.push(() => {
          clearTimeout(timer);
          resolve(0);
        });
      });
    },
    async close() {
      // Never started (the drain ran out first): each is reported undelivered, by id, not dropped silently.
      const unsent = queue.splice(0);
      for (const item of unsent) {
        context.onForward?.({ id: item.id, eventId: item.eventId, delivered: false, status: null, error: 'not forwarded: the listener stopped before its turn', attempts: 0, ms: 0 });
      }
      controller.abort();
      // Those between retries are interrupted; wait for their reports, so they precede the summary.
      await Promise.allSettled([...inFlight]);
      await dispatcher.close().catch(() => {});
    },
  };
}
