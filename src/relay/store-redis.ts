/**
 * The relay's Redis store (`hookctl relay serve --redis URL`): everything lives in Redis, so any
 * number of relay processes behind a load balancer share channels, tokens, cursors and answers.
 *
 *   <prefix>:channels                 hash   name → channel JSON (token stored hashed)
 *   <prefix>:ingress                  hash   ingress id → name
 *   <prefix>:ch:{name}:stream         stream one entry per delivery: `record` (the journal line,
 *                                            as src/queue/entry.ts stores it) and `ingressUrl`
 *   <prefix>:ch:{name}:consumers      set    consumers that ever read (a consumer group each)
 *   <prefix>:ch:{name}:retry:<c>      zset   entries consumer c failed, scored by when due
 *   <prefix>:ch:{name}:attempts:<c>   hash   seq → {attempt, error} for c's failed entries
 *   <prefix>:ch:{name}:dead           stream dead letters, the entry's fields plus who and why
 *   <prefix>:ch:{name}:answer:<seq>   string a `respond: wait` answer, for a minute
 *
 * A consumer is a consumer group reading from the stream's start: XREADGROUP takes new entries,
 * the group's pending list is "in flight" (XAUTOCLAIM takes back what waited longer than the ack
 * timeout), XACK settles. A failed entry leaves the pending list for the retry set (in one MULTI)
 * and comes back through XCLAIM … FORCE when due. Pub/sub on a second connection wakes waiting
 * subscribers (`<prefix>:n:<name>`) and hands over answers (`<prefix>:a:<name>`).
 *
 * Redis lost → every call rejects with StoreUnavailableError (the server answers 503 +
 * Retry-After); the connections come back by themselves.
 */
import { parseQueueAddress, type QueueAddress } from '../queue/address.js';
import { connectRedis, connectRedisSubscriber, QueueFullError, QueueUnavailableError, type RedisConnection, type RedisSubscriber } from '../queue/connection.js';
import { toJournalLine, isDeliveryRecord, type DeliveryRecord } from '../records/record.js';
import { runScript } from '../queue/scripts.js';
import { compareIds, idAt, nextId } from '../queue/stream-ids.js';
import { DEFAULT_ACK_TIMEOUT_MS, DEFAULT_RELAY_RETRY_SCHEDULE_MS, type RelayEntry } from './protocol.js';
import { BacklogFullError, StoreUnavailableError, type ChannelStatus, type ConsumerRef, type ConsumerStatus, type DeadEntry, type RelayAnswer, type RelayStore, type StoredChannel } from './store.js';
import { APPEND_ENTRY, CREATE_CHANNEL, SET_TOKEN_HASH, TAKE } from './store-redis-scripts.js';

export const DEFAULT_REDIS_PREFIX = 'hookctl:relay';
const ANSWER_TTL_MS = 60_000;
/** A channel found by its ingress id is trusted this long: ingress costs one round trip, not two. */
const INGRESS_CACHE_MS = 1_000;
const DAY_MS = 86_400_000;
/** Ingress takes the careful (scripted, exact) way once a stream is this close to the backlog cap. */
const CAP_MARGIN = 256;
const STATUS_CACHE_MS = 500;

export interface RedisStoreOptions {
  /** Used when the URL carries no password (read from a file, kept out of `ps`). */
  password?: string;
  /** Key prefix; two relays on one Redis with different prefixes share nothing. */
  prefix?: string;
  /** Unsettled deliveries a channel may hold before ingress answers 503 (0: no cap). */
  backlog?: number;
  ackTimeoutMs?: number;
  retryScheduleMs?: readonly number[];
  /** Entries older than this are dropped by `trim` (default 7 days). */
  retainMs?: number;
  /** How long a channel found by its ingress id is trusted without asking Redis (default 1 s). */
  ingressCacheMs?: number;
  /** CLIENT SETNAME. */
  name?: string;
  connectTimeoutMs?: number;
}

interface ChannelKeys {
  stream: string;
  consumers: string;
  dead: string;
  retries(consumer: string): string;
  attempts(consumer: string): string;
  answer(seq: string): string;
}

interface AttemptState {
  attempt: number;
  error?: string;
}

function unavailable(error: unknown): never {
  if (error instanceof QueueUnavailableError || error instanceof QueueFullError) throw new StoreUnavailableError(error.message, { cause: error });
  throw error;
}

