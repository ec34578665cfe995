/**
 * A real verifying listener for tests of code that *sends* webhooks: `hookctl listen` on a free
 * loopback port (src/listen/server.ts, the same pipeline), with no capture to disk, keeping what
 * arrives in memory for the test to look at and wait for.
 */
import { startListener } from '../listen/server.js';
import type { Delivery, FaultOptions, ListenerHandle } from '../listen/types.js';
import type { Subscriber } from '../listen/observe.js';
import { asTypeError, durationMs, schemeSettings, sizeBytes, type Duration, type SchemeSettings } from './options.js';
import { SCHEME_NAMES } from '../schemes/names.js';
import { verifyingKeys } from './verify.js';

// `await using` needs Symbol.asyncDispose; Node 20 has it from 20.4 on, this covers older builds
// and runtimes without it, with the symbol Node itself uses.
(Symbol as { asyncDispose?: symbol }).asyncDispose ??= Symbol.for('nodejs.asyncDispose');

/** Options of `startReceiver`: the flags of `hookctl listen` of the same names. */
export interface ReceiverOptions extends SchemeSettings {
  /** Secret(s) to verify with; without (and without `publicKey`), everything is accepted unverified (`verified: null`). */
  secret?: string | readonly string[];
  /** For a provider that signs with a key pair: its public key(s) or certificate(s), as `--public-key`. */
  publicKey?: string | readonly string[];
  /** The scheme name, or `'auto'` (the default): detected from each request's headers. */
  scheme?: string;
  /** Allowed timestamp skew (`--tolerance`); default: as `hookctl listen`. */
  tolerance?: Duration;
  /** Accept only this path (others get 404); default: any path. */
  path?: string;
  /** The public URL senders sign (Twilio); default: the URL as requested. */
  publicUrl?: string;
  /** Largest body accepted (`--max-body`, default 1 MiB): bytes, or a size like `'64kb'`; larger gets 413. */
  maxBody?: number | string;
  /** Header carrying the event id, for senders of your own (`--id-header`). */
  idHeader?: string;
  /** Answer every accepted delivery with this status (`--status`), to test a sender's handling of it. */
  status?: number;
  /** The first N deliveries of each event id fail (`--fail-first`): a sender's retries are exercised. */
  failFirst?: number;
  /** Status of those failures (`--fail-status`, default 500). */
  failStatus?: number;
  /** `Retry-After` sent with failures (`--retry-after`). */
  retryAfter?: Duration;
  /** Wait before answering (`--delay`): a sender's timeout is exercised. */
  delay?: Duration;
}

/** One request the receiver answered: the `delivery` record of `hookctl listen --json`, plus its headers and body. */
export interface ReceivedDelivery {
  type: 'delivery';
  /** Receiver's id for it (sorts by arrival). */
  id: string;
  /** The provider's event id, if the delivery carries one. */
  eventId: string | null;
  /** The provider's event type, if the delivery carries one. */
  eventType: string | null;
  /** The HTTP method. */
  method: string;
  /** Path and query as requested. */
  path: string;
  /** The scheme it was verified with (detected with `auto`), or null. */
  scheme: string | null;
  /** true / false as verified; null when the receiver has no secret. */
  verified: boolean | null;
  /** Why it was refused (`signature_mismatch`, `timestamp_outside_tolerance`…), else null. */
  reason: string | null;
  /** An event id seen before (answered 2xx again, as the listener does). */
  duplicate: boolean;
  /** The status the receiver answered; null when it dropped the connection. */
  status: number | null;
  /** The body's size in bytes. */
  bytes: number;
  /** Always null: the receiver captures nothing to disk. */
  capture: null;
  /** Always null: the receiver forwards nothing. */
  forward: null;
  /** When the signature did not verify: what went wrong, and its likely cause. */
  message?: string;
  /** The likely cause of a mismatch (a re-serialized body, a trailing newline…), or null. */
  diagnosis?: string | null;
  /** Why the answer was not a plain success (an injected failure). */
  note?: string;
  /** Time from the end of the headers to the answer. */
  ms: number;
  /** ISO time of arrival. */
  receivedAt: string;
  /** The request headers (lower case; credentials and the receiver's secret redacted). */
  headers: Record<string, string>;
  /** The body, byte for byte. */
  body: Buffer;
}

