/**
 * A queue worker: one member of the stream's consumer group, forwarding each entry to the routes
 * it matches through the shared delivery core, one attempt at a time.
 *
 * - New entries are read with XREADGROUP; at most `concurrency` entries are in flight.
 * - Each matching route gets one attempt. Delivered: counted. Worth retrying: the entry's fields
 *   plus the route and attempt count go to the retries sorted set, scored by when they are due,
 *   and any worker moves them back into the stream then (MOVE_DUE_RETRIES). Schedule exhausted or
 *   refused: a dead letter with the last error. The entry is acknowledged (XACK) in the same
 *   MULTI that schedules its retries and dead letters, so no outcome is lost between the two; the
 *   entries finished in one event-loop turn share that MULTI (group commit).
 * - Entries in flight are re-claimed by their worker every claimIdle/3 (XCLAIM JUSTID resets their
 *   idle time); an entry idle longer than claimIdle belongs to a worker that died, and XAUTOCLAIM
 *   hands it to this one.
 * - stop() stops reading, lets the forwards in flight finish (bounded by drainTimeoutMs; what is
 *   cut off stays pending and is re-claimed by another worker) and reports a summary.
 * - When Redis goes away every loop waits for the connection to come back (node-redis reconnects
 *   with backoff); an outcome that could not be recorded is retried until it is.
 * - A Redis at maxmemory (noeviction) refuses the outcome's MULTI when it holds a command that
 *   allocates (HINCRBY, ZADD, XADD). Memory is freed first then, with commands Redis accepts when
 *   full (not in a MULTI, which Redis refuses to fill when full): the entries that were simply
 *   delivered are acknowledged and deleted (XACK, then XDEL) and
 *   every delivered entry is trimmed, retention or not; their counts follow with a later MULTI.
 *   Outcomes that need room (a retry, a dead letter) wait for it, their entries still pending.
 *
 * Delivery is at least once: a worker that dies after forwarding but before XACK has its entry
 * forwarded again by another. Forwards carry `Idempotency-Key: <event id>` for the app to dedupe.
 */
import { displayUrl } from '../text/url.js';
import type { Dispatcher } from 'undici';
import { abortableWait, createDispatcher, deliver, describeNetworkError, isDelivered, type Attempt, type RetryPolicy } from '../delivery/index.js';
import { decodeBody } from '../records/record.js';
import { appSide, forwardedAs, type AppAnswer } from '../delivery/app-refusal.js';
import { cannotReSign, cannotReSignWarning, type ForwardSource } from '../delivery/forward-request.js';
import { headersForApp } from '../records/redaction.js';
import { forwardRequest, matchRoutes, schemeNamed, type ForwardSigning, type Route } from '../routes/index.js';
import { attemptError, deadReason } from '../routes/outcome.js';
import type { SchemeOptions } from '../schemes/types.js';
import { QueueFullError, QueueTimeoutError, QueueUnavailableError, type RedisConnection } from './connection.js';
import { deadLetterCommand, type DeadReason } from './dead-letters.js';
import { decodeEntry, jobFields, type QueueJob } from './entry.js';
import { ensureGroup } from './group.js';
import type { QueueKeys } from './keys.js';
import { MOVE_DUE_RETRIES, REMOVE_IDLE_CONSUMER, runScript } from './scripts.js';
import { presumedDeadAfter, READ_BLOCK_MS } from './liveness.js';
import { memoryUse } from './memory.js';
import { DEFAULT_RETAIN_MS, trimStream } from './trim.js';

export const DEFAULT_CLAIM_IDLE_MS = 30_000;
export const DEFAULT_CONCURRENCY = 10;
const BLOCK_MS = READ_BLOCK_MS;
const RETRY_BATCH = 100;

export interface WorkerOptions {
  routes: Route[];
  policy: RetryPolicy;
  /** This worker's name in the consumer group (default host-pid). */
  consumer: string;
  /** Entries in flight at once. */
  concurrency?: number;
  /** An entry pending longer than this belongs to a dead worker and is taken over, ms. */
  claimIdleMs?: number;
  /** Acknowledged entries younger than this stay in the stream (for replay), ms (default 10 minutes). */
  retainMs?: number;
  /** Bound on stop()'s wait for forwards in flight, ms. */
  drainTimeoutMs?: number;
  /** Re-sign forwards (fresh timestamp, same event id). */
  signing?: ForwardSigning;
  /**
   * The secrets the listener verifies with (Twilio: the auth token). A delivery whose scheme signs
   * the URL (Twilio) is re-signed for the app's URL with the one that verifies it, as `listen` does.
   */
  secrets?: readonly string[];
  schemeOptions?: SchemeOptions;
  dispatcher?: Dispatcher;
  onEvent?(event: WorkerEvent): void;
}