function pairs(fields: unknown): Map<string, string> {
  const map = new Map<string, string>();
  if (!Array.isArray(fields)) return map;
  for (let i = 0; i + 1 < fields.length; i += 2) map.set(String(fields[i]), String(fields[i + 1]));
  return map;
}

function parseAttempt(text: unknown): AttemptState {
  if (typeof text !== 'string') return { attempt: 0 };
  try {
    const parsed = JSON.parse(text) as AttemptState;
    return { attempt: Number(parsed.attempt) || 0, ...(parsed.error !== undefined ? { error: String(parsed.error) } : {}) };
  } catch {
    return { attempt: 0 };
  }
}

type Waiter = () => void;

export class RedisRelayStore implements RelayStore {
  private readonly prefix: string;
  private readonly maxBacklog: number;
  private readonly ackTimeoutMs: number;
  private readonly schedule: readonly number[];
  private readonly retainMs: number;
  private readonly ingressCacheMs: number;
  private readonly groups = new Set<string>();
  private readonly ingressCache = new Map<string, { channel: StoredChannel; until: number }>();
  /** Channels by name, as last read (for ingress's respond mode), and each stream's length as last seen (for the cap). */
  private readonly channelCache = new Map<string, { channel: StoredChannel; until: number }>();
  private readonly streamLength = new Map<string, number>();
  private readonly turnAppends = new Set<string>();
  private readonly statusCache = new Map<string, { status: Promise<ChannelStatus>; until: number }>();
  private readonly entryWaiters = new Map<string, Set<Waiter>>();
  private readonly answerWaiters = new Map<string, (answer: RelayAnswer) => void>();
  /**
   * Appends heard of per channel, and that count when the last round of takes began (the oldest of
   * overlapping ones): a wake that lands between a take and the wait after it is not lost.
   */
  private readonly notified = new Map<string, number>();
  private readonly takeEpoch = new Map<string, { epoch: number; running: number }>();
  private closed = false;

  private constructor(
    readonly address: QueueAddress,
    private readonly connection: RedisConnection,
    private readonly subscriber: RedisSubscriber,
    options: RedisStoreOptions,
  ) {
    this.prefix = options.prefix ?? DEFAULT_REDIS_PREFIX;
    this.maxBacklog = options.backlog ?? 0;
    this.ackTimeoutMs = options.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS;
    this.schedule = options.retryScheduleMs ?? DEFAULT_RELAY_RETRY_SCHEDULE_MS;
    this.retainMs = options.retainMs ?? 7 * DAY_MS;
    this.ingressCacheMs = options.ingressCacheMs ?? INGRESS_CACHE_MS;
  }

  /** Connects both connections (or throws a UserError naming the URL without its password). */
  static async open(url: string, options: RedisStoreOptions = {}): Promise<RedisRelayStore> {
    const address = parseQueueAddress(url, { password: options.password }, '--redis');
    const connectOptions = { name: options.name ?? 'hookctl-relay', ...(options.connectTimeoutMs ? { connectTimeoutMs: options.connectTimeoutMs } : {}) };
    const connection = await connectRedis(address, connectOptions);
    let subscriber: RedisSubscriber;
    try {
      subscriber = await connectRedisSubscriber(address, { ...connectOptions, name: `${connectOptions.name}-sub` });
    } catch (error) {
      await connection.close();
      throw error;
    }
    const store = new RedisRelayStore(address, connection, subscriber, options);
    await store.listen();
    return store;
  }

  /** What an operator should know about this Redis (no AOF, an eviction policy): lines for the terminal. */
  async warnings(): Promise<string[]> {
    const lines: string[] = [];
    try {
      const config = await this.connection.command<Record<string, string> | string[]>(['CONFIG', 'GET', 'append*']);
      const policy = await this.connection.command<Record<string, string> | string[]>(['CONFIG', 'GET', 'maxmemory-policy']);
      const read = (reply: Record<string, string> | string[], name: string) => (Array.isArray(reply) ? reply[reply.indexOf(name) + 1] : reply[name]);
      if (read(config, 'appendonly') !== 'yes') lines.push(`Redis at ${this.address.display} has appendonly off: a Redis restart loses the deliveries it holds (set appendonly yes, appendfsync always or everysec)`);
      const eviction = read(policy, 'maxmemory-policy');
      if (eviction && eviction !== 'noeviction') lines.push(`Redis at ${this.address.display} evicts keys (maxmemory-policy ${eviction}): deliveries and channels can vanish (set noeviction)`);
    } catch {
      // CONFIG is often disabled on managed Redis: nothing to say then.
    }
    return lines;
  }

