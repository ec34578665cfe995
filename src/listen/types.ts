import type { FileOps } from '../capture/file-ops.js';
import type { DeliveryRecord } from '../records/record.js';
import type { SchemeOptions, VerifyResult } from '../schemes/types.js';
import type { Subscriber } from './observe.js';
import type { AppAnswer } from '../delivery/app-refusal.js';
import type { Route } from '../routes/route.js';
import type { DeliveryOutcome } from '../records/outcome.js';

export interface FaultOptions {
  /** Answer every otherwise accepted delivery with this status. */
  status?: number;
  /** The first N deliveries of each event id fail. */
  failFirst?: number;
  /** This fraction of deliveries fail. */
  failRate?: number;
  /** Status for injected failures (default 500). */
  failStatus?: number;
  /** Retry-After sent with injected failures, ms (rounded up to whole seconds on the wire). */
  retryAfterMs?: number;
  /** This fraction of deliveries get no answer: the connection is dropped after processing. */
  resetRate?: number;
  /** Wait before answering, ms. */
  delayMs?: number;
  /** Randomness for the rates; injectable for tests. */
  random?: () => number;
}

export interface ForwardOptions {
  /** Every delivery goes here (`--forward-to`); with `routes`, this is one more route, matching everything. */
  url?: string;
  /** The URL was given without a path: each delivery goes to the path it was posted to. */
  keepPath?: boolean;
  /**
   * More targets, each with event-type and/or path filters (`--route`): a delivery goes to every
   * route it matches, each with its own attempts, retries and dead letter.
   */
  routes?: readonly Route[];
  /** Re-sign forwarded deliveries with this secret (fresh timestamp, same event id). */
  secret?: string;
  /**
   * Answer 2xx at once and forward with retries. With a capture folder the forwards are kept in
   * its outbox (`.hookctl-outbox`), so a restarted listener resumes them; without, in memory.
   */
  ackFirst?: boolean;
  /** Waits between attempts (ack-first), ms; the first is 0. Default: the send default (0, 5s, 30s, 5m). */
  retryScheduleMs?: number[];
  /** Fraction each wait moves by, up or down (default: 0.2 for the default schedule, 0 for one given). */
  retryJitter?: number;
  /** Per-attempt timeout, ms (default 10s). */
  timeoutMs?: number;
  /** Forwards in flight at once from the queue (default 16). */
  concurrency?: number;
}

export interface QueueOptions {
  /** `redis://[user:password@]host:port[/db][?stream=…&group=…]` (`rediss://` for TLS). */
  url: string;
  /** Stream and consumer group (over the URL's query parameters). */
  stream?: string;
  group?: string;
  /** Used when the URL carries none (read from a file, kept out of `ps`). */
  password?: string;
  /** The file it was read from (named in the commands the listener prints). */
  passwordFile?: string;
  /** Gives up on a Redis that does not answer (connecting, each command) after this long, ms (default 5s). */
  timeoutMs?: number;
  /** Run on a Redis whose maxmemory-policy evicts keys (refused otherwise). */
  allowEviction?: boolean;
}