interface EventBase {
  entryId: string;
  /** The entry id the delivery first arrived as (the same across its retries). */
  origin: string;
  eventId: string | null;
  eventType: string | null;
  route: string | null;
  target: string | null;
}

export interface AttemptEvent extends EventBase {
  type: 'attempt';
  /** 1-based over the whole schedule, across workers. */
  attempt: number;
  /** Attempts the schedule allows. */
  of: number;
  status: number | null;
  error: string | null;
  ms: number;
  willRetry: boolean;
  nextAttemptAt?: string;
  retryAfterMs?: number;
  /** What the app answered when it did not accept the forward (status, telling headers, body snippet). */
  app?: AppAnswer;
  /** When that answer looks like a failed signature check: the likely cause and the raw-body fix. */
  hint?: string;
}

/** A route's final outcome for a delivery: delivered, or dead (with why). */
export interface ResultEvent extends EventBase {
  type: 'result';
  delivered: boolean;
  attempts: number;
  status: number | null;
  error: string | null;
  dead?: DeadReason;
  app?: AppAnswer;
  hint?: string;
}

export type WorkerEvent =
  | AttemptEvent
  | ResultEvent
  | { type: 'unrouted'; entryId: string; eventId: string | null; eventType: string | null; path: string }
  | { type: 'reclaimed'; entryIds: string[] }
  | { type: 'connection'; state: 'lost' | 'ready'; error?: string }
  | { type: 'warning'; message: string };

export interface WorkerSummary {
  consumer: string;
  attempts: number;
  delivered: number;
  /** Attempts that failed and were scheduled again. */
  retried: number;
  dead: number;
  malformed: number;
  unrouted: number;
  /** Entries taken over from workers that died. */
  reclaimed: number;
  /** Entries cut off by the drain timeout: left pending for another worker. */
  abandoned: number;
}

type Counts = Partial<Record<'delivered' | 'retried' | 'dead' | 'malformed' | 'unrouted', number>>;

interface RouteOutcome {
  kind: 'delivered' | 'retry' | 'dead' | 'interrupted';
  commands: string[][];
  result?: ResultEvent;
  retryAt?: number;
}

type RawEntry = [string, unknown];

/** XREADGROUP's reply as RESP3 (a map by stream name) or RESP2 (pairs); null when the block timed out. */
function entriesOf(reply: unknown): RawEntry[] {
  if (!reply) return [];
  const streams = Array.isArray(reply) ? (reply as Array<[string, RawEntry[]]>).map(([, entries]) => entries) : Object.values(reply as Record<string, RawEntry[]>);
  return streams.flat().filter((entry): entry is RawEntry => Array.isArray(entry) && typeof entry[0] === 'string');
}

/** The URL a forward goes to, as shown: the route's, with the delivery's path when the route names none; its password masked. */
function calledUrlText(route: Route, path: string): string {
  if (!route.keepPath) return displayUrl(route.url);
  return displayUrl(`${route.url.replace(/\/+$/, '')}${path.startsWith('/') ? path : `/${path}`}`);
}

/** An abortable pause that can also be cut short by wakeBy(). */
class Pause {
  private wakeUp: (() => void) | undefined;
  private until = Infinity;

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    this.until = Date.now() + ms;
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.wakeUp = undefined;
        this.until = Infinity;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      this.wakeUp = done;
    });
  }

  /** Ends the pause if it would last past `at`. */
  wakeBy(at: number): void {
    if (at < this.until) this.wakeUp?.();
  }
}

