/**
 * Delivery status, one shape for every engine that holds acknowledged deliveries until they are
 * forwarded: the Redis queue (src/queue/) and the listener's local outbox (src/outbox/) both
 * implement QueueBackend, and `hookctl queue status|dead|requeue` talks only to it. Types only: a
 * neutral home both engines import downward from, so neither depends on the other.
 */

/** A Redis queue's memory against maxmemory. */
export interface MemoryUse {
  usedBytes: number;
  /** 0: no limit. */
  maxBytes: number;
  /** At the limit: listeners answer 503 queue_full until workers make room. */
  full: boolean;
  /** Over 80% of the limit: delivered entries are trimmed at once, whatever --retain says. */
  tight: boolean;
}

/** A forward that will not be tried again, and why. */
export interface DeadLetter {
  /** Its id in the dead-letter stream: what `requeue` takes. */
  id: string;
  deadAt: string;
  reason: string;
  error: string;
  status: number | null;
  route: string | null;
  target: string | null;
  /** Forward attempts made on the route. */
  attempts: number;
  eventId: string | null;
  eventType: string | null;
  /** The stream entry it died from, and the one the delivery first arrived as. */
  entryId: string | null;
  origin: string | null;
}

export interface WorkerStatus {
  name: string;
  /** Entries it holds and has not acknowledged. */
  inFlight: number;
  /** Since it last read or acknowledged anything, ms. */
  idleMs: number;
  /**
   * Idle beyond the claim-idle time (and at least 6s: liveness.ts): a live worker reads (or
   * re-claims what it holds) well within it, so this one is presumed dead; its entries go to the
   * next worker that looks, and it is dropped from the group once they have.
   */
  presumedDead?: boolean;
}

export interface ScheduledRetry {
  at: string;
  eventId: string | null;
  route: string | null;
  /** Attempts made so far; the retry is attempt + 1. */
  attempts: number;
  lastError: string | null;
}

export interface QueueStatus {
  engine: 'redis' | 'outbox';
  /** Where (no password). */
  queue: string;
  /** Accepted and waiting for a worker. */
  pending: number;
  /** Handed to a worker and not yet acknowledged. */
  inFlight: number;
  workers: WorkerStatus[];
  /** Retries waiting for their time. */
  scheduled: number;
  /** The next few, soonest first. */
  nextRetries: ScheduledRetry[];
  dead: number;
  /** Forwards delivered per second, over the last 10 and 60 seconds. */
  deliveredPerSecond: { last10s: number; last60s: number };
  /** Running totals since the queue was created. */
  totals: { delivered: number; retried: number; dead: number; malformed: number; unrouted: number };
  /** Entries in the stream (pending, in flight and retained delivered ones) and its memory use; for the outbox, its lines and bytes. */
  stream?: { entries: number; bytes: number | null };
  /** Redis: its memory against maxmemory; `full` means listeners answer 503 queue_full until workers make room. Absent when Redis does not say (INFO disabled). */
  memory?: MemoryUse;
  /** Outbox: dead letters a requeue asked for that no listener has taken yet. */
  requeueWaiting?: number;
}

/** What `hookctl queue …` needs from an engine. */
export interface QueueBackend {
  readonly engine: 'redis' | 'outbox';
  readonly display: string;
  /** `claimIdleMs`: how long workers wait before taking over a silent one's entries (default 30s). */
  status(options?: { claimIdleMs?: number }): Promise<QueueStatus>;
  deadLetters(limit?: number): Promise<DeadLetter[]>;
  /** Puts dead letters back for another full schedule; returns how many. */
  requeue(ids: readonly string[] | 'all'): Promise<number>;
  /** What became of the last requeue, when the engine cannot do it at once (the outbox: whether a running listener took it). */
  afterRequeue?(): string | undefined;
  close(): Promise<void>;
}
