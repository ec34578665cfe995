/**
 * The embedded relay store (`hookctl relay serve --store DIR`): everything in one private folder,
 * nothing to run beside the relay.
 *
 *   DIR/channels.json                 the channels (token hashes only), replaced whole on change
 *   DIR/channels/<name>/seg-*.log     the deliveries, append-only, on disk before the 2xx
 *   DIR/channels/<name>/state.log     consumers' acks, retries, dead letters, requeues
 *
 * One relay process per folder (a lock file keeps a second out). What is in flight is not written
 * down: after a restart every entry not acknowledged is sent again, which the listener's dedupe
 * absorbs. The state log is compacted to a snapshot at every start.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open as openFile, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AppendLog } from '../capture/append-log.js';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, realFileOps } from '../capture/file-ops.js';
import { FolderLock } from '../capture/lock.js';
import type { DeliveryRecord } from '../records/record.js';
import { ChannelLog, type IndexRow } from './embedded/channel-log.js';
import { ConsumerState, type StateLine } from './embedded/consumer-state.js';
import { CHANNEL_NAME_PATTERN } from './names.js';
import type { RelayEntry } from './protocol.js';
import {
  BacklogFullError,
  type ChannelStatus,
  type ConsumerRef,
  type DeadEntry,
  type RelayAnswer,
  type RelayStore,
  type RelayStoreOptions,
  type StoredChannel,
} from './store.js';

/** The state log is compacted at the next trim once it has this many lines. */
const COMPACT_AFTER_LINES = 50_000;
/** An answer published before anyone waits for it (a fast listener) is kept this long, and so many at most. */
const EARLY_ANSWER_MS = 10_000;
const EARLY_ANSWERS_MAX = 1_000;

export interface EmbeddedOptions {
  /** A segment file rolls past this size (default 16 MiB); small in tests. */
  segmentBytes?: number;
}

interface Channel {
  info: StoredChannel;
  dir: string;
  log: ChannelLog;
  state: AppendLog;
  stateLines: number;
  consumers: Map<string, ConsumerState>;
  wake: Set<() => void>;
}

interface StoredLine {
  seq: string;
  at: number;
  ingressUrl: string;
  respond: RelayEntry['respond'];
  record: RelayEntry['record'];
}