export class QueueWorker {
  private readonly concurrency: number;
  private readonly claimIdleMs: number;
  private readonly drainTimeoutMs: number;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  /** Aborted by stop(): no new work. */
  private readonly stopping = new AbortController();
  /** Aborted when the drain times out: forwards in flight are cut off. */
  private readonly halting = new AbortController();
  /** Entries in flight, each with the AbortControllers of its route forwards. */
  private readonly inFlight = new Map<string, AbortController[]>();
  private readonly jobs = new Set<Promise<void>>();
  /** The loops that start work (reading, taking over, moving retries) and trim. */
  private loops: Promise<void>[] = [];
  /** Runs until the last forward in flight is over. */
  private heartbeat: Promise<void> = Promise.resolve();
  private slotWaiters: Array<() => void> = [];
  private idleWaiters: Array<() => void> = [];
  private readonly retryPause = new Pause();
  private readerId: string | undefined;
  private acksSinceTrim = 0;
  /** Outcomes waiting for this turn's MULTI. */
  private finishing: Array<{ entryId: string; commands: string[][]; counts: Counts; resolve(ok: boolean): void; reject(error: unknown): void }> = [];
  private finishScheduled = false;
  /** Entries whose forwards are done, waiting to be acknowledged. */
  private readonly acking = new Set<string>();
  private stopped: Promise<WorkerSummary> | undefined;
  /** Counts of entries acknowledged while Redis was full, recorded with the next MULTI that goes through. */
  private carried: Counts = {};
  /** A command timed out and none has been answered since. */
  private silent = false;
  /** Redis refused a write for maxmemory and has not accepted one since. */
  private full = false;
  private readonly summary: WorkerSummary;
  private warnedUnsigned = false;

  constructor(
    private readonly connection: RedisConnection,
    /** A second connection for the blocking XREADGROUP, so it never delays other commands. */
    private readonly reader: RedisConnection,
    private readonly keys: QueueKeys,
    private readonly options: WorkerOptions,
  ) {
    this.concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    this.claimIdleMs = options.claimIdleMs ?? DEFAULT_CLAIM_IDLE_MS;
    this.drainTimeoutMs = options.drainTimeoutMs ?? 10_000;
    this.ownsDispatcher = options.dispatcher === undefined;
    this.dispatcher = options.dispatcher ?? createDispatcher({ connections: this.concurrency });
    this.summary = { consumer: options.consumer, attempts: 0, delivered: 0, retried: 0, dead: 0, malformed: 0, unrouted: 0, reclaimed: 0, abandoned: 0 };
  }

  private get group(): string {
    return this.connection.address.group;
  }

  private emit(event: WorkerEvent): void {
    this.options.onEvent?.(event);
  }

  /** Joins the group (creating stream and group if missing) and starts working. */
  async start(): Promise<void> {
    await ensureGroup(this.connection, this.keys.stream, this.group);
    await this.learnReaderId();
    this.connection.on('lost', (error) => this.emit({ type: 'connection', state: 'lost', error: describeNetworkError(error) }));
    this.connection.on('ready', () => this.emit({ type: 'connection', state: 'ready' }));
    this.reader.on('ready', () => void this.learnReaderId());
    const report = (error: unknown) => this.emit({ type: 'warning', message: `worker loop stopped: ${(error as Error)?.message ?? String(error)}` });
    this.loops = [this.readLoop(), this.reclaimLoop(), this.retryLoop(), this.trimLoop()].map((loop) => loop.catch(report));
    this.heartbeat = this.heartbeatLoop().catch(report);
  }

  /** Stops reading, drains what is in flight (bounded), reports. Idempotent. */
  stop(): Promise<WorkerSummary> {
    this.stopped ??= this.drain();
    return this.stopped;
  }

  private async drain(): Promise<WorkerSummary> {
    this.stopping.abort();
    this.wakeSlots();
    // The blocking read returns at once instead of at its timeout.
    if (this.readerId) await this.connection.command(['CLIENT', 'UNBLOCK', this.readerId]).catch(() => {});
    // Entries a loop was handed just as the stop began are started before the drain counts them.
    await Promise.allSettled(this.loops);
    const timeUp = new AbortController();
    const drained = await Promise.race([this.whenIdle().then(() => true), abortableWait(this.drainTimeoutMs, timeUp.signal).then(() => false)]);
    timeUp.abort();
    if (!drained) {
      this.summary.abandoned = this.inFlight.size;
      this.halting.abort();
      for (const controllers of this.inFlight.values()) for (const controller of controllers) controller.abort();
    }
    await Promise.allSettled([...this.jobs]);
    this.halting.abort();
    await this.heartbeat;
    await this.recordCarried();
    await this.leaveGroupIfDone();
    if (this.ownsDispatcher) await this.dispatcher.close().catch(() => {});
    return { ...this.summary };
  }