  private keys(name: string): ChannelKeys {
    const base = `${this.prefix}:ch:{${name}}`;
    return {
      stream: `${base}:stream`,
      consumers: `${base}:consumers`,
      dead: `${base}:dead`,
      retries: (consumer) => `${base}:retry:${consumer}`,
      attempts: (consumer) => `${base}:attempts:${consumer}`,
      answer: (seq) => `${base}:answer:${seq}`,
    };
  }

  private get channelsKey(): string {
    return `${this.prefix}:channels`;
  }

  private get ingressKey(): string {
    return `${this.prefix}:ingress`;
  }

  private async listen(): Promise<void> {
    const notifyPrefix = `${this.prefix}:n:`;
    await this.subscriber.pSubscribe(`${notifyPrefix}*`, (_id, pubsubChannel) => this.wake(pubsubChannel.slice(notifyPrefix.length)));
    await this.subscriber.pSubscribe(`${this.prefix}:a:*`, (message) => {
      try {
        const { channel, seq, answer } = JSON.parse(message) as { channel: string; seq: string; answer: SerializedAnswer };
        this.answerWaiters.get(`${channel}\n${seq}`)?.(deserializeAnswer(answer));
      } catch {
        // Not ours.
      }
    });
    // Messages published while the connection was down are gone: every waiter looks again.
    this.subscriber.on('ready', () => {
      for (const channel of [...this.entryWaiters.keys()]) this.wake(channel);
    });
  }

  private wake(channel: string): void {
    this.notified.set(channel, (this.notified.get(channel) ?? 0) + 1);
    const waiters = this.entryWaiters.get(channel);
    if (!waiters) return;
    this.entryWaiters.delete(channel);
    for (const waiter of waiters) waiter();
  }

  // ── channels ──────────────────────────────────────────────────────────────

  async createChannel(channel: StoredChannel): Promise<void> {
    const created = await runScript<number>(this.connection, CREATE_CHANNEL, [this.channelsKey, this.ingressKey, this.keys(channel.name).stream], [channel.name, channel.ingressId, JSON.stringify(channel)]).catch(unavailable);
    if (created !== 1) throw new Error(`channel ${channel.name} already exists`);
  }

  async listChannels(): Promise<StoredChannel[]> {
    const all = await this.connection.command<Record<string, string> | string[]>(['HGETALL', this.channelsKey]).catch(unavailable);
    const values = Array.isArray(all) ? all.filter((_, index) => index % 2 === 1) : Object.values(all);
    return values.map((text) => JSON.parse(String(text)) as StoredChannel).sort((a, b) => a.name.localeCompare(b.name));
  }

  async channelByName(name: string): Promise<StoredChannel | undefined> {
    const text = await this.connection.command<string | null>(['HGET', this.channelsKey, name]).catch(unavailable);
    if (!text) {
      this.channelCache.delete(name);
      return undefined;
    }
    const channel = JSON.parse(text) as StoredChannel;
    this.remember(channel);
    return channel;
  }

  private remember(channel: StoredChannel): void {
    if (this.channelCache.size > 10_000) this.channelCache.clear();
    this.channelCache.set(channel.name, { channel, until: Date.now() + INGRESS_CACHE_MS });
  }

  async channelByIngress(ingressId: string): Promise<StoredChannel | undefined> {
    const cached = this.ingressCache.get(ingressId);
    if (cached && cached.until > Date.now()) return cached.channel;
    let channel: StoredChannel | undefined;
    try {
      const name = await this.connection.command<string | null>(['HGET', this.ingressKey, ingressId]).catch(unavailable);
      channel = name ? await this.channelByName(name) : undefined;
    } catch (error) {
      // Redis is down: a channel this relay knew is still answered, so the provider gets append's
      // 503 + Retry-After (and retries) rather than a 404 or a 500.
      if (error instanceof StoreUnavailableError && cached) return cached.channel;
      throw error;
    }
    if (channel?.ingressId !== ingressId) {
      this.ingressCache.delete(ingressId);
      return undefined;
    }
    if (this.ingressCache.size > 10_000) this.ingressCache.clear();
    this.ingressCache.set(ingressId, { channel, until: Date.now() + this.ingressCacheMs });
    return channel;
  }

