import type { Dispatcher } from 'undici';
import { createDispatcher } from './dispatcher.js';
import { isDelivered, isRetryable, parseRetryAfter } from './retry-after.js';
import { DEFAULT_MAX_RETRY_AFTER_MS, scheduledWaitMs, type RetryPolicy } from './policy.js';

export interface PreparedRequest {
  url: string;
  method?: string;
  headers: Record<string, string>;
  body: Uint8Array;
}

export interface Attempt {
  /** 1-based. */
  attempt: number;
  /** HTTP status, or null when there was no answer (network error, timeout, interrupted). */
  status: number | null;
  /** Why there was no answer, in a few words; null when there was one. */
  error: string | null;
  /** From sending the request to the end of the response body, rounded. */
  ms: number;
  /** The same, unrounded, for latency histograms. */
  elapsedMs?: number;
  /** What the receiver's Retry-After asked for, unscaled. */
  retryAfterMs?: number;
  /** Set when Retry-After asked for more than the policy's cap: the cap it was cut to, unscaled. */
  retryAfterCappedMs?: number;
  willRetry: boolean;
  /** The wait before the next attempt, scaled, when willRetry. */
  nextDelayMs?: number;
  /** The start of a non-2xx response body (up to 512 characters), for diagnosing a refusal. */
  responseSnippet?: string;
  /** Headers of a non-2xx response that explain it (content type, server, framework, auth challenge). */
  responseHeaders?: Record<string, string>;
}

export interface DeliveryOutcome {
  delivered: boolean;
  attempts: Attempt[];
  /** Status of the last attempt. */
  status: number | null;
  /** Stopped by the AbortSignal before delivering or giving up. */
  interrupted?: boolean;
}

/** Caps requests in flight across deliveries: a slot is held for each attempt, not during retry waits. */
export interface AttemptLimiter {
  /** Undefined when a slot was free and is now taken; otherwise resolves once one is. */
  acquire(): Promise<void> | undefined;
  release(): void;
}

export interface DeliverOptions {
  dispatcher?: Dispatcher;
  signal?: AbortSignal;
  onAttempt?(attempt: Attempt): void;
  onWait?(ms: number, nextAttempt: number): void;
  /** Randomness for jitter, injectable for tests. */
  random?: () => number;
  limiter?: AttemptLimiter;
  /** The caller already holds a limiter slot for the first attempt. */
  holdingSlot?: boolean;
}

const SNIPPET_CHARS = 512;

let sharedDispatcher: Dispatcher | undefined;
function defaultDispatcher(): Dispatcher {
  sharedDispatcher ??= createDispatcher();
  return sharedDispatcher;
}

// Load mode posts to one URL tens of thousands of times; parse it once.
let lastUrl = '';
let lastTarget: { origin: string; path: string; authorization: string | undefined } = { origin: '', path: '', authorization: undefined };
/**
 * Origin and path for the dispatcher, and the Basic credentials a URL's user-info stands for (the
 * dispatcher takes an origin, which has none: `http://admin:pw@app/` would go out without them).
 */
function splitUrl(url: string): { origin: string; path: string; authorization: string | undefined } {
  if (url !== lastUrl) {
    const parsed = new URL(url);
    const credentials = parsed.username || parsed.password ? `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}` : undefined;
    lastTarget = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}`, authorization: credentials === undefined ? undefined : `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}` };
    lastUrl = url;
  }
  return lastTarget;
}

/** The request's headers, with the URL's credentials as Authorization unless it carries one. */
function withCredentials(headers: PreparedRequest['headers'], authorization: string | undefined): PreparedRequest['headers'] {
  if (authorization === undefined) return headers;
  for (const name in headers) if (name.toLowerCase() === 'authorization') return headers;
  return { ...headers, authorization };
}

/** A few words for a network error; codes from node:net and undici. */
export function describeNetworkError(error: unknown): string {
  const err = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = err?.code ?? err?.cause?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused (ECONNREFUSED)';
    case 'ECONNRESET':
      return 'connection reset (ECONNRESET)';
    case 'UND_ERR_SOCKET':
      return 'connection closed before an answer (UND_ERR_SOCKET)';
    case 'ENOTFOUND':
      return 'host not found (ENOTFOUND)';
    case 'EAI_AGAIN':
      return 'DNS lookup failed (EAI_AGAIN)';
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'connect timed out (UND_ERR_CONNECT_TIMEOUT)';
    case 'EHOSTUNREACH':
      return 'host unreachable (EHOSTUNREACH)';
    case 'ENETUNREACH':
      return 'network unreachable (ENETUNREACH)';
    case 'EPIPE':
      return 'connection closed while sending (EPIPE)';
    default: {
      if (code?.startsWith('ERR_SSL_')) return `TLS handshake failed (${code}): does the server speak HTTPS? For a local listener use http://`;
      const message = (err?.cause?.message ?? err?.message ?? String(error)).replace(/\s+/g, ' ').trim();
      return code ? `${message} (${code})` : message;
    }
  }
}