  /** A consumer with nothing pending is removed, so status lists only live workers (and dead ones' leftovers). */
  private async leaveGroupIfDone(): Promise<void> {
    await runScript(this.connection, REMOVE_IDLE_CONSUMER, [this.keys.stream], [this.group, this.options.consumer, '0']).catch(() => {
      // Redis is away: the consumer entry stays, and another worker removes it later.
    });
  }

  /**
   * Removes consumers of workers that died holding nothing (a live worker's blocking read keeps its
   * idle time under BLOCK_MS, and one busy with all its slots holds entries), so status lists the
   * workers that exist. Those that died holding entries stay until XAUTOCLAIM has taken the
   * entries over, and go right after.
   */
  private async removeDeadConsumers(): Promise<void> {
    const consumers = await this.connection.command<Array<{ name: string; pending: number; idle: number }>>(['XINFO', 'CONSUMERS', this.keys.stream, this.group]);
    const deadAfter = String(presumedDeadAfter(this.claimIdleMs));
    for (const consumer of consumers) {
      if (String(consumer.name) === this.options.consumer || Number(consumer.pending) > 0 || Number(consumer.idle) < Number(deadAfter)) continue;
      await runScript(this.connection, REMOVE_IDLE_CONSUMER, [this.keys.stream], [this.group, String(consumer.name), deadAfter]);
    }
  }

  private async learnReaderId(): Promise<void> {
    try {
      this.readerId = String(await this.reader.command(['CLIENT', 'ID']));
    } catch {
      this.readerId = undefined;
    }
  }

  // ------------------------------------------------------------------ slots

  /**
   * Slots count forwards, not acknowledgements: an entry whose forwards are done waits for the next
   * batched MULTI without holding one (at most 4 x concurrency of those, should Redis be slow).
   */
  private get freeSlots(): number {
    if (this.acking.size >= 4 * this.concurrency) return 0;
    return Math.max(0, this.concurrency - (this.inFlight.size - this.acking.size));
  }

  private async waitForSlot(): Promise<void> {
    while (this.freeSlots === 0 && !this.stopping.signal.aborted) await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
  }

