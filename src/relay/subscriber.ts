/**
 * The relay's subscriber (`hookctl listen --relay SUBSCRIBE_URL`): reads a channel's entries from a
 * relay over server-sent events, long-polling or polling, hands each to `handle` (the listener,
 * src/relay/to-listener.ts) one at a time and in order, and settles it with the relay: acknowledged,
 * or failed so the relay retries it. Nothing here knows the terminal; the command renders the events.
 */
import { hostname } from 'node:os';
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { UserError, EXIT } from '../errors.js';
import { displayUrl } from '../text/url.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import { pause, requestOnce } from './relay-request.js';
import { DEFAULT_HEARTBEAT_MS, GROUP_HEADER, SUBSCRIBER_HEADER, type AckRequest, type PollResponse, type RelayEntry, type RelayHello } from './protocol.js';
import { SseParser } from './sse.js';
import type { Settlement } from './to-listener.js';

export type RelayTransport = 'sse' | 'long-poll' | 'poll';
export const RELAY_TRANSPORTS: readonly RelayTransport[] = ['sse', 'long-poll', 'poll'];

export interface ConnectedInfo {
  transport: RelayTransport;
  consumer: string;
  /** Entries waiting for this consumer when it connected. */
  waiting: number;
  heartbeatMs: number;
  /** Connections made so far, this one included (1: the first). */
  connections: number;
}

export interface ReconnectingInfo {
  /** Attempts since the last connection. */
  attempt: number;
  delayMs: number;
  reason: string;
}

export interface SubscriberEvents {
  connected(info: ConnectedInfo): void;
  reconnecting(info: ReconnectingInfo): void;
  delivery(entry: RelayEntry, settlement: Settlement): void;
  /** `fatal`: the relay refused this subscriber (wrong token, unknown channel); it has stopped. */
  error(error: Error, fatal: boolean): void;
}

export interface RelaySubscriberOptions {
  /** `<relay>/sub/<channel>` as `relay channel create` printed it. */
  subscribeUrl: string;
  token: string;
  /** This subscriber's name (default: the host name): each name gets every delivery. */
  subscriber?: string;
  /** Members of one group share the deliveries. */
  group?: string;
  transport?: RelayTransport;
  /** Settles one entry (the listener's pipeline). Called for one entry at a time, in order. */
  handle(entry: RelayEntry): Promise<Settlement>;
  on?: Partial<SubscriberEvents>;
  backoff?: BackoffOptions;
  /** `poll`: the wait after an empty answer (default 1 s). */
  pollIntervalMs?: number;
  /** Entries asked for per long-poll / poll (default 100). */
  batch?: number;
  /** The heartbeat assumed until the relay's hello says (default 15 s). */
  heartbeatMs?: number;
}

/** The relay refused this subscriber (wrong token, unknown channel): retrying cannot help. Exit 2. */
export class RelayRefusedError extends UserError {
  constructor(message: string) {
    super(message, EXIT.usage);
  }
}
const Refused = RelayRefusedError;

/**
 * How far a stream is read ahead of the listener. Past either limit the subscriber stops reading,
 * so a slow app leaves the backlog on the relay's disk (its writes wait on the full socket)
 * rather than in this process's memory; reading starts again at half.
 */
const READ_AHEAD_ENTRIES = 32;
const READ_AHEAD_BYTES = 8 * 1024 * 1024;

/**
 * One subscriber's life: connect, read, hand on, acknowledge; on a lost connection or two missed
 * heartbeats, reconnect with backoff and jitter. `start()` returns at once; `close()` stops it,
 * lets the entry in hand finish and sends its settlement (idempotent).
 */
export class RelaySubscriber {
  private readonly base: string;
  private readonly transport: RelayTransport;
  private readonly headers: Record<string, string>;
  private readonly backoff: Backoff;
  private readonly stopping = new AbortController();
  private heartbeatMs: number;
  private lastSeq: string | undefined;
  private connections = 0;
  /** When this connection's hello came; unset while not connected. */
  private connectedAt: number | undefined;

  private readonly queue: Array<{ entry: RelayEntry; bytes: number }> = [];
  private readonly queued = new Set<string>();
  private queuedBytes = 0;
  /** The open stream's reading, paused while the read-ahead is full. */
  private reading: { pause(): void; resume(): void } | undefined;
  private pumping: Promise<void> | undefined;
  private readonly settled: Required<AckRequest> = { acks: [], failures: [], answers: [] };
  private flushing: Promise<void> | undefined;
  private flushAgain = false;
  private running: Promise<void> | undefined;
  private closed: Promise<void> | undefined;

