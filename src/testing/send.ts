/**
 * One signed delivery over HTTP through the delivery core of `hookctl send` (src/delivery/): the
 * same retry policy, Retry-After handling and fresh signature per attempt. One attempt unless
 * retries are asked for.
 */
import type { Dispatcher } from 'undici';
import { createDispatcher, deliver, retryPolicyFromFlags, type Attempt, type RetryFlags } from '../delivery/index.js';
import { prepareWithSample } from './prepare.js';
import { asTypeError, type Duration, type SignOptions } from './options.js';

/** How `send` retries: the options of `hookctl send` of the same names. */
export interface RetryOptions {
  /**
   * Retries after the first attempt (`--retries`). Default 0: one attempt, unless a
   * `retrySchedule` is given. Retried: network errors, timeouts, 5xx, 408 and 429; never other 4xx.
   */
  retries?: number;
  /** Waits before each attempt (`--retry-schedule`): `'0,100ms,1s'`, a preset (`'standard'`), or ms. */
  retrySchedule?: string | readonly Duration[];
  /** Multiplies every wait (`--time-scale`): `0.001` runs an hours-long schedule in seconds. */
  timeScale?: number;
  /** Per-attempt timeout (`--timeout`, default `'10s'`). */
  timeout?: Duration;
  /** The longest `Retry-After` honoured (`--max-retry-after`, default `'10m'`). */
  maxRetryAfter?: Duration;
  /** Stops at once (the result says `interrupted`). */
  signal?: AbortSignal;
}

/** Options of `send`: what to sign (as `sign`) and how to retry. */
export type SendOptions = SignOptions & RetryOptions;

/** One attempt of a `send`, as the `attempt` records of `hookctl send --json`. */
export interface SendAttempt {
  /** 1-based. */
  attempt: number;
  /** The HTTP status, or null when there was no answer. */
  status: number | null;
  /** Why there was no answer (`connection refused (ECONNREFUSED)`, `timed out after 10s`), else null. */
  error: string | null;
  /** From sending the request to the end of the answer, rounded. */
  ms: number;
}

/** What `send` did: the last answer, and every attempt. */
export interface SendResult {
  /** The last attempt's HTTP status, or null when it got no answer. */
  status: number | null;
  /** The last answer's body as text ('' when there was none). */
  body: string;
  /** The last answer's headers (lower-case names). */
  headers: Record<string, string>;
  /** A 2xx came back. */
  delivered: boolean;
  /** The event id the receiving app reads from what was sent (every attempt keeps it). */
  eventId: string | undefined;
  /** How many attempts were made. */
  attempts: number;
  /** Each attempt, in order. */
  history: SendAttempt[];
  /** Stopped by `signal`. */
  interrupted: boolean;
}

interface LastAnswer {
  status: number | null;
  chunks: Buffer[];
  headers: Record<string, string>;
}

function flatHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  return flat;
}

/**
 * Keeps the body of each answer for the caller: the delivery core reads only what it needs (the
 * start of a refusal), and a test wants the whole answer.
 */
function keepingAnswers(last: LastAnswer): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (options, handler) => {
    last.status = null;
    last.chunks = [];
    last.headers = {};
    return dispatch(options, {
      onRequestStart: (controller, context) => handler.onRequestStart?.(controller, context),
      onRequestUpgrade: (controller, status, headers, socket) => handler.onRequestUpgrade?.(controller, status, headers, socket),
      onResponseStart: (controller, status, headers, message) => {
        last.status = status;
        last.headers = flatHeaders(headers);
        handler.onResponseStart?.(controller, status, headers, message);
      },
      onResponseData: (controller, chunk) => {
        last.chunks.push(chunk);
        handler.onResponseData?.(controller, chunk);
      },
      onResponseEnd: (controller, trailers) => handler.onResponseEnd?.(controller, trailers),
      onResponseError: (controller, error) => handler.onResponseError?.(controller, error),
    });
  };
}

function retryFlags(options: RetryOptions): RetryFlags {
  const flags: RetryFlags = {};
  const schedule = options.retrySchedule;
  if (schedule !== undefined) flags.retrySchedule = typeof schedule === 'string' ? schedule : schedule.map((wait) => (typeof wait === 'number' ? `${wait}ms` : wait)).join(',');
  if (options.retries !== undefined) flags.retries = String(options.retries);
  else if (schedule === undefined) flags.retry = false;
  if (options.timeScale !== undefined) flags.timeScale = String(options.timeScale);
  if (options.timeout !== undefined) flags.timeout = String(options.timeout);
  if (options.maxRetryAfter !== undefined) flags.maxRetryAfter = String(options.maxRetryAfter);
  return flags;
}

/**
 * Posts one signed delivery to `url`, as `hookctl send` would: the sample of `event` (or `body`)
 * signed for `scheme`, retried under the policy if asked, every attempt re-signed with a fresh
 * timestamp and the same event id. Resolves with the last answer; a refusal is a result, not an
 * error (only bad options throw).
 *
 * @example
 * const res = await send(`${baseUrl}/webhooks/stripe`, { scheme: 'stripe', secret, event: 'invoice.paid' });
 * expect(res.status).toBe(200);
 * const stale = await send(url, { scheme: 'stripe', secret, stale: '10m' });
 * expect(stale.status).toBe(400);
 */
export async function send(url: string | URL, options: SendOptions): Promise<SendResult> {
  const target = String(url);
  // A URL that cannot be sent to is a mistake in the test, not an answer to assert on.
  if (!URL.canParse(target) || !/^https?:$/.test(new URL(target).protocol)) throw new TypeError(`url: "${target}" is not an http:// or https:// URL`);
  const prepared = prepareWithSample(options, target, 'send');
  const policy = asTypeError(() => retryPolicyFromFlags(retryFlags(options)));
  const last: LastAnswer = { status: null, chunks: [], headers: {} };
  const agent = createDispatcher();
  const clock = options.now;
  try {
    const outcome = await deliver(
      // With a fixed `now`, every attempt is signed at it; else each at its own moment.
      () => ({ url: prepared.url ?? target, method: prepared.method, ...prepared.attempt(clock === undefined ? Date.now() : undefined) }),
      policy,
      { dispatcher: agent.compose(keepingAnswers(last)), ...(options.signal ? { signal: options.signal } : {}) },
    );
    const final = outcome.attempts[outcome.attempts.length - 1];
    const answered = final !== undefined && final.status !== null;
    return {
      status: outcome.status,
      body: answered ? Buffer.concat(last.chunks).toString('utf8') : '',
      headers: answered ? last.headers : {},
      delivered: outcome.delivered,
      eventId: prepared.eventId,
      attempts: outcome.attempts.length,
      history: outcome.attempts.map((attempt: Attempt) => ({ attempt: attempt.attempt, status: attempt.status, error: attempt.error, ms: attempt.ms })),
      interrupted: outcome.interrupted ?? false,
    };
  } finally {
    // No keep-alive socket outlives the call: a test runner exits without waiting for it.
    await agent.close().catch(() => {});
  }
}