  async deleteChannel(name: string): Promise<boolean> {
    this.statusCache.delete(name);
    const channel = await this.channelByName(name);
    if (!channel) return false;
    const keys = this.keys(name);
    const consumers = await this.connection.command<string[]>(['SMEMBERS', keys.consumers]).catch(unavailable);
    const perConsumer = consumers.flatMap((consumer) => [keys.retries(consumer), keys.attempts(consumer)]);
    await this.connection
      .transaction([
        ['HDEL', this.channelsKey, name],
        ['HDEL', this.ingressKey, channel.ingressId],
        ['DEL', keys.stream, keys.consumers, keys.dead, ...perConsumer],
      ])
      .catch(unavailable);
    this.ingressCache.delete(channel.ingressId);
    this.channelCache.delete(name);
    this.streamLength.delete(name);
    for (const consumer of consumers) this.groups.delete(`${name}\n${consumer}`);
    return true;
  }

  async setTokenHash(name: string, tokenHash: string): Promise<boolean> {
    return (await runScript<number>(this.connection, SET_TOKEN_HASH, [this.channelsKey], [name, tokenHash]).catch(unavailable)) === 1;
  }

  // ── deliveries ────────────────────────────────────────────────────────────

  async append(channel: string, record: DeliveryRecord & { rawHeaders: string[] }, ingressUrl: string): Promise<RelayEntry> {
    const keys = this.keys(channel);
    const line = toJournalLine(record);
    const known = this.channelCache.get(channel);
    const length = this.streamLength.get(channel);
    // The fast way, while the channel is known and its stream well under the cap: one XADD, as
    // cheap for Redis as a bare one; the wake-up and the length check follow once per turn.
    // Concurrent appends from other relays can pass the cap by what they add meanwhile (the margin);
    // the careful way is exact.
    if (known && known.until > Date.now() && length !== undefined && (this.maxBacklog === 0 || length + CAP_MARGIN < this.maxBacklog)) {
      const id = await this.connection.command<string | null>(['XADD', keys.stream, 'NOMKSTREAM', '*', 'record', line, 'ingressUrl', ingressUrl]).catch(unavailable);
      if (id !== null) {
        this.streamLength.set(channel, (this.streamLength.get(channel) ?? length) + 1);
        this.afterAppends(channel);
        return { seq: id, attempt: 0, ingressUrl, respond: known.channel.respond, record };
      }
      // No stream: the channel was deleted (or made by an older relay). The careful way tells which.
    }
    const reply = await runScript<Array<number | string>>(this.connection, APPEND_ENTRY, [this.channelsKey, keys.stream], [channel, String(this.maxBacklog), `${this.prefix}:n:${channel}`, line, ingressUrl]).catch(unavailable);
    if (Number(reply[0]) === 0) {
      this.streamLength.delete(channel);
      throw new BacklogFullError(channel, Number(reply[1]));
    }
    if (Number(reply[0]) !== 1) {
      this.channelCache.delete(channel);
      throw new Error(`channel ${channel} no longer exists`);
    }
    const stored = JSON.parse(String(reply[2])) as StoredChannel;
    this.remember(stored);
    this.streamLength.set(channel, Number(reply[3]));
    return { seq: String(reply[1]), attempt: 0, ingressUrl, respond: stored.respond, record };
  }

  /**
   * One PUBLISH (and one XLEN, for the cap) per channel per event-loop turn, however many deliveries
   * the turn stored: sent once their XADDs answered, so a woken subscriber finds them.
   */
  private afterAppends(channel: string): void {
    if (this.turnAppends.has(channel)) return;
    this.turnAppends.add(channel);
    if (this.turnAppends.size === 1) {
      setImmediate(() => {
        const channels = [...this.turnAppends];
        this.turnAppends.clear();
        for (const name of channels) {
          this.connection.command(['PUBLISH', `${this.prefix}:n:${name}`, '']).catch(() => {});
          if (this.maxBacklog > 0) {
            this.connection.command<number>(['XLEN', this.keys(name).stream]).then(
              (length) => this.streamLength.set(name, Number(length)),
              () => this.streamLength.delete(name),
            );
          }
        }
      });
    }
  }

  /** Creates the consumer's group (reading from the stream's start) once per process. */
  private async ensureConsumer(ref: ConsumerRef, keys: ChannelKeys, again = false): Promise<void> {
    const id = `${ref.channel}\n${ref.consumer}`;
    if (this.groups.has(id) && !again) return;
    try {
      await this.connection.command(['XGROUP', 'CREATE', keys.stream, ref.consumer, '0', 'MKSTREAM']);
    } catch (error) {
      if (!/BUSYGROUP/.test((error as Error).message)) unavailable(error);
    }
    await this.connection.command(['SADD', keys.consumers, ref.consumer]).catch(unavailable);
    this.groups.add(id);
  }