/** The longest delay a Node timer takes (2^31 - 1 ms, about 24.8 days); past it Node fires after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

interface AttemptResult {
  status: number | null;
  error: string | null;
  ms: number;
  elapsedMs: number;
  retryAfterMs?: number;
  responseSnippet?: string;
  responseHeaders?: Record<string, string>;
  interrupted: boolean;
}

const SNIPPET_BYTES = 2048;

/** Response headers kept with a refusal: enough to tell what answered and why. */
const TELLING_HEADERS = ['content-type', 'server', 'x-powered-by', 'www-authenticate', 'retry-after', 'location', 'x-runtime'];

function tellingHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> | undefined {
  let kept: Record<string, string> | undefined;
  for (const name of TELLING_HEADERS) {
    const value = headers[name];
    if (value === undefined) continue;
    (kept ??= {})[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return kept;
}

/** Something to stop when a signal aborts; linked into the signal's list while it waits. */
interface AbortWatcher {
  onAbort(): void;
  prevWatcher: AbortWatcher | undefined;
  nextWatcher: AbortWatcher | undefined;
}

/**
 * What is waiting on a signal, as an intrusive doubly linked list with one 'abort' listener per
 * signal. Load mode has every request in flight watch the same signal: an EventTarget listener,
 * or even a Set entry and a closure, per request cost more than the HMAC in garbage collection.
 */
class WatchList {
  head: AbortWatcher | undefined;

  constructor(signal: AbortSignal) {
    signal.addEventListener(
      'abort',
      () => {
        let watcher = this.head;
        this.head = undefined;
        while (watcher) {
          const next = watcher.nextWatcher;
          watcher.prevWatcher = watcher.nextWatcher = undefined;
          watcher.onAbort();
          watcher = next;
        }
      },
      { once: true },
    );
  }

  add(watcher: AbortWatcher): void {
    watcher.prevWatcher = undefined;
    watcher.nextWatcher = this.head;
    if (this.head) this.head.prevWatcher = watcher;
    this.head = watcher;
  }

  remove(watcher: AbortWatcher): void {
    if (watcher.prevWatcher) watcher.prevWatcher.nextWatcher = watcher.nextWatcher;
    else if (this.head === watcher) this.head = watcher.nextWatcher;
    else return;
    if (watcher.nextWatcher) watcher.nextWatcher.prevWatcher = watcher.prevWatcher;
    watcher.prevWatcher = watcher.nextWatcher = undefined;
  }
}

const watchLists = new WeakMap<AbortSignal, WatchList>();

function watchListFor(signal: AbortSignal): WatchList {
  let list = watchLists.get(signal);
  if (!list) {
    list = new WatchList(signal);
    watchLists.set(signal, list);
  }
  return list;
}

/** Runs `callback` once if the signal aborts; returns a function that cancels that. */
export function watchAbort(signal: AbortSignal | undefined, callback: () => void): () => void {
  if (!signal) return noop;
  const list = watchListFor(signal);
  const watcher: AbortWatcher = { onAbort: callback, prevWatcher: undefined, nextWatcher: undefined };
  list.add(watcher);
  return () => list.remove(watcher);
}

function noop(): void {}

/**
 * One attempt through undici's dispatch API: no response stream, no AbortController and no
 * closures per request (this object is the handler), which matters at tens of thousands of
 * requests a second. Settles as soon as the answer is complete, the timeout fires or the signal
 * aborts (the request is then cancelled).
 */
class AttemptHandler implements Dispatcher.DispatchHandler, AbortWatcher {
  private readonly started = performance.now();
  private settled = false;
  private controller: Dispatcher.DispatchController | undefined;
  private stopReason: 'timeout' | 'interrupted' | undefined;
  private status = 0;
  private retryAfterMs: number | undefined;
  private responseHeaders: Record<string, string> | undefined;
  private snippet: Buffer[] | undefined;
  private snippetBytes = 0;
  private snippetCut = false;
  private readonly timer: NodeJS.Timeout;
  prevWatcher: AbortWatcher | undefined = undefined;
  nextWatcher: AbortWatcher | undefined = undefined;

  constructor(
    private readonly resolve: (result: AttemptResult) => void,
    private readonly timeoutMs: number,
    private readonly watchList: WatchList | undefined,
  ) {
    this.timer = setTimeout(stopOnTimeout, Math.min(timeoutMs, MAX_TIMER_MS), this);
    watchList?.add(this);
  }

  onAbort(): void {
    this.stop('interrupted');
  }

  private finish(status: number | null, error: string | null, interrupted: boolean): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.watchList?.remove(this);
    const elapsedMs = performance.now() - this.started;
    const result: AttemptResult = { status, error, ms: Math.round(elapsedMs), elapsedMs, interrupted };
    if (this.retryAfterMs !== undefined) result.retryAfterMs = this.retryAfterMs;
    if (this.responseHeaders) result.responseHeaders = this.responseHeaders;
    if (this.snippet && this.snippetBytes > 0) {
      const text = Buffer.concat(this.snippet).toString('utf8');
      // A body cut here says so: readers must not take the start of an answer for all of it.
      result.responseSnippet = this.snippetCut || text.length > SNIPPET_CHARS ? `${text.slice(0, SNIPPET_CHARS)}…` : text;
    }
    this.resolve(result);
  }

  stop(why: 'timeout' | 'interrupted'): void {
    if (this.settled) return;
    this.stopReason = why;
    // Settle first: undici reports the abort to onResponseError synchronously.
    if (why === 'interrupted') this.finish(null, 'interrupted', true);
    else this.finish(null, `timed out after ${formatMs(this.timeoutMs)}`, false);
    this.controller?.abort(new Error(why));
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    // Stopped while the request waited for a connection.
    if (this.stopReason) controller.abort(new Error(this.stopReason));
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    this.status = statusCode;
    if (!isDelivered(statusCode)) {
      this.snippet = [];
      this.retryAfterMs = parseRetryAfter(headers['retry-after']);
      this.responseHeaders = tellingHeaders(headers);
    }
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.snippet && this.snippetBytes < SNIPPET_BYTES) {
      this.snippet.push(chunk);
      this.snippetBytes += chunk.length;
    } else if (this.snippet) this.snippetCut = true;
  }

  onResponseEnd(): void {
    this.finish(this.status, null, false);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.finish(null, describeNetworkError(error), false);
  }
}