export interface ListenOptions {
  port?: number;
  host?: string;
  /** Only this path is accepted (others get 404); undefined accepts any path. */
  path?: string;
  /** Scheme name or `auto`. */
  scheme?: string;
  schemeOptions?: SchemeOptions;
  /** Secrets to verify with; none means accept everything, unverified. */
  secrets?: readonly string[];
  toleranceSeconds?: number;
  /** The public URL providers post to (Twilio signs it); else built from Host and the path. */
  publicUrl?: string;
  /**
   * Credential headers (Authorization, Cookie, X-Api-Key…) to capture and display anyway; by
   * default they are redacted. A header holding the listener's own secret is always redacted.
   */
  keepHeaders?: readonly string[];
  /** Header carrying the event id, for custom senders. */
  idHeader?: string;
  /** Answer provider URL challenges (src/schemes/handshakes/) in the listener; false passes them on like any delivery. Default true. */
  handshakes?: boolean;
  /** Capture folder; undefined: no capture (the ledger stays in memory). */
  captureDir?: string;
  captureFiles?: boolean;
  durable?: boolean;
  forward?: ForwardOptions;
  /**
   * A Redis queue instead of forwarding: each new delivery is added to the stream (deduplicated
   * in Redis across every listener on it) and answered 2xx only once Redis has it; `hookctl
   * worker` forwards. Loads the Redis client only when set.
   */
  queue?: QueueOptions;
  /** How long an accepted event id stays a duplicate, ms (default 7 days): the Redis ledger's window. */
  dedupeWindowMs?: number;
  faults?: FaultOptions;
  /** Largest body accepted, bytes (default 1 MiB). */
  maxBodyBytes?: number;
  /** Time allowed to receive the request headers, ms (default 10s). */
  headerTimeoutMs?: number;
  /** Time allowed to receive the body once the headers are in, ms (default 30s). */
  bodyTimeoutMs?: number;
  /** Bound on the drain at close(), ms (default 10s). */
  drainTimeoutMs?: number;
  /** More watchers of deliveries and forwards (the inspector's live feed); the callbacks below are one more. */
  subscribers?: readonly Subscriber[];
  /** Called for every request answered on the listener (deliveries and refusals). */
  onDelivery?(delivery: Delivery): void;
  /** Called when a queued (--ack-first) forward finishes. */
  onForward?(forward: QueuedForward): void;
  /** Called for problems that are not a delivery's (a capture write failed, a client broke the protocol). */
  onWarning?(message: string): void;
  /**
   * A per-run random value: a request carrying it in the `Hookctl-Relay-Entry` header came from this
   * run's relay subscriber (`listen --relay`), which hands relayed deliveries on over loopback
   * (src/listen/relayed.ts). Unset: the header is not looked for.
   */
  relayMarker?: string;
  /** File-system calls of the capture writers; tests inject failures here. */
  fileOps?: FileOps;
  /** The clock for verification, Unix ms. */
  now?: () => number;
}

export interface ForwardResult {
  status: number | null;
  ms: number;
  error?: string | null;
  attempts?: number;
  /** What the app answered when it did not accept the delivery. */
  app?: AppAnswer;
  /** When that answer looks like a failed signature check: the likely cause and the fix. */
  hint?: string;
  /** The route (its name) and the URL called (no password), when forwarded along routes. */
  route?: string;
  target?: string;
}

/** One request the listener answered, and what it did with it. */
export interface Delivery {
  /** Capture id (sorts by arrival). */
  id: string;
  receivedAt: Date;
  method: string;
  path: string;
  /** As received, except credentials and the listener's secret, which are redacted: safe to store and show. */
  headers: Record<string, string>;
  body: Buffer;
  bytes: number;
  scheme: string | null;
  eventId: string | null;
  eventType: string | null;
  /** The id used for idempotency: the event id, or a hash of the body. */
  idempotencyKey: string | null;
  verified: boolean | null;
  reason: string | null;
  /** The verification message and diagnosis, when it was verified. */
  verification: VerifyResult | null;
  duplicate: boolean;
  /** Status answered; null when the connection was dropped (--reset-rate). */
  status: number | null;
  /** True when --reset-rate dropped the connection instead of answering. */
  reset: boolean;
  /** Answered with an injected failure (--status, --fail-first, --fail-rate). */
  injected: boolean;
  /** Why the listener answered as it did when not a plain success: injected failure, capture failure, forward failure. */
  note: string | null;
  /** Journal or fixture path, or null. */
  capture: string | null;
  forward: ForwardResult | null;
  /** What is known of its outcome when it is stored: the forwards the outbox will make, pending (the record marks them). */
  outcome?: DeliveryOutcome;
  /** Each route's result when the app answered in line (`forward` is the worst of them). */
  forwards?: ForwardResult[];
  /** Queued for forwarding (--ack-first); the outcome comes later through onForward. */
  forwardQueued: boolean;
  /** Time from the end of the headers to the answer. */
  ms: number;
  /** Came through the relay (`listen --relay`); absent for a delivery posted to the listener. */
  via?: 'relay';
}

