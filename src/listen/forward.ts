/**
 * Forwarding to the user's app. Loaded only when --forward-to is set: it pulls in undici.
 */
import { createDispatcher, deliver, DEFAULT_RETRY_SCHEDULE_MS, DEFAULT_TIMEOUT_MS, type PreparedRequest } from '../delivery/index.js';
import { getScheme } from '../schemes/registry.js';
import type { Scheme, SchemeOptions } from '../schemes/types.js';
import type { ForwardOptions, ForwardResult, QueuedForward } from './types.js';

/** Hop-by-hop headers (RFC 9110 §7.6.1) and those the client recomputes for the new connection. */
const DROPPED = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'content-length', 'expect']);

export interface ForwardItem {
  id: string;
  eventId: string | null;
  method: string;
  headers: Record<string, string>;
  body: Buffer;
  /** The scheme the delivery was signed with, if known: re-signing uses the same. */
  scheme: Scheme | undefined;
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

function connectionTokens(headers: Record<string, string>): Set<string> {
  // Headers named in Connection are hop-by-hop too.
  return new Set((headers.connection ?? '').split(',').map((token) => token.trim().toLowerCase()).filter(Boolean));
}

export function createForwarder(options: ForwardOptions, context: { scheme: string; schemeOptions: SchemeOptions; onForward?: (forward: QueuedForward) => void }): Forwarder {
  const dispatcher = createDispatcher();
  const controller = new AbortController();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const schedule = options.retryScheduleMs ?? [...DEFAULT_RETRY_SCHEDULE_MS];
  const concurrency = options.concurrency ?? 16;
  const queue: ForwardItem[] = [];
  let running = 0;
  let idleWaiters: Array<() => void> = [];

  function signingScheme(item: ForwardItem): Scheme {
    if (item.scheme) return item.scheme;
    return getScheme(context.scheme === 'auto' ? 'hmac' : context.scheme, context.schemeOptions);
  }

  function prepare(item: ForwardItem): PreparedRequest {
    const hopByHop = connectionTokens(item.headers);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(item.headers)) {
      if (!DROPPED.has(name) && !hopByHop.has(name)) headers[name] = value;
    }
    let url = options.url;
    if (options.secret !== undefined) {
      const scheme = signingScheme(item);
      for (const name of scheme.signatureHeaders) delete headers[name];
      if (scheme.targetUrl) url = scheme.targetUrl(url, item.body, item.headers);
      const signed = scheme.sign({ body: item.body, secret: options.secret, timestamp: Math.floor(Date.now() / 1000), id: item.eventId ?? item.id, url });
      for (const [name, value] of Object.entries(signed)) headers[name.toLowerCase()] = value;
    }
    return { url, method: item.method, headers, body: item.body };
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
      const result: ForwardResult & { snippet?: string } = { status: outcome.status, ms: attempt?.ms ?? 0, error: attempt?.error ?? null, attempts: 1 };
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