function stopOnTimeout(handler: AttemptHandler): void {
  handler.stop('timeout');
}

function sendOnce(request: PreparedRequest, timeoutMs: number, dispatcher: Dispatcher, signal: AbortSignal | undefined): Promise<AttemptResult> {
  return new Promise<AttemptResult>((resolve) => {
    const handler = new AttemptHandler(resolve, timeoutMs, signal ? watchListFor(signal) : undefined);
    if (signal?.aborted) return handler.stop('interrupted');
    try {
      const { origin, path, authorization } = splitUrl(request.url);
      dispatcher.dispatch({ origin, path, method: (request.method ?? 'POST') as Dispatcher.HttpMethod, headers: withCredentials(request.headers, authorization), body: request.body }, handler);
    } catch (error) {
      handler.onResponseError(undefined as never, error as Error);
    }
  });
}

/**
 * Resolves after `ms`, or at once (false) when the signal aborts. A wait longer than a Node timer
 * takes is waited in pieces (one timer of more than 2^31 - 1 ms would fire after 1 ms).
 */
export function abortableWait(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  if (!(ms > 0)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const until = performance.now() + ms;
    let timer: NodeJS.Timeout;
    const arm = (left: number) => {
      timer = setTimeout(() => {
        const remaining = until - performance.now();
        if (remaining > 1) return arm(remaining);
        unwatch();
        resolve(true);
      }, Math.min(left, MAX_TIMER_MS));
    };
    const unwatch = watchAbort(signal, () => {
      clearTimeout(timer);
      resolve(false);
    });
    arm(ms);
  });
}