  private wakeSlots(): void {
    const waiters = this.slotWaiters;
    this.slotWaiters = [];
    for (const wake of waiters) wake();
    if (this.inFlight.size === 0) {
      const idle = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of idle) wake();
    }
  }

  private whenIdle(): Promise<void> {
    if (this.inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  // ------------------------------------------------------------------ loops

  /**
   * After a failed command: waits for Redis to come back (true), or gives up when stopping (false).
   * A missing group (Redis restarted empty, or someone deleted it) is created again.
   */
  private async recover(error: unknown, connection: RedisConnection, signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return false;
    if (/NOGROUP/.test((error as Error)?.message ?? '')) {
      await ensureGroup(this.connection, this.keys.stream, this.group).catch(() => {});
      return !signal.aborted;
    }
    if (error instanceof QueueFullError) {
      // Not a fault to repeat every second: the trim loop and the outcomes make room.
      this.noteFull();
      await abortableWait(500, signal);
      return !signal.aborted;
    }
    if (error instanceof QueueTimeoutError) {
      // Connected, yet silent: said once until Redis answers again.
      if (!this.silent) this.emit({ type: 'warning', message: `${error.message}; waiting for it` });
      this.silent = true;
      await abortableWait(1_000, signal);
      return !signal.aborted;
    }
    if (error instanceof QueueUnavailableError) {
      // A short pause first: the client may not have noticed the drop yet.
      await abortableWait(100, signal);
      await connection.waitUntilReady(signal);
    } else {
      // Redis answered with an error: say so, and do not repeat it in a tight loop.
      this.emit({ type: 'warning', message: (error as Error)?.message ?? String(error) });
      await abortableWait(1_000, signal);
    }
    return !signal.aborted;
  }

  private async readLoop(): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      await this.waitForSlot();
      if (signal.aborted) break;
      let reply: unknown;
      try {
        reply = await this.reader.command(['XREADGROUP', 'GROUP', this.group, this.options.consumer, 'COUNT', String(this.freeSlots), 'BLOCK', String(BLOCK_MS), 'STREAMS', this.keys.stream, '>'], { blockMs: BLOCK_MS });
      } catch (error) {
        if (!(await this.recover(error, this.reader, signal))) break;
        continue;
      }
      // Entries read just as stop() began are ours now: they are processed as part of the drain.
      for (const [id, fields] of entriesOf(reply)) this.startJob(id, fields);
    }
  }

  private async reclaimLoop(): Promise<void> {
    const signal = this.stopping.signal;
    const every = Math.min(10_000, Math.max(50, Math.floor(this.claimIdleMs / 2)));
    let cursor = '0-0';
    while (!signal.aborted) {
      await abortableWait(every, signal);
      if (signal.aborted || this.freeSlots === 0) continue;
      try {
        const reply = await this.connection.command<[string, RawEntry[], string[]]>(['XAUTOCLAIM', this.keys.stream, this.group, this.options.consumer, String(this.claimIdleMs), cursor, 'COUNT', String(this.freeSlots)]);
        cursor = reply[0];
        const taken = reply[1].filter((entry) => Array.isArray(entry) && !this.inFlight.has(entry[0]));
        if (taken.length > 0) {
          this.summary.reclaimed += taken.length;
          this.emit({ type: 'reclaimed', entryIds: taken.map(([id]) => id) });
          for (const [id, fields] of taken) this.startJob(id, fields);
        }
        // Once per pass over the pending entries, and as soon as a dead worker's entries are taken.
        if (cursor === '0-0' || taken.length > 0) await this.removeDeadConsumers();
      } catch (error) {
        if (!(await this.recover(error, this.connection, signal))) break;
      }
    }
  }

  /** Keeps this worker's entries in flight from looking idle, so no other worker takes them over. */
  private async heartbeatLoop(): Promise<void> {
    const signal = this.halting.signal;
    const every = Math.max(20, Math.floor(this.claimIdleMs / 3));
    while (!signal.aborted) {
      await abortableWait(every, signal);
      if (signal.aborted) break;
      if (this.stopping.signal.aborted && this.inFlight.size === 0) break;
      const ids = [...this.inFlight.keys()];
      if (ids.length === 0) continue;
      await this.connection.command(['XCLAIM', this.keys.stream, this.group, this.options.consumer, '0', ...ids, 'JUSTID']).catch(() => {});
    }
  }

  /** Moves due retries back into the stream; sleeps until the next is due (at most a second, so other workers' retries are seen). */
  private async retryLoop(): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      let waitMs = 1_000;
      try {
        const [moved, next] = await runScript<[number, string | null]>(this.connection, MOVE_DUE_RETRIES, [this.keys.retries, this.keys.stream], [String(Date.now()), String(RETRY_BATCH)]);
        if (moved >= RETRY_BATCH) waitMs = 0;
        else if (next) waitMs = Math.min(1_000, Math.max(5, Number(next) - Date.now()));
      } catch (error) {
        if (!(await this.recover(error, this.connection, signal))) break;
        continue;
      }
      if (waitMs > 0) await this.retryPause.sleep(waitMs, signal);
    }
  }

  /**
   * Trims acknowledged entries past the retention, about once a second while entries are being
   * acknowledged. While Redis is near maxmemory the retention yields: every delivered entry goes.
   */
  private async trimLoop(): Promise<void> {
    const signal = this.stopping.signal;
    let lastTrim = 0;
    while (!signal.aborted) {
      await abortableWait(1_000, signal);
      const tight = this.full || (await memoryUse(this.connection))?.tight === true;
      const due = tight || this.acksSinceTrim > 0 || Date.now() - lastTrim > 60_000;
      if (!due || signal.aborted) continue;
      try {
        this.acksSinceTrim = 0;
        lastTrim = Date.now();
        await trimStream(this.connection, this.keys.stream, tight ? 0 : (this.options.retainMs ?? DEFAULT_RETAIN_MS), Date.now(), tight);
      } catch (error) {
        if (!(await this.recover(error, this.connection, signal))) break;
      }
      await this.recordCarried();
    }
  }

  /** Counts of entries acknowledged while Redis was full, once it takes writes again (best effort). */
  private async recordCarried(): Promise<void> {
    if (Object.keys(this.carried).length === 0) return;
    const carried = this.takeCarried();
    try {
      await this.connection.transaction(this.outcomeCommands([], carried));
    } catch {
      // still full, or away: the next pass tries again
      this.addCarried(carried);
    }
  }

  private takeCarried(): Counts {
    const carried = this.carried;
    this.carried = {};
    return carried;
  }

  private addCarried(counts: Counts): void {
    for (const [name, count] of Object.entries(counts) as Array<[keyof Counts, number]>) this.carried[name] = (this.carried[name] ?? 0) + count;
  }

  /**
   * Which of the listener's secrets verifies the stored delivery (rotation: several may be given);
   * the signed URL is the one it arrived at. With one secret, that one.
   */
  private verifyingSecret(source: ForwardSource, record: QueueJob['record']): string | undefined {
    const secrets = this.options.secrets ?? [];
    if (secrets.length <= 1) return secrets[0];
    const received = record.receivedAt ? `${record.receivedAt.replace(/\/$/, '')}${record.path.startsWith('/') ? record.path : `/${record.path}`}` : undefined;
    const result = source.scheme!.verify({ body: source.body, headers: record.headers, secrets, toleranceSeconds: Number.MAX_SAFE_INTEGER, nowMs: Date.now(), ...(received ? { url: received } : {}) });
    return secrets[result.secretIndex ?? 0];
  }

  // ------------------------------------------------------------------ one entry

  private startJob(entryId: string, fields: unknown): void {
    if (this.inFlight.has(entryId)) return;
    const controllers: AbortController[] = [];
    this.inFlight.set(entryId, controllers);
    const job = this.process(entryId, fields, controllers)
      .catch((error: unknown) => this.emit({ type: 'warning', message: `entry ${entryId}: ${(error as Error)?.message ?? String(error)}` }))
      .finally(() => {
        this.inFlight.delete(entryId);
        this.acking.delete(entryId);
        this.jobs.delete(job);
        this.wakeSlots();
      });
    this.jobs.add(job);
  }

  private async process(entryId: string, fields: unknown, controllers: AbortController[]): Promise<void> {
    const decoded = decodeEntry(entryId, fields);
    const now = new Date();
    if (!decoded.ok) {
      const dead = deadLetterCommand(this.keys, decoded.fields, { reason: 'malformed', error: decoded.reason, status: null, route: null, target: null, entryId, at: now });
      if (await this.finish(entryId, [dead], { malformed: 1 })) {
        this.summary.malformed++;
        this.emit({ type: 'result', entryId, origin: entryId, eventId: null, eventType: null, route: null, target: null, delivered: false, attempts: 0, status: null, error: decoded.reason, dead: 'malformed' });
      }
      return;
    }
    const { job } = decoded;
    const base = { entryId, origin: job.origin, eventId: job.record.eventId, eventType: job.record.eventType };
    let routes: Route[];
    if (job.route !== null) {
      const route = this.options.routes.find((candidate) => candidate.name === job.route);
      if (!route) {
        const error = `route "${job.route}" is not configured on this worker (its routes: ${this.options.routes.map((r) => r.name).join(', ')})`;
        const dead = deadLetterCommand(this.keys, job.fields, { reason: 'unknown-route', error, status: null, route: job.route, target: null, entryId, at: now });
        if (await this.finish(entryId, [dead], { dead: 1 })) {
          this.summary.dead++;
          this.emit({ type: 'result', ...base, route: job.route, target: null, delivered: false, attempts: job.attempt, status: null, error, dead: 'unknown-route' });
        }
        return;
      }
      routes = [route];
    } else {
      routes = matchRoutes(this.options.routes, job.record);
    }
    if (routes.length === 0) {
      if (await this.finish(entryId, [], { unrouted: 1 })) {
        this.summary.unrouted++;
        this.emit({ type: 'unrouted', entryId, eventId: job.record.eventId, eventType: job.record.eventType, path: job.record.path });
      }
      return;
    }

    const outcomes = await Promise.all(routes.map((route) => this.forwardOnce(job, route, controllers)));
    // Cut off by the drain timeout: the entry stays pending and another worker takes it over.
    if (outcomes.some((outcome) => outcome.kind === 'interrupted')) return;
    const counts: Counts = {};
    for (const outcome of outcomes) {
      const name = outcome.kind === 'retry' ? 'retried' : outcome.kind === 'delivered' ? 'delivered' : 'dead';
      counts[name] = (counts[name] ?? 0) + 1;
    }
    if (!(await this.finish(entryId, outcomes.flatMap((outcome) => outcome.commands), counts))) return;
    this.summary.delivered += counts.delivered ?? 0;
    this.summary.retried += counts.retried ?? 0;
    this.summary.dead += counts.dead ?? 0;
    for (const outcome of outcomes) {
      if (outcome.result) this.emit(outcome.result);
      if (outcome.retryAt !== undefined) this.retryPause.wakeBy(outcome.retryAt);
    }
  }

  /** One attempt on one route, through the delivery core; what to record for it. */
  private async forwardOnce(job: QueueJob, route: Route, controllers: AbortController[]): Promise<RouteOutcome> {
    const { policy } = this.options;
    const attemptNumber = job.attempt + 1;
    const of = Math.max(1, policy.delaysMs.length);
    // The core decides whether this attempt is worth another and how long to wait (schedule,
    // jitter, Retry-After, time scale); the wait itself is the sorted set's, so the core's
    // in-process wait is cut short the moment it starts.
    const step: RetryPolicy = { ...policy, delaysMs: attemptNumber < of ? [0, policy.delaysMs[attemptNumber]!] : [0] };
    const controller = new AbortController();
    controllers.push(controller);
    const { record } = job;
    // Headers the listener redacted hold a placeholder: left out, not passed on.
    const source: ForwardSource = { method: record.method, path: record.path, headers: headersForApp(record.headers), body: decodeBody(record), eventId: record.eventId, idempotencyKey: record.idempotencyKey ?? null, fallbackId: record.id, scheme: schemeNamed(record.scheme, this.options.schemeOptions ?? {}) };
    const verifiedWith = source.scheme?.targetUrl ? this.verifyingSecret(source, record) : undefined;
    if (verifiedWith !== undefined) source.verifiedWith = verifiedWith;
    const calledUrl = calledUrlText(route, record.path);
    if (!this.warnedUnsigned && cannotReSign(source, this.options.signing)) {
      this.warnedUnsigned = true;
      this.emit({ type: 'warning', message: cannotReSignWarning(source.scheme!, `give the worker the listener's --secret (or --secret-file, HOOKCTL_SECRET: for ${source.scheme!.title} the auth token) and it re-signs for ${calledUrl}, or --forward-secret`) });
    }
    let attempt: Attempt | undefined;
    await deliver(() => forwardRequest(source, route, this.options.signing), step, {
      dispatcher: this.dispatcher,
      signal: controller.signal,
      onAttempt: (made) => (attempt = made),
      onWait: () => controller.abort(),
    });
    // The URL actually called: a target without a path gets the delivery's own path.
    const base = { entryId: job.entryId, origin: job.origin, eventId: record.eventId, eventType: record.eventType, route: route.name, target: calledUrl };
    if (!attempt || (attempt.status === null && this.halting.signal.aborted)) return { kind: 'interrupted', commands: [] };
    this.summary.attempts++;
    const event: AttemptEvent = { type: 'attempt', ...base, attempt: attemptNumber, of, status: attempt.status, error: attempt.error, ms: attempt.ms, willRetry: attempt.willRetry };
    if (attempt.retryAfterMs !== undefined) event.retryAfterMs = attempt.retryAfterMs;
    if (isDelivered(attempt.status)) {
      this.emit(event);
      return { kind: 'delivered', commands: [], result: { type: 'result', ...base, delivered: true, attempts: attemptNumber, status: attempt.status, error: null } };
    }
    const error = attemptError(attempt);
    const refusal = appSide(attempt, forwardedAs(this.options.signing !== undefined, record.verified), { headers: record.headers, body: source.body });
    Object.assign(event, refusal);
    if (attempt.willRetry) {
      const retryAt = Date.now() + (attempt.nextDelayMs ?? 0);
      event.nextAttemptAt = new Date(retryAt).toISOString();
      this.emit(event);
      return { kind: 'retry', retryAt, commands: [['ZADD', this.keys.retries, String(retryAt), JSON.stringify(jobFields(job, route.name, attemptNumber, error))]] };
    }
    this.emit(event);
    const reason: DeadReason = deadReason(attempt.status);
    const fields = jobFields(job, route.name, attemptNumber, error);
    const dead = deadLetterCommand(this.keys, fields, { reason, error, status: attempt.status, route: route.name, target: calledUrl, entryId: job.entryId, at: new Date() });
    return { kind: 'dead', commands: [dead], result: { type: 'result', ...base, delivered: false, attempts: attemptNumber, status: attempt.status, error, dead: reason, ...refusal } };
  }

  /**
   * Records an entry's outcome and acknowledges it. The outcomes of every entry finished in the same
   * turn of the event loop go in one MULTI (one XACK for all of them, totals summed): group commit,
   * so a worker pays one round trip per batch instead of per forward. Retried while Redis is away;
   * false if the drain timed out first (the entries then stay pending, and are done again).
   */
  private finish(entryId: string, commands: string[][], counts: Counts): Promise<boolean> {
    this.acking.add(entryId);
    this.wakeSlots();
    return new Promise((resolve, reject) => {
      this.finishing.push({ entryId, commands, counts, resolve, reject });
      if (this.finishScheduled) return;
      this.finishScheduled = true;
      setImmediate(() => void this.flushFinishing());
    });
  }

  private async flushFinishing(): Promise<void> {
    this.finishScheduled = false;
    let batch = this.finishing;
    this.finishing = [];
    for (;;) {
      const carried = this.takeCarried();
      try {
        await this.connection.transaction(this.outcomeCommands(batch, carried));
        this.full = false;
        this.silent = false;
        this.acksSinceTrim += batch.length;
        for (const item of batch) item.resolve(true);
        return;
      } catch (error) {
        this.addCarried(carried);
        if (error instanceof QueueFullError) {
          batch = await this.makeRoom(batch);
          if (batch.length === 0) return;
        } else if (!(error instanceof QueueUnavailableError)) {
          for (const item of batch) item.reject(error);
          return;
        }
        if (!(await this.recover(error, this.connection, this.halting.signal))) {
          for (const item of batch) item.resolve(false);
          return;
        }
      }
    }
  }

  /** One MULTI for a batch: its retries and dead letters, one XACK, the totals (with those carried over). */
  private outcomeCommands(batch: ReadonlyArray<{ entryId: string; commands: string[][]; counts: Counts }>, carried: Counts): string[][] {
    const all: string[][] = [];
    const totals: Counts = { ...carried };
    for (const item of batch) {
      for (const command of item.commands) all.push(command);
      for (const [name, count] of Object.entries(item.counts) as Array<[keyof Counts, number]>) totals[name] = (totals[name] ?? 0) + count;
    }
    if (batch.length > 0) all.push(['XACK', this.keys.stream, this.group, ...batch.map((item) => item.entryId)]);
    for (const [name, count] of Object.entries(totals)) if (count) all.push(['HINCRBY', this.keys.totals, name, String(count)]);
    if (totals.delivered) {
      const key = this.keys.deliveredIn(Math.floor(Date.now() / 1000));
      all.push(['INCRBY', key, String(totals.delivered)], ['EXPIRE', key, '120']);
    }
    return all;
  }

  /**
   * Redis is at maxmemory: acknowledges and deletes the entries of the batch whose outcome needs no
   * room (delivered, unrouted), with commands Redis accepts when full, and trims every delivered
   * entry. Returns the entries that still wait (a retry or a dead letter to store).
   */
  private async makeRoom<T extends { entryId: string; commands: string[][]; counts: Counts; resolve(ok: boolean): void }>(batch: T[]): Promise<T[]> {
    this.noteFull();
    const simple = batch.filter((item) => item.commands.length === 0);
    const rest = batch.filter((item) => item.commands.length > 0);
    let acknowledged = false;
    try {
      if (simple.length > 0) {
        const ids = simple.map((item) => item.entryId);
        // Two commands, not a MULTI: at maxmemory Redis refuses to queue any command inside MULTI.
        await this.connection.command(['XACK', this.keys.stream, this.group, ...ids]);
        acknowledged = true;
        for (const item of simple) {
          this.addCarried(item.counts);
          item.resolve(true);
        }
        await this.connection.command(['XDEL', this.keys.stream, ...ids]);
      }
      await trimStream(this.connection, this.keys.stream, 0, Date.now(), true);
    } catch {
      // Redis went away meanwhile: what was not acknowledged is tried again with the rest.
    }
    return acknowledged ? rest : batch;
  }

  /** Says once per episode that Redis is full, and what the worker does about it. */
  private noteFull(): void {
    if (this.full) return;
    this.full = true;
    this.emit({ type: 'warning', message: `Redis at ${this.connection.address.display} is full (maxmemory): deleting delivered entries to make room; listeners answer 503 queue_full until there is room` });
  }
}