  async take(ref: ConsumerRef, max: number): Promise<RelayEntry[]> {
    const epoch = this.takeEpoch.get(ref.channel);
    if (epoch && epoch.running > 0) epoch.running++;
    else this.takeEpoch.set(ref.channel, { epoch: this.notified.get(ref.channel) ?? 0, running: 1 });
    try {
      return await this.takeNow(ref, max);
    } catch (error) {
      // The group is gone (the channel was deleted and made again, or Redis restarted empty): once more.
      if (!/NOGROUP/.test((error as Error).message)) throw error;
      await this.ensureConsumer(ref, this.keys(ref.channel), true);
      return this.takeNow(ref, max);
    } finally {
      this.takeEpoch.get(ref.channel)!.running--;
    }
  }

  private async takeNow(ref: ConsumerRef, max: number): Promise<RelayEntry[]> {
    const keys = this.keys(ref.channel);
    await this.ensureConsumer(ref, keys);
    const known = this.channelCache.get(ref.channel);
    const channel = known && known.until > Date.now() ? known.channel : await this.channelByName(ref.channel);
    if (!channel) return [];
    const found = await runScript<unknown[]>(this.connection, TAKE, [keys.retries(ref.consumer), keys.attempts(ref.consumer), keys.stream], [ref.consumer, ref.member, String(Date.now()), String(max), String(this.ackTimeoutMs)]).catch(unavailable);
    const entries: RelayEntry[] = [];
    for (let i = 0; i + 2 < found.length; i += 3) {
      const entry = this.entryFrom(String(found[i]), found[i + 1], parseAttempt(found[i + 2]).attempt, channel);
      if (entry) entries.push(entry);
    }
    return entries;
  }