export class EmbeddedRelayStore implements RelayStore {
  private readonly channels = new Map<string, Channel>();
  private readonly byIngress = new Map<string, Channel>();
  private readonly answers = new Map<string, { answer?: RelayAnswer; waiters: Array<(answer: RelayAnswer) => void>; timer?: NodeJS.Timeout }>();
  private channelsWrite: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly dir: string,
    private readonly options: RelayStoreOptions & EmbeddedOptions,
    private readonly lock: FolderLock,
  ) {}

  static async open(dir: string, options: RelayStoreOptions & EmbeddedOptions): Promise<EmbeddedRelayStore> {
    await realFileOps.mkdir(dir);
    await mkdir(join(dir, 'channels'), { mode: PRIVATE_DIR_MODE }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    const lock = await FolderLock.acquire(dir);
    const store = new EmbeddedRelayStore(dir, options, lock);
    try {
      const text = await readFile(join(dir, 'channels.json'), 'utf8').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return '[]';
        throw error;
      });
      for (const info of JSON.parse(text) as StoredChannel[]) await store.openChannel(info);
    } catch (error) {
      await store.close().catch(() => {});
      throw error;
    }
    return store;
  }

  private async openChannel(info: StoredChannel): Promise<Channel> {
    const dir = join(this.dir, 'channels', info.name);
    await realFileOps.mkdir(dir);
    const log = await ChannelLog.open(dir, this.options.segmentBytes);
    const consumers = new Map<string, ConsumerState>();
    const statePath = join(dir, 'state.log');
    const text = await readFile(statePath, 'utf8').catch(() => '');
    for (const raw of text.split('\n')) {
      if (raw === '') continue;
      let line: StateLine;
      try {
        line = JSON.parse(raw) as StateLine;
      } catch {
        continue; // a torn last line: that change was never confirmed
      }
      let consumer = consumers.get(line.c);
      if (!consumer) consumers.set(line.c, (consumer = new ConsumerState(line.c)));
      consumer.apply(line, log);
    }
    const firstSeq = log.rows[0]?.seq;
    for (const consumer of consumers.values()) {
      if (firstSeq !== undefined) consumer.dropThrough(firstSeq - 1);
      else consumer.dropThrough(log.lastSeq);
      // In flight is not written down: after a restart everything unsettled is sent again.
      consumer.cursor = consumer.floor;
    }
    // Compaction: the snapshot replaces the log, written whole before the rename.
    const snapshot = [...consumers.values()].flatMap((consumer) => consumer.snapshot());
    const temp = `${statePath}.${randomBytes(4).toString('hex')}.tmp`;
    await writeSynced(temp, snapshot.map((line) => `${JSON.stringify(line)}\n`).join(''));
    await rename(temp, statePath);
    const state = new AppendLog(statePath, { durable: true });
    await state.open();
    const channel: Channel = { info, dir, log, state, stateLines: snapshot.length, consumers, wake: new Set() };
    this.channels.set(info.name, channel);
    this.byIngress.set(info.ingressId, channel);
    return channel;
  }

  private saveChannels(): Promise<void> {
    const write = async () => {
      const temp = join(this.dir, `channels.json.${randomBytes(4).toString('hex')}.tmp`);
      await writeSynced(temp, `${JSON.stringify([...this.channels.values()].map((channel) => channel.info), null, 2)}\n`);
      await rename(temp, join(this.dir, 'channels.json'));
      await realFileOps.fsyncDir?.(this.dir);
    };
    this.channelsWrite = this.channelsWrite.then(write, write);
    return this.channelsWrite;
  }

  async createChannel(info: StoredChannel): Promise<void> {
    if (!CHANNEL_NAME_PATTERN.test(info.name)) throw new Error(`"${info.name}" is not a usable channel name (letters, digits, . _ -)`);
    if (this.channels.has(info.name)) throw new Error(`a channel named ${info.name} exists`);
    // A folder left by a channel deleted earlier must not lend its deliveries to the new one.
    await rm(join(this.dir, 'channels', info.name), { recursive: true, force: true });
    await this.openChannel(info);
    // The channel's folder name must survive a power cut as much as its first delivery does.
    await realFileOps.fsyncDir?.(join(this.dir, 'channels'));
    await this.saveChannels();
  }

  async listChannels(): Promise<StoredChannel[]> {
    return [...this.channels.values()].map((channel) => ({ ...channel.info }));
  }

  async channelByName(name: string): Promise<StoredChannel | undefined> {
    const info = this.channels.get(name)?.info;
    return info && { ...info };
  }

  async channelByIngress(ingressId: string): Promise<StoredChannel | undefined> {
    const info = this.byIngress.get(ingressId)?.info;
    return info && { ...info };
  }

  async deleteChannel(name: string): Promise<boolean> {
    const channel = this.channels.get(name);
    if (!channel) return false;
    this.channels.delete(name);
    this.byIngress.delete(channel.info.ingressId);
    for (const wake of channel.wake) wake();
    await this.saveChannels();
    await Promise.all([channel.log.close(), channel.state.close()]).catch(() => {});
    await rm(channel.dir, { recursive: true, force: true });
    return true;
  }

  async setTokenHash(name: string, tokenHash: string): Promise<boolean> {
    const channel = this.channels.get(name);
    if (!channel) return false;
    channel.info = { ...channel.info, tokenHash };
    await this.saveChannels();
    this.wake(channel); // open streams check their token when they wake
    return true;
  }

  private channel(name: string): Channel {
    const channel = this.channels.get(name);
    if (!channel) throw new Error(`no channel ${name}`);
    return channel;
  }

  private backlog(channel: Channel): number {
    if (channel.consumers.size === 0) return channel.log.count;
    let most = 0;
    for (const consumer of channel.consumers.values()) most = Math.max(most, consumer.unsettled(channel.log));
    return most;
  }

  async append(name: string, record: DeliveryRecord & { rawHeaders: string[] }, ingressUrl: string): Promise<RelayEntry> {
    const channel = this.channel(name);
    const backlog = this.backlog(channel);
    if (backlog >= this.options.backlog) throw new BacklogFullError(name, backlog);
    const respond = channel.info.respond;
    const seq = await channel.log.append((seq, at) => JSON.stringify({ seq: String(seq), at, ingressUrl, respond, record } satisfies StoredLine));
    this.wake(channel);
    return { seq: String(seq), attempt: 0, ingressUrl, respond, record };
  }

  private wake(channel: Channel): void {
    const waiters = [...channel.wake];
    channel.wake.clear();
    for (const wake of waiters) wake();
  }

  private consumer(channel: Channel, name: string): ConsumerState {
    let consumer = channel.consumers.get(name);
    if (!consumer) {
      consumer = new ConsumerState(name);
      channel.consumers.set(name, consumer);
      void this.persist(channel, { c: name, new: 1 }).catch(() => {});
    }
    return consumer;
  }

  private persist(channel: Channel, line: StateLine): Promise<void> {
    channel.stateLines++;
    return channel.state.append(JSON.stringify(line));
  }

  private async entries(channel: Channel, items: ReadonlyArray<{ seq: number; attempt: number }>): Promise<Array<RelayEntry | undefined>> {
    const rows = items.map((item) => channel.log.find(item.seq));
    const present = rows.filter((row): row is IndexRow => row !== undefined);
    const lines = await channel.log.read(present);
    const bySeq = new Map<number, string | undefined>();
    present.forEach((row, i) => bySeq.set(row.seq, lines[i]));
    return items.map((item) => {
      const line = bySeq.get(item.seq);
      if (line === undefined) return undefined;
      try {
        const stored = JSON.parse(line) as StoredLine;
        return { seq: stored.seq, attempt: item.attempt, ingressUrl: stored.ingressUrl, respond: stored.respond, record: stored.record };
      } catch {
        return undefined;
      }
    });
  }

  async take(ref: ConsumerRef, max: number): Promise<RelayEntry[]> {
    const channel = this.channels.get(ref.channel);
    if (!channel) return [];
    const items = this.consumer(channel, ref.consumer).take(ref.member, max, Date.now(), this.options.ackTimeoutMs, channel.log);
    if (items.length === 0) return [];
    return (await this.entries(channel, items)).filter((entry): entry is RelayEntry => entry !== undefined);
  }

  waitForEntries(name: string, ms: number, signal?: AbortSignal): Promise<void> {
    const channel = this.channels.get(name);
    if (signal?.aborted || this.closed) return Promise.resolve();
    const now = Date.now();
    let due = now + ms;
    // A channel deleted meanwhile: wait all the same (the caller finds it gone), never spin.
    if (channel) for (const consumer of channel.consumers.values()) due = Math.min(due, consumer.nextDue(now, this.options.ackTimeoutMs));
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        channel?.wake.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(1, due - now));
      channel?.wake.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  async release(ref: ConsumerRef): Promise<void> {
    const channel = this.channels.get(ref.channel);
    if (!channel) return;
    if (this.consumer(channel, ref.consumer).release(ref.member) > 0) this.wake(channel);
  }

  /**
   * Seqs this consumer may acknowledge: ones it was sent, or (after a restart put its cursor back)
   * ones still stored. An ack for an entry never sent would skip it, which only the consumer can do to itself.
   */
  private ackable(channel: Channel, consumer: ConsumerState, seqs: readonly string[]): number[] {
    return seqs.map(Number).filter((seq) => Number.isSafeInteger(seq) && seq > 0 && (seq <= consumer.cursor || consumer.inFlight.has(seq) || consumer.returned.has(seq) || channel.log.find(seq) !== undefined));
  }

  /** A failure counts for an entry out with the consumer; one already settled, or not sent since a restart, is left as it is. */
  private outstanding(consumer: ConsumerState, seq: number): boolean {
    return consumer.inFlight.has(seq) || consumer.returned.has(seq) || consumer.retrying.has(seq);
  }

  async ack(ref: ConsumerRef, seqs: readonly string[]): Promise<void> {
    const channel = this.channels.get(ref.channel);
    if (!channel) return;
    const consumer = this.consumer(channel, ref.consumer);
    const ack = this.ackable(channel, consumer, seqs);
    if (ack.length === 0) return;
    const line: StateLine = { c: consumer.name, ack };
    consumer.apply(line, channel.log);
    await this.persist(channel, line);
  }

  async fail(ref: ConsumerRef, failures: ReadonlyArray<{ seq: string; error: string }>): Promise<void> {
    const channel = this.channels.get(ref.channel);
    if (!channel) return;
    const consumer = this.consumer(channel, ref.consumer);
    const schedule = this.options.retryScheduleMs;
    const now = Date.now();
    const writes: Array<Promise<void>> = [];
    for (const failure of failures) {
      const seq = Number(failure.seq);
      if (!this.outstanding(consumer, seq)) continue;
      const made = (consumer.inFlight.get(seq)?.attempt ?? consumer.retrying.get(seq)?.attempt ?? consumer.returned.get(seq) ?? 0) + 1;
      const error = failure.error.slice(0, 500);
      const line: StateLine =
        made >= schedule.length
          ? { c: consumer.name, dead: seq, attempts: made, error, at: new Date(now).toISOString() }
          : { c: consumer.name, fail: seq, attempt: made, due: now + (schedule[made] ?? 0), error };
      consumer.apply(line, channel.log);
      writes.push(this.persist(channel, line));
    }
    await Promise.all(writes);
    this.wake(channel);
  }

  async publishAnswer(name: string, seq: string, answer: RelayAnswer): Promise<void> {
    const key = `${name}\n${seq}`;
    const slot = this.answers.get(key);
    if (slot && slot.waiters.length > 0) {
      this.answers.delete(key);
      for (const waiter of slot.waiters) waiter(answer);
      return;
    }
    if (this.answers.size >= EARLY_ANSWERS_MAX) {
      // The oldest unclaimed answer goes (never a provider's wait).
      for (const [other, unclaimed] of this.answers) {
        if (!unclaimed.answer) continue;
        clearTimeout(unclaimed.timer);
        this.answers.delete(other);
        break;
      }
    }
    const timer = setTimeout(() => this.answers.delete(key), EARLY_ANSWER_MS);
    timer.unref();
    this.answers.set(key, { answer, waiters: [], timer });
  }

  waitForAnswer(name: string, seq: string, ms: number): Promise<RelayAnswer | undefined> {
    const key = `${name}\n${seq}`;
    const early = this.answers.get(key);
    if (early?.answer) {
      clearTimeout(early.timer);
      this.answers.delete(key);
      return Promise.resolve(early.answer);
    }
    return new Promise((resolve) => {
      const slot = early ?? { waiters: [] };
      this.answers.set(key, slot);
      const waiter = (answer: RelayAnswer | undefined) => {
        clearTimeout(timer);
        resolve(answer);
      };
      const timer = setTimeout(() => {
        slot.waiters = slot.waiters.filter((other) => other !== waiter);
        if (slot.waiters.length === 0 && this.answers.get(key) === slot) this.answers.delete(key);
        resolve(undefined);
      }, ms);
      slot.waiters.push(waiter);
    });
  }

  async status(name: string): Promise<ChannelStatus> {
    const channel = this.channel(name);
    const first = channel.log.rows[0];
    const now = Date.now();
    return {
      channel: name,
      stored: channel.log.count,
      oldestAt: first ? new Date(first.at).toISOString() : null,
      consumers: [...channel.consumers.values()].map((consumer) => ({
        consumer: consumer.name,
        waiting: consumer.waiting(channel.log),
        inFlight: consumer.inFlight.size,
        retrying: consumer.retrying.size,
        dead: consumer.dead.size,
        lastSeenAt: consumer.lastSeenAt === null ? null : new Date(consumer.lastSeenAt).toISOString(),
        // A poller never says goodbye: a member counts as connected while it asked recently.
        members: [...consumer.members].filter(([, seenAt]) => now - seenAt <= Math.max(this.options.ackTimeoutMs, 60_000)).map(([member]) => member),
      })),
    };
  }

  async dead(name: string, consumerName?: string): Promise<DeadEntry[]> {
    const channel = this.channel(name);
    const out: DeadEntry[] = [];
    for (const consumer of channel.consumers.values()) {
      if (consumerName !== undefined && consumer.name !== consumerName) continue;
      const letters = [...consumer.dead].sort(([a], [b]) => a - b);
      const entries = await this.entries(channel, letters.map(([seq, letter]) => ({ seq, attempt: letter.attempts })));
      letters.forEach(([seq, letter], i) => {
        const entry = entries[i];
        if (entry) out.push({ seq: String(seq), consumer: consumer.name, attempts: letter.attempts, error: letter.error, deadAt: letter.deadAt, entry });
      });
    }
    return out;
  }

  async requeue(name: string, seqs?: readonly string[], consumerName?: string): Promise<number> {
    const channel = this.channel(name);
    const wanted = seqs ? new Set(seqs.map(Number)) : undefined;
    let count = 0;
    const writes: Array<Promise<void>> = [];
    for (const consumer of channel.consumers.values()) {
      if (consumerName !== undefined && consumer.name !== consumerName) continue;
      const requeue = [...consumer.dead.keys()].filter((seq) => !wanted || wanted.has(seq));
      if (requeue.length === 0) continue;
      const line: StateLine = { c: consumer.name, requeue };
      consumer.apply(line, channel.log);
      writes.push(this.persist(channel, line));
      count += requeue.length;
    }
    await Promise.all(writes);
    if (count > 0) this.wake(channel);
    return count;
  }

  async trim(nowMs: number): Promise<number> {
    let dropped = 0;
    const cutoff = nowMs - this.options.retainMs;
    for (const channel of this.channels.values()) {
      const rows = channel.log.rows;
      const consumers = [...channel.consumers.values()];
      let count = 0;
      // The front: expired, or settled by every consumer and no one's dead letter.
      while (count < rows.length) {
        const row = rows[count]!;
        const settledByAll = consumers.length > 0 && consumers.every((consumer) => row.seq <= consumer.floor && !consumer.dead.has(row.seq) && !consumer.returned.has(row.seq));
        if (row.at >= cutoff && !settledByAll) break;
        count++;
      }
      if (count > 0) {
        const through = rows[count - 1]!.seq;
        for (const consumer of consumers) consumer.dropThrough(through);
        dropped += count;
      }
      await channel.log.dropFront(count, nowMs, Math.min(this.options.retainMs / 4, 3_600_000));
      if (channel.stateLines > COMPACT_AFTER_LINES) await this.compact(channel);
    }
    return dropped;
  }

  private async compact(channel: Channel): Promise<void> {
    channel.state.recordFromNow();
    const snapshot = [...channel.consumers.values()].flatMap((consumer) => consumer.snapshot());
    const temp = join(channel.dir, `state.log.${randomBytes(4).toString('hex')}.tmp`);
    await writeSynced(temp, snapshot.map((line) => `${JSON.stringify(line)}\n`).join(''));
    await channel.state.replace(temp);
    channel.stateLines = snapshot.length;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const channel of this.channels.values()) this.wake(channel);
    await this.channelsWrite.catch(() => {});
    await Promise.all([...this.channels.values()].map((channel) => Promise.all([channel.log.close(), channel.state.close()]).catch(() => {})));
    for (const slot of this.answers.values()) clearTimeout(slot.timer);
    await this.lock.release();
  }
}

/** Writes a whole file, private, and syncs it before it is renamed into place. */
async function writeSynced(path: string, text: string): Promise<void> {
  const handle = await openFile(path, 'w', PRIVATE_FILE_MODE);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}