  constructor(private readonly options: RelaySubscriberOptions) {
    const url = new URL(options.subscribeUrl);
    url.search = '';
    url.hash = '';
    this.base = url.href.replace(/\/+$/, '').replace(/\/(events|poll|ack)$/, '');
    this.transport = options.transport ?? 'sse';
    this.headers = { authorization: `Bearer ${options.token}`, [SUBSCRIBER_HEADER]: options.subscriber ?? hostname() };
    if (options.group !== undefined) this.headers[GROUP_HEADER] = options.group;
    this.backoff = new Backoff(options.backoff);
    this.heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  }

  start(): void {
    this.running ??= this.run();
  }

  close(): Promise<void> {
    this.closed ??= (async () => {
      this.stopping.abort();
      await this.running;
      await this.pumping;
      // A send in flight that fails puts its settlements back: they go in the last one below.
      await this.flushing?.catch(() => undefined);
      // What was settled goes to the relay now; what it never hears of, it sends again.
      await this.flush(Math.min(2_000, this.heartbeatMs)).catch(() => undefined);
    })();
    return this.closed;
  }

  private get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  private emit<K extends keyof SubscriberEvents>(name: K, ...args: Parameters<SubscriberEvents[K]>): void {
    try {
      (this.options.on?.[name] as ((...a: Parameters<SubscriberEvents[K]>) => void) | undefined)?.(...args);
    } catch {
      // A renderer that throws must not stop the subscriber.
    }
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let reason: string;
      try {
        if (this.transport === 'sse') await this.stream();
        else await this.polls();
        reason = this.heldBriefly()
          ? 'the relay closed the connection right after connecting (is another listener with this --relay-name reading the channel? give each its own --relay-name, or --relay-group to share)'
          : 'the relay closed the connection';
      } catch (error) {
        if (this.stopped) break;
        if (error instanceof Refused) {
          this.emit('error', error, true);
          this.stopping.abort();
          break;
        }
        reason = (error as Error).message;
      }
      if (this.stopped) break;
      // Entries read but not handed on yet are the relay's again once it sees this connection gone.
      this.dropQueued();
      // Only a connection that held counts as a success: one the relay ends at once (a second process
      // with this name takes the stream over, each in turn) would otherwise be retried at the base
      // wait forever, two subscribers knocking each other off several times a second.
      if (this.connectedAt !== undefined && !this.heldBriefly()) this.backoff.reset();
      this.connectedAt = undefined;
      const delayMs = this.backoff.next();
      this.emit('reconnecting', { attempt: this.backoff.attempt, delayMs, reason });
      await pause(delayMs, this.stopping.signal);
    }
  }

  private connected(hello: RelayHello): void {
    this.heartbeatMs = hello.heartbeatMs > 0 ? hello.heartbeatMs : this.heartbeatMs;
    this.connectedAt = Date.now();
    this.connections++;
    this.emit('connected', { transport: this.transport, consumer: hello.consumer, waiting: hello.waiting, heartbeatMs: this.heartbeatMs, connections: this.connections });
    // Settlements the last connection could not send.
    if (this.pending()) this.flushSoon();
  }

  /** Connected, and ended within one heartbeat of the hello. */
  private heldBriefly(): boolean {
    return this.connectedAt !== undefined && Date.now() - this.connectedAt < this.heartbeatMs;
  }

  /** Two missed heartbeats, with a little slack for a busy relay. */
  private get silenceMs(): number {
    return Math.round(this.heartbeatMs * 2.2);
  }

  /** One server-sent events connection, until it ends (resolves) or fails (rejects). */
  private stream(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const url = new URL(`${this.base}/events`);
      const headers: Record<string, string> = { ...this.headers, accept: 'text/event-stream', 'cache-control': 'no-cache' };
      if (this.lastSeq !== undefined) headers['last-event-id'] = this.lastSeq;
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      let req: ClientRequest;
      let watchdog: NodeJS.Timeout | undefined;
      let paused = false;
      let reading: RelaySubscriber['reading'];
      const finish = (error?: Error) => {
        clearTimeout(watchdog);
        // A late 'close' of this stream must not take the next stream's handle.
        if (this.reading === reading) this.reading = undefined;
        this.stopping.signal.removeEventListener('abort', onStop);
        req.destroy();
        if (error && !this.stopped) reject(error);
        else resolve();
      };
      const arm = () => {
        clearTimeout(watchdog);
        // Not reading, nothing can be heard: the pause is this side's, not the relay's silence.
        if (paused) return;
        watchdog = setTimeout(() => finish(new Error(`no heartbeat from the relay for ${this.silenceMs} ms (two missed)`)), this.silenceMs);
      };
      const onStop = () => finish();
      this.stopping.signal.addEventListener('abort', onStop, { once: true });
      req = send(url, { method: 'GET', headers });
      arm();
      req.on('error', (error) => finish(error));
      req.on('response', (res: IncomingMessage) => {
        if (res.statusCode !== 200) {
          readText(res).then((text) => finish(this.refusal(res.statusCode ?? 0, text)), finish);
          return;
        }
        const type = res.headers['content-type'] ?? '';
        if (!/^text\/event-stream\b/i.test(type)) {
          res.resume();
          finish(new Error(`the relay answered 200 with ${type ? type.split(';')[0]!.slice(0, 100) : 'no content type'}, not an event stream (a proxy or captive portal in the way?)`));
          return;
        }
        reading = {
          pause: () => {
            if (paused) return;
            paused = true;
            clearTimeout(watchdog);
            res.pause();
          },
          resume: () => {
            if (!paused) return;
            paused = false;
            arm();
            res.resume();
          },
        };
        this.reading = reading;
        const parser = new SseParser((event) => {
          if (event.event === 'hello') {
            const hello = parseJson<RelayHello>(event.data);
            if (hello) this.connected(hello);
            arm();
            return;
          }
          const entry = parseJson<RelayEntry>(event.data);
          if (entry && typeof entry.seq === 'string' && entry.record) {
            this.lastSeq = event.id ?? entry.seq;
            this.enqueue(entry, event.data.length);
          }
        });
        res.on('data', (chunk: Buffer) => {
          // Anything the relay sends proves it alive: an event, a ping, a comment.
          arm();
          parser.push(chunk);
        });
        // Node says only "aborted" when the connection drops mid-stream.
        res.on('error', (error) => finish(new Error(`the relay's stream broke off (${error.message})`)));
        res.on('end', () => finish());
        res.on('close', () => finish());
      });
      req.end();
    });
  }

  /** Long-polling or polling, until a request fails (rejects) or the subscriber stops. */
  private async polls(): Promise<void> {
    const longPoll = this.transport === 'long-poll';
    const batch = this.options.batch ?? 100;
    let first = true;
    while (!this.stopped) {
      // The first ask answers at once: it is this connection's hello (and how many are waiting).
      const waitMs = longPoll && !first ? this.heartbeatMs : 0;
      // A (re)connecting poller first takes back what it had unsettled (a restart, a lost answer).
      const url = new URL(`${this.base}/poll?wait=${waitMs}&max=${batch}${first ? '&release=1' : ''}`);
      // An answer is the heartbeat: none by the wait plus two heartbeats is a dead connection.
      const answer = await requestOnce(url, { method: 'GET', headers: { ...this.headers, accept: 'application/json' }, timeoutMs: waitMs + this.silenceMs, signal: this.stopping.signal });
      if (answer.status !== 200) throw this.refusal(answer.status, answer.body.toString('utf8'));
      const poll = parseJson<PollResponse>(answer.body.toString('utf8'));
      if (!poll || !Array.isArray(poll.entries)) throw new Error('the relay sent an answer that is not a poll result');
      if (first) {
        this.connected(poll);
        first = false;
      } else if (poll.heartbeatMs > 0) this.heartbeatMs = poll.heartbeatMs;
      for (const entry of poll.entries) this.enqueue(entry);
      // In order, and settled before the next ask: a poll's entries are in flight at the relay until then.
      await this.pumping;
      if (this.pending()) await this.flush();
      if (poll.entries.length === 0 && !longPoll) await pause(this.options.pollIntervalMs ?? 1_000, this.stopping.signal);
    }
  }

  /** A refusal that retrying cannot fix is a Refused (fatal); anything else is retried. */
  private refusal(status: number, text: string): Error {
    const said = serverError(text);
    if (status === 401 || status === 403 || status === 404) {
      return new Refused(
        `--relay: ${displayUrl(this.base)} refused this subscriber (${status}${said ? `: ${said}` : ''}): the subscribe token is wrong or the channel does not exist (check --relay-token-file or HOOKCTL_RELAY_TOKEN; relay channel rotate-token prints a new one)`,
      );
    }
    if (status === 400) return new Refused(`--relay: ${displayUrl(this.base)} refused the request (400${said ? `: ${said}` : ''})`);
    return new Error(`the relay answered ${status}${said ? `: ${said}` : ''}`);
  }

  private enqueue(entry: RelayEntry, bytes = 0): void {
    if (this.queued.has(entry.seq)) return;
    this.queued.add(entry.seq);
    this.queue.push({ entry, bytes });
    this.queuedBytes += bytes;
    if (this.queue.length >= READ_AHEAD_ENTRIES || this.queuedBytes >= READ_AHEAD_BYTES) this.reading?.pause();
    this.pumping ??= this.pump();
  }

  private dequeue(): RelayEntry | undefined {
    const next = this.queue.shift();
    if (!next) return undefined;
    this.queuedBytes -= next.bytes;
    if (this.queue.length <= READ_AHEAD_ENTRIES / 2 && this.queuedBytes <= READ_AHEAD_BYTES / 2) this.reading?.resume();
    return next.entry;
  }

  private dropQueued(): void {
    for (const { entry } of this.queue.splice(0)) this.queued.delete(entry.seq);
    this.queuedBytes = 0;
  }

  /** Hands entries on one at a time, in the relay's order. */
  private async pump(): Promise<void> {
    // Runs after `pumping` is set, so the `finally` below always clears a live handle.
    await undefined;
    try {
      await this.pumpQueue();
    } finally {
      this.pumping = undefined;
    }
  }

  private async pumpQueue(): Promise<void> {
    for (let entry = this.dequeue(); entry !== undefined && !this.stopped; entry = this.dequeue()) {
      let settlement: Settlement;
      try {
        settlement = await this.options.handle(entry);
      } catch (error) {
        settlement = { outcome: 'fail', error: (error as Error).message };
      }
      this.queued.delete(entry.seq);
      this.record(entry, settlement);
      this.emit('delivery', entry, settlement);
      // Each settlement goes at once, polled or streamed: a respond: wait provider is held until
      // the relay has it, and the rest of a long batch can take longer than the relay's wait.
      this.flushSoon();
    }
    if (this.stopped) this.dropQueued();
  }

  private record(entry: RelayEntry, settlement: Settlement): void {
    if (settlement.outcome === 'ack') this.settled.acks.push(entry.seq);
    else this.settled.failures.push({ seq: entry.seq, error: settlement.error });
    if (entry.respond === 'wait' && settlement.outcome === 'ack') {
      const { status, headers, body } = settlement.answer;
      const text = utf8OrUndefined(body);
      this.settled.answers.push({ seq: entry.seq, status, headers, body: text ?? body.toString('base64'), bodyEncoding: text === undefined ? 'base64' : 'utf8' });
    }
  }

  private pending(): boolean {
    return this.settled.acks.length + this.settled.failures.length + this.settled.answers.length > 0;
  }

  /** Sends what was settled now, or right after the request in flight (then with everything settled meanwhile). */
  private flushSoon(): void {
    if (this.flushing) {
      this.flushAgain = true;
      return;
    }
    this.flush().then(
      () => {
        if (this.flushAgain) {
          this.flushAgain = false;
          this.flushSoon();
        }
      },
      // Kept for the next connection (`connected` sends them); the relay resends what it never hears of.
      () => (this.flushAgain = false),
    );
  }

  /** Sends what was settled; what arrives meanwhile goes in the next request. Settlements that fail to send are kept. */
  private flush(timeoutMs = this.silenceMs): Promise<void> {
    if (this.flushing) return this.flushing.then(() => (this.pending() ? this.flush(timeoutMs) : undefined));
    if (!this.pending()) return Promise.resolve();
    const body: AckRequest = { acks: this.settled.acks.splice(0), failures: this.settled.failures.splice(0), answers: this.settled.answers.splice(0) };
    this.flushing = requestOnce(new URL(`${this.base}/ack`), {
      method: 'POST',
      headers: { ...this.headers, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      timeoutMs,
    })
      .then((answer) => {
        if (answer.status >= 300) throw this.refusal(answer.status, answer.body.toString('utf8'));
      })
      .catch((error: unknown) => {
        this.settled.acks.unshift(...body.acks!);
        this.settled.failures.unshift(...body.failures!);
        this.settled.answers.unshift(...body.answers!);
        if (error instanceof Refused && !this.stopped) {
          this.emit('error', error, true);
          this.stopping.abort();
        }
        throw error;
      })
      .finally(() => (this.flushing = undefined));
    return this.flushing;
  }
}

function parseJson<T>(text: string): T | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return value !== null && typeof value === 'object' ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}

function serverError(text: string): string {
  const parsed = parseJson<{ error?: unknown }>(text);
  const said = typeof parsed?.error === 'string' ? parsed.error : '';
  return said.replace(/[\x00-\x1f\x7f]/g, ' ').slice(0, 200);
}

function readText(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
function utf8OrUndefined(body: Buffer): string | undefined {
  try {
    return strictUtf8.decode(body);
  } catch {
    return undefined;
  }
}