export interface QueuedForward {
  id: string;
  eventId: string | null;
  delivered: boolean;
  status: number | null;
  error: string | null;
  attempts: number;
  ms: number;
  /** What the app last answered when it did not accept the delivery. */
  app?: AppAnswer;
  /** When that answer looks like a failed signature check: the likely cause and the fix. */
  hint?: string;
  /** Not delivered because the listener stopped, but kept in the outbox: the next start resumes it. */
  kept?: boolean;
  /** Gave up, and kept in the outbox as a dead letter (`hookctl queue dead DIR` lists it). */
  dead?: boolean;
  /** The route it went to (its name: `FILTERS=URL`, or the URL of --forward-to) and the URL. */
  route?: string;
  target?: string;
}

export interface ListenStats {
  received: number;
  verified: number;
  rejected: number;
  duplicates: number;
  forwarded: number;
  forwardFailed: number;
  /** Queued forwards the listener stopped before, kept in the outbox for its next start. */
  forwardsKept: number;
  /** Forwards that gave up and are kept in the outbox as dead letters (and were not requeued and delivered since). */
  deadLetters: number;
  /** New deliveries handed on to be forwarded later: to the Redis queue (--queue), the outbox or memory (--ack-first). */
  queued: number;
  /** New deliveries that matched no route (acknowledged, nothing to forward). */
  unrouted: number;
  injected: number;
  resets: number;
  captured: number;
  captureErrors: number;
}

export interface ListenSummary extends ListenStats {
  /** Queued forwards abandoned because the drain timed out. */
  abandonedForwards: number;
  /** In-flight requests cut off because the drain timed out. */
  abandonedRequests: number;
}

export interface ListenerHandle {
  url: string;
  port: number;
  readonly stats: ListenStats;
  /** Capture folder and ledger details, for the start-up banner. */
  readonly capture: { dir: string | null; journal: string | null; files: boolean; ledgerEntries: number; tornJournal: boolean; tornLedger: boolean; warnings: readonly string[] };
  /** The outbox (--ack-first with a capture folder): what the start found in it. */
  readonly outbox: OutboxReport | null;
  /** The Redis queue (--queue): where deliveries go (no password). */
  readonly queue: { display: string; stream: string; group: string; dedupeWindowMs: number; /** What the Redis's eviction policy and persistence put at risk. */ warnings: string[]; /** The queue as printed in a command to run (no `***`), and what to know to run it. */ pastable: { args: string; hint?: string } } | null;
  /** Group-commit counters: records written and the write (+ fsync when durable) batches they took. */
  writes(): { journal: { batches: number; lines: number }; ledger: { batches: number; lines: number } };
  /**
   * Stops accepting, finishes requests in flight and queued forwards (bounded by drainTimeoutMs),
   * flushes captures. Idempotent: every call returns the same summary.
   */
  close(): Promise<ListenSummary>;
}

/** What a listener found in its outbox at start. */
export interface OutboxReport {
  path: string;
  /** Pending forwards resumed, on their schedule. */
  resumed: number;
  /** Pending forwards for routes this listener does not have: left as they are, for a run that has them. */
  otherRoutes: number;
  /** Pending forwards whose delivery is no longer in the capture (the journal was removed): now dead letters. */
  lost: number;
  /** Pending forwards never acknowledged (the listener died between writing them and answering): dropped. */
  unacknowledged: number;
  /** Dead letters kept from earlier runs. */
  dead: number;
  /** Dead letters put back by `hookctl queue requeue` since the last run. */
  requeued: number;
  /** A torn last line (a crash mid-write) was ignored. */
  tornTail: boolean;
  /** Damaged lines skipped and NUL bytes found in the outbox file. */
  damagedLines: number;
  nulBytes: number;
  /** The outbox file was missing or empty. */
  empty: boolean;
  /**
   * Forwards the capture records as acknowledged and pending (or dead) that the outbox did not
   * know (it was emptied or damaged): recreated from the capture.
   */
  recreated: number;
}

export type { DeliveryRecord };