  private entryFrom(seq: string, fields: unknown, attempt: number, channel: StoredChannel): RelayEntry | undefined {
    const map = pairs(fields);
    const line = map.get('record');
    if (line === undefined) return undefined;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      return undefined;
    }
    if (!isDeliveryRecord(record)) return undefined;
    const withRaw = record as DeliveryRecord & { rawHeaders?: unknown };
    if (!Array.isArray(withRaw.rawHeaders)) withRaw.rawHeaders = Object.entries(record.headers).flat();
    return { seq, attempt, ingressUrl: map.get('ingressUrl') ?? '', respond: channel.respond, record: withRaw as DeliveryRecord & { rawHeaders: string[] } };
  }

  waitForEntries(channel: string, ms: number, signal?: AbortSignal): Promise<void> {
    const lastTake = this.takeEpoch.get(channel);
    const heard = this.notified.get(channel) ?? 0;
    if (this.closed || signal?.aborted || (lastTake && heard > lastTake.epoch)) return Promise.resolve();
    return new Promise((resolve) => {
      let waiters = this.entryWaiters.get(channel);
      if (!waiters) this.entryWaiters.set(channel, (waiters = new Set()));
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        const current = this.entryWaiters.get(channel);
        current?.delete(done);
        if (current?.size === 0) this.entryWaiters.delete(channel);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      waiters.add(done);
    });
  }

  async release(ref: ConsumerRef): Promise<void> {
    const keys = this.keys(ref.channel);
    // A stream opens with a release: for a consumer seen for the first time there is nothing to hand back, but its group must exist.
    await this.ensureConsumer(ref, keys);
    const held = await this.connection.command<Array<[string, string, number, number]>>(['XPENDING', keys.stream, ref.consumer, '-', '+', '10000', ref.member]).catch((error) => {
      if (/NOGROUP/.test((error as Error).message)) return [];
      return unavailable(error);
    });
    const now = Date.now();
    const commands: string[][] = [];
    if (held.length > 0) {
      this.statusCache.delete(ref.channel);
      const seqs = held.map(([seq]) => seq);
      // Back in front of the queue, attempts unchanged: taken again at once by whoever reads next.
      commands.push(['XACK', keys.stream, ref.consumer, ...seqs], ['ZADD', keys.retries(ref.consumer), ...seqs.flatMap((seq) => [String(now), seq])]);
    }
    // DELCONSUMER forgets what a member still holds: only once it holds nothing.
    if (held.length < 10_000) commands.push(['XGROUP', 'DELCONSUMER', keys.stream, ref.consumer, ref.member]);
    await this.connection.transaction(commands).catch((error) => {
      if (/NOGROUP/.test((error as Error).message)) return [];
      return unavailable(error);
    });
    // Entries handed back are new work for the consumer's other members; nothing handed back wakes nobody
    // (a stream opens with a release: waking every waiting stream then would cost each connection all the others).
    if (held.length > 0) await this.connection.command(['PUBLISH', `${this.prefix}:n:${ref.channel}`, '']).catch(() => {});
  }

  async ack(ref: ConsumerRef, seqs: readonly string[]): Promise<void> {
    this.statusCache.delete(ref.channel);
    if (seqs.length === 0) return;
    const keys = this.keys(ref.channel);
    await this.connection
      .transaction([
        ['XACK', keys.stream, ref.consumer, ...seqs],
        ['ZREM', keys.retries(ref.consumer), ...seqs],
        ['HDEL', keys.attempts(ref.consumer), ...seqs],
      ])
      .catch(unavailable);
  }

  async fail(ref: ConsumerRef, failures: ReadonlyArray<{ seq: string; error: string }>): Promise<void> {
    this.statusCache.delete(ref.channel);
    if (failures.length === 0) return;
    const keys = this.keys(ref.channel);
    const seqs = failures.map((failure) => failure.seq);
    const [states, ...pending] = await Promise.all([
      this.connection.command<Array<string | null>>(['HMGET', keys.attempts(ref.consumer), ...seqs]),
      ...seqs.map((seq) => this.connection.command<unknown[]>(['XPENDING', keys.stream, ref.consumer, seq, seq, '1'])),
    ]).catch(unavailable);
    // Only entries still in flight for this consumer: a second report of one failure is not a second attempt.
    const inFlight = new Set(seqs.filter((_, index) => (pending[index] as unknown[]).length > 0));
    const now = Date.now();
    const commands: string[][] = [];
    for (const [index, failure] of failures.entries()) {
      if (!inFlight.has(failure.seq)) continue;
      const attempt = parseAttempt(states[index]).attempt + 1;
      commands.push(['XACK', keys.stream, ref.consumer, failure.seq]);
      if (attempt < this.schedule.length) {
        commands.push(['ZADD', keys.retries(ref.consumer), String(now + this.schedule[attempt]!), failure.seq]);
        commands.push(['HSET', keys.attempts(ref.consumer), failure.seq, JSON.stringify({ attempt, error: failure.error })]);
        continue;
      }
      const [found] = await this.connection.command<Array<[string, unknown]>>(['XRANGE', keys.stream, failure.seq, failure.seq]).catch(unavailable);
      const fields = pairs(found?.[1]);
      commands.push(['XADD', keys.dead, '*', 'consumer', ref.consumer, 'seq', failure.seq, 'attempts', String(attempt), 'error', failure.error, 'deadAt', new Date(now).toISOString(), 'record', fields.get('record') ?? '', 'ingressUrl', fields.get('ingressUrl') ?? '']);
      commands.push(['HDEL', keys.attempts(ref.consumer), failure.seq]);
    }
    if (commands.length > 0) await this.connection.transaction(commands).catch(unavailable);
  }

  // ── respond: wait ─────────────────────────────────────────────────────────

  async publishAnswer(channel: string, seq: string, answer: RelayAnswer): Promise<void> {
    const serialized = serializeAnswer(answer);
    await this.connection
      .transaction([
        ['SET', this.keys(channel).answer(seq), JSON.stringify(serialized), 'PX', String(ANSWER_TTL_MS)],
        ['PUBLISH', `${this.prefix}:a:${channel}`, JSON.stringify({ channel, seq, answer: serialized })],
      ])
      .catch(unavailable);
  }

  waitForAnswer(channel: string, seq: string, ms: number): Promise<RelayAnswer | undefined> {
    const id = `${channel}\n${seq}`;
    return new Promise((resolve) => {
      let settled = false;
      const done = (answer: RelayAnswer | undefined) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (this.answerWaiters.get(id) === onAnswer) this.answerWaiters.delete(id);
        resolve(answer);
      };
      const onAnswer = (answer: RelayAnswer) => done(answer);
      const timer = setTimeout(() => done(undefined), ms);
      this.answerWaiters.set(id, onAnswer);
      // Answered before this process listened for it: it waits in its key.
      this.connection.command<string | null>(['GET', this.keys(channel).answer(seq)]).then(
        (text) => {
          if (text) done(deserializeAnswer(JSON.parse(text) as SerializedAnswer));
        },
        () => {},
      );
    });
  }

  // ── status, dead letters, retention ───────────────────────────────────────

  /**
   * The server asks for a channel's status each time a subscriber connects (its hello) and with each
   * poll answer: a burst of reconnections shares one reading per half second instead of one each.
   * What this relay changes itself (acks, failures, releases, requeues) is seen at once; new
   * deliveries and other relays' changes within half a second.
   */
  status(channel: string): Promise<ChannelStatus> {
    const cached = this.statusCache.get(channel);
    if (cached && cached.until > Date.now()) return cached.status;
    const status = this.readStatus(channel);
    this.statusCache.set(channel, { status, until: Date.now() + STATUS_CACHE_MS });
    status.catch(() => this.statusCache.delete(channel));
    return status;
  }

  private async readStatus(channel: string): Promise<ChannelStatus> {
    const keys = this.keys(channel);
    const exists = (await this.connection.command<number>(['EXISTS', keys.stream]).catch(unavailable)) === 1;
    if (!exists) return { channel, stored: 0, oldestAt: null, consumers: [] };
    const [stored, oldest, groups, dead] = await Promise.all([
      this.connection.command<number>(['XLEN', keys.stream]),
      this.connection.command<Array<[string, unknown]>>(['XRANGE', keys.stream, '-', '+', 'COUNT', '1']),
      this.connection.command<Array<Record<string, unknown>>>(['XINFO', 'GROUPS', keys.stream]),
      this.deadCounts(keys),
    ]).catch(unavailable);
    const deadBy = dead;
    // One round trip for every consumer's details (pipelined), not one per consumer.
    const consumers: ConsumerStatus[] = await Promise.all(groups.map(async (group): Promise<ConsumerStatus> => {
      const consumer = String(group.name);
      const [members, retrying] = await Promise.all([
        this.connection.command<Array<Record<string, unknown>>>(['XINFO', 'CONSUMERS', keys.stream, consumer]),
        this.connection.command<number>(['ZCARD', keys.retries(consumer)]),
      ]).catch(unavailable);
      const idle = members.map((member) => Number(member.idle)).filter(Number.isFinite);
      const waiting = group.lag !== null && group.lag !== undefined ? Number(group.lag) : (await this.connection.command<unknown[]>(['XRANGE', keys.stream, nextId(String(group['last-delivered-id'])), '+', 'COUNT', '100000']).catch(unavailable)).length;
      return {
        consumer,
        waiting,
        inFlight: Number(group.pending) || 0,
        retrying,
        dead: deadBy.get(consumer) ?? 0,
        lastSeenAt: idle.length > 0 ? new Date(Date.now() - Math.min(...idle)).toISOString() : null,
        members: members.map((member) => String(member.name)),
      };
    }));
    const oldestSeq = oldest[0]?.[0];
    return { channel, stored, oldestAt: oldestSeq ? new Date(Number(oldestSeq.split('-')[0])).toISOString() : null, consumers };
  }

  /** Dead letters per consumer, reading only who each is for (a subscriber's hello asks, and a channel may hold many). */
  private async deadCounts(keys: ChannelKeys): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    if ((await this.connection.command<number>(['XLEN', keys.dead])) === 0) return counts;
    let from = '-';
    for (;;) {
      const page = await this.connection.command<Array<[string, unknown]>>(['XRANGE', keys.dead, from, '+', 'COUNT', '1000']);
      for (const [, fields] of page) {
        const list = Array.isArray(fields) ? fields : [];
        const at = list.indexOf('consumer');
        const consumer = at >= 0 && at % 2 === 0 ? String(list[at + 1]) : '';
        counts.set(consumer, (counts.get(consumer) ?? 0) + 1);
      }
      if (page.length < 1000) return counts;
      from = `(${page[page.length - 1]![0]}`;
    }
  }

  private async deadLetters(channel: string): Promise<Array<DeadEntry & { deadId: string }>> {
    const keys = this.keys(channel);
    const stored = await this.channelByName(channel);
    const raw = await this.connection.command<Array<[string, unknown]>>(['XRANGE', keys.dead, '-', '+']).catch(unavailable);
    const out: Array<DeadEntry & { deadId: string }> = [];
    for (const [deadId, fields] of raw) {
      const map = pairs(fields);
      const entry = this.entryFrom(map.get('seq') ?? deadId, fields, Number(map.get('attempts')) || 0, stored ?? ({ respond: 'stored' } as StoredChannel));
      if (!entry) continue;
      out.push({ deadId, seq: entry.seq, consumer: map.get('consumer') ?? '', attempts: entry.attempt, error: map.get('error') ?? '', deadAt: map.get('deadAt') ?? '', entry });
    }
    return out;
  }

  async dead(channel: string, consumer?: string): Promise<DeadEntry[]> {
    const letters = await this.deadLetters(channel);
    return letters.filter((letter) => consumer === undefined || letter.consumer === consumer).map(({ deadId: _deadId, ...letter }) => letter);
  }

  async requeue(channel: string, seqs?: readonly string[], consumer?: string): Promise<number> {
    this.statusCache.delete(channel);
    const keys = this.keys(channel);
    const wanted = seqs ? new Set(seqs) : undefined;
    const letters = (await this.deadLetters(channel)).filter((letter) => (consumer === undefined || letter.consumer === consumer) && (!wanted || wanted.has(letter.seq)));
    if (letters.length === 0) return 0;
    const now = Date.now();
    const commands: string[][] = [];
    for (const letter of letters) {
      const [found] = await this.connection.command<Array<[string, unknown]>>(['XRANGE', keys.stream, letter.seq, letter.seq]).catch(unavailable);
      if (found) {
        // A full schedule again, from attempt 0, for the consumer it died for.
        commands.push(['ZADD', keys.retries(letter.consumer), String(now), letter.seq], ['HDEL', keys.attempts(letter.consumer), letter.seq]);
      } else {
        // Its entry was trimmed (retention): stored again as a new delivery, so every consumer sees it; their listeners' dedupe drops repeats.
        commands.push(['XADD', keys.stream, '*', 'record', toJournalLine(letter.entry.record), 'ingressUrl', letter.entry.ingressUrl]);
      }
      commands.push(['XDEL', keys.dead, letter.deadId]);
    }
    await this.connection.transaction(commands).catch(unavailable);
    // Every relay's waiting streams of this channel look again (the consumer may be connected to another).
    await this.connection.command(['PUBLISH', `${this.prefix}:n:${channel}`, '']).catch(() => {});
    return letters.length;
  }

  async trim(nowMs: number): Promise<number> {
    let dropped = 0;
    const retention = idAt(nowMs - this.retainMs);
    for (const { name } of await this.listChannels()) {
      const keys = this.keys(name);
      // Everything before the oldest entry some consumer still needs is settled by all of them.
      let floor = retention;
      const groups = await this.connection.command<Array<Record<string, unknown>>>(['XINFO', 'GROUPS', keys.stream]).catch((error) => {
        if (/no such key/i.test((error as Error).message)) return [];
        return unavailable(error);
      });
      if (groups.length > 0) {
        let needed: string | undefined;
        const need = (id: string) => (needed = needed === undefined || compareIds(id, needed) < 0 ? id : needed);
        for (const group of groups) {
          const consumer = String(group.name);
          need(nextId(String(group['last-delivered-id'])));
          const [summary, retrying] = await Promise.all([
            this.connection.command<[number, string | null, string | null, unknown]>(['XPENDING', keys.stream, consumer]),
            this.connection.command<string[]>(['HKEYS', keys.attempts(consumer)]),
          ]).catch(unavailable);
          if (summary[1]) need(String(summary[1]));
          const queued = await this.connection.command<string[]>(['ZRANGE', keys.retries(consumer), '0', '-1']).catch(unavailable);
          for (const seq of [...retrying, ...queued]) need(seq);
        }
        if (needed !== undefined && compareIds(needed, floor) > 0) floor = needed;
      }
      dropped += await this.connection.command<number>(['XTRIM', keys.stream, 'MINID', floor]).catch(unavailable);
      await this.connection.command(['XTRIM', keys.dead, 'MINID', retention]).catch(unavailable);
    }
    return dropped;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const channel of [...this.entryWaiters.keys()]) this.wake(channel);
    await Promise.all([this.connection.close(), this.subscriber.close()]);
  }
}

interface SerializedAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function serializeAnswer(answer: RelayAnswer): SerializedAnswer {
  return { status: answer.status, headers: answer.headers, body: answer.body.toString('base64') };
}

function deserializeAnswer(answer: SerializedAnswer): RelayAnswer {
  return { status: answer.status, headers: answer.headers, body: Buffer.from(answer.body, 'base64') };
}

/** `relay serve --redis URL`: what the server awaits through `await import('./store-redis.js')`. */
export function openRedisStore(url: string, options: RedisStoreOptions = {}): Promise<RedisRelayStore> {
  return RedisRelayStore.open(url, options);
}