/** Options of `waitFor`. */
export interface WaitOptions {
  /** How long to wait (default `'3s'`): a duration string or ms. */
  timeout?: Duration;
}

/** A running receiver. Close it with `close()`, or let `await using` do it. */
export interface Receiver extends AsyncDisposable {
  /** Where to send: `http://127.0.0.1:PORT/` (plus the `path` option when given). */
  readonly url: string;
  /** The port it listens on. */
  readonly port: number;
  /** Everything answered so far, in order of arrival (refusals included). */
  readonly deliveries: readonly ReceivedDelivery[];
  /** Resolves with the first `count` deliveries once that many have arrived. */
  waitFor(count: number, options?: WaitOptions): Promise<ReceivedDelivery[]>;
  /** Resolves with the first delivery (arrived or to come) that `predicate` accepts. */
  waitFor(predicate: (delivery: ReceivedDelivery) => boolean, options?: WaitOptions): Promise<ReceivedDelivery>;
  /** Stops listening, finishing requests in flight. Safe to call more than once. */
  close(): Promise<void>;
}

/** The `delivery` record of `listen --json` for one delivery, with its headers and body. */
export function receivedDelivery(delivery: Delivery): ReceivedDelivery {
  // Built field by field in the order of listen --json's record (a test holds them equal).
  const received = {
    type: 'delivery',
    id: delivery.id,
    eventId: delivery.eventId,
    eventType: delivery.eventType,
    method: delivery.method,
    path: delivery.path,
    scheme: delivery.scheme,
    verified: delivery.verified,
    reason: delivery.reason,
    duplicate: delivery.duplicate,
    status: delivery.status,
    bytes: delivery.bytes,
    capture: null,
    forward: null,
  } as ReceivedDelivery;
  if (delivery.note) received.note = delivery.note;
  const verification = delivery.verification;
  if (verification && !verification.verified) {
    received.message = verification.message;
    received.diagnosis = verification.diagnosis ?? null;
  }
  received.ms = delivery.ms;
  received.receivedAt = delivery.receivedAt.toISOString();
  received.headers = { ...delivery.headers };
  received.body = Buffer.from(delivery.body);
  return received;
}

/** One line per delivery, for a timeout's message. */
function describe(delivery: ReceivedDelivery, index: number): string {
  const verdict = delivery.verified === true ? 'verified' : delivery.verified === false ? `NOT verified (${delivery.reason}${delivery.message ? `: ${delivery.message}` : ''})` : 'unverified (no secret)';
  const event = [delivery.scheme, delivery.eventType, delivery.eventId].filter(Boolean).join(' ');
  return `  ${index + 1}. ${delivery.method} ${delivery.path} → ${delivery.status ?? 'no answer'}${event ? ` [${event}]` : ''}, ${verdict}, ${delivery.bytes} bytes`;
}

/** A whole number in range, checked as the flag of the same name checks it (a number given as such, not parsed from text). */
function wholeNumber(value: unknown, option: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) throw new TypeError(`${option}: expected a whole number between ${min} and ${max}, got ${String(value)}`);
  return value;
}

function faultsFrom(options: ReceiverOptions): FaultOptions | undefined {
  const faults: FaultOptions = {};
  // Unchecked, a status of 99 made every answer the listener's 500 and a negative failFirst was no fault at all.
  if (options.status !== undefined) faults.status = wholeNumber(options.status, 'status', 100, 599);
  if (options.failFirst !== undefined) faults.failFirst = wholeNumber(options.failFirst, 'failFirst', 0, Number.MAX_SAFE_INTEGER);
  if (options.failStatus !== undefined) faults.failStatus = wholeNumber(options.failStatus, 'failStatus', 100, 599);
  if (options.retryAfter !== undefined) faults.retryAfterMs = durationMs(options.retryAfter, 'retryAfter');
  if (options.delay !== undefined) faults.delayMs = durationMs(options.delay, 'delay');
  return Object.keys(faults).length > 0 ? faults : undefined;
}

/**
 * Starts a verifying receiver on a free port of 127.0.0.1: `hookctl listen` in your test, with
 * nothing written to disk. Point the code under test at `receiver.url`, then `waitFor` what it
 * sends. Answers as the listener does: 2xx when verified (or with no secret), 401 with
 * `{"error","reason"}` when not.
 *
 * @example
 * await using receiver = await startReceiver({ secret, scheme: 'standard' });
 * await notifyCustomer(receiver.url);               // your code, signing with the official library
 * const [delivery] = await receiver.waitFor(1);
 * expect(delivery.verified).toBe(true);
 */