/**
 * Delivers one event under a retry policy. `prepare(attempt)` is called for every attempt so the
 * caller can re-sign with a fresh timestamp while keeping the event id. Retries network errors,
 * timeouts, 5xx, 408 and 429, never other 4xx; a Retry-After longer than the scheduled wait wins,
 * up to the policy's maxRetryAfterMs (both scaled by timeScale). A slot of `limiter` is held for
 * each attempt only, never during a wait, so events waiting to retry do not block others. Aborting the signal stops at once and marks the outcome interrupted.
 */
export async function deliver(prepare: (attempt: number) => PreparedRequest, policy: RetryPolicy, options: DeliverOptions = {}): Promise<DeliveryOutcome> {
  const dispatcher = options.dispatcher ?? defaultDispatcher();
  const { signal } = options;
  const attempts: Attempt[] = [];
  const total = Math.max(1, policy.delaysMs.length);
  let status: number | null = null;

  for (let index = 0; index < total; index++) {
    if (index > 0) {
      const previous = attempts[index - 1]!;
      const ms = previous.nextDelayMs ?? 0;
      options.onWait?.(ms, index + 1);
      if (!(await abortableWait(ms, signal))) return { delivered: false, attempts, status, interrupted: true };
    } else if (signal?.aborted) {
      if (options.holdingSlot) options.limiter?.release();
      return { delivered: false, attempts, status, interrupted: true };
    }

    const { limiter } = options;
    if (limiter && !(index === 0 && options.holdingSlot)) {
      const slot = limiter.acquire();
      if (slot) await slot;
    }
    let result: AttemptResult;
    try {
      result = await sendOnce(prepare(index + 1), policy.timeoutMs, dispatcher, signal);
    } finally {
      limiter?.release();
    }
    status = result.status;
    const attempt: Attempt = { attempt: index + 1, status: result.status, error: result.error, ms: result.ms, elapsedMs: result.elapsedMs, willRetry: false };
    let askedForMs = 0;
    if (result.retryAfterMs !== undefined) {
      attempt.retryAfterMs = result.retryAfterMs;
      const capMs = policy.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
      if (result.retryAfterMs > capMs) attempt.retryAfterCappedMs = capMs;
      askedForMs = Math.min(result.retryAfterMs, capMs);
    }
    if (result.responseSnippet !== undefined) attempt.responseSnippet = result.responseSnippet;
    if (result.responseHeaders !== undefined) attempt.responseHeaders = result.responseHeaders;
    const delivered = isDelivered(result.status);
    if (!delivered && !result.interrupted && index + 1 < total && isRetryable(result.status)) {
      const scheduled = scheduledWaitMs(policy, index + 1, options.random);
      attempt.willRetry = true;
      attempt.nextDelayMs = Math.max(scheduled, Math.round(askedForMs * policy.timeScale));
    }
    attempts.push(attempt);
    options.onAttempt?.(attempt);
    if (result.interrupted) return { delivered: false, attempts, status, interrupted: true };
    if (delivered) return { delivered: true, attempts, status };
    if (!attempt.willRetry) break;
  }
  return { delivered: false, attempts, status };
}