export async function startReceiver(options: ReceiverOptions = {}): Promise<Receiver> {
  const secrets = verifyingKeys(options);
  const scheme = options.scheme ?? 'auto';
  if (scheme !== 'auto' && !(SCHEME_NAMES as readonly string[]).includes(scheme)) throw new TypeError(`scheme: unknown scheme "${scheme}"; expected auto or one of ${SCHEME_NAMES.join(', ')}`);
  const deliveries: ReceivedDelivery[] = [];
  const waiters = new Set<() => void>();
  const subscriber: Subscriber = {
    needsHeaders: true,
    delivery(delivery) {
      deliveries.push(receivedDelivery(delivery));
      for (const wake of [...waiters]) wake();
    },
  };
  const faults = faultsFrom(options);
  const listener: ListenerHandle = await asTypeError(() =>
    startListener({
      host: '127.0.0.1',
      port: 0,
      scheme,
      schemeOptions: schemeSettings(options),
      secrets,
      ...(options.tolerance !== undefined ? { toleranceSeconds: durationMs(options.tolerance, 'tolerance') / 1000 } : {}),
      ...(options.path !== undefined ? { path: options.path } : {}),
      ...(options.publicUrl !== undefined ? { publicUrl: options.publicUrl } : {}),
      ...(options.maxBody !== undefined ? { maxBodyBytes: sizeBytes(options.maxBody, 'maxBody') } : {}),
      ...(options.idHeader !== undefined ? { idHeader: options.idHeader } : {}),
      ...(faults ? { faults } : {}),
      subscribers: [subscriber],
      drainTimeoutMs: 2_000,
    }),
  ).catch((error: unknown) => asTypeError(() => {
    throw error;
  }));

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= listener.close().then(() => {
      for (const wake of [...waiters]) wake();
    });
    return closed;
  };

  function waitFor(count: number, options?: WaitOptions): Promise<ReceivedDelivery[]>;
  function waitFor(predicate: (delivery: ReceivedDelivery) => boolean, options?: WaitOptions): Promise<ReceivedDelivery>;
  function waitFor(want: number | ((delivery: ReceivedDelivery) => boolean), waitOptions: WaitOptions = {}): Promise<ReceivedDelivery[] | ReceivedDelivery> {
    const timeoutMs = durationMs(waitOptions.timeout ?? '3s', 'timeout');
    if (typeof want === 'number' && !(Number.isInteger(want) && want >= 1)) return Promise.reject(new TypeError(`waitFor: expected a count of 1 or more, or a predicate; got ${want}`));
    if (typeof want !== 'number' && typeof want !== 'function') return Promise.reject(new TypeError('waitFor: expected a count or a predicate'));
    const what = typeof want === 'number' ? `${want} deliver${want === 1 ? 'y' : 'ies'}` : 'a delivery matching the predicate';
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (settle: () => void) => {
        waiters.delete(check);
        if (timer) clearTimeout(timer);
        settle();
      };
      function check(): void {
        try {
          if (typeof want === 'number') {
            if (deliveries.length >= want) return finish(() => resolve(deliveries.slice(0, want)));
          } else {
            const found = deliveries.find((delivery) => want(delivery));
            if (found) return finish(() => resolve(found));
          }
        } catch (error) {
          return finish(() => reject(error));
        }
        if (closed) finish(() => reject(new Error(`waitFor: the receiver was closed while waiting for ${what}${arrived()}`)));
      }
      const arrived = () =>
        deliveries.length === 0 ? `; nothing arrived at ${listener.url}` : `; ${deliveries.length} arrived at ${listener.url}:\n${deliveries.map(describe).join('\n')}`;
      waiters.add(check);
      timer = setTimeout(() => finish(() => reject(new Error(`waitFor: timed out after ${timeoutMs} ms waiting for ${what}${arrived()}`))), timeoutMs);
      check();
    });
  }

  return {
    url: listener.url,
    port: listener.port,
    deliveries,
    waitFor,
    close,
    [Symbol.asyncDispose]: close,
  };
}
