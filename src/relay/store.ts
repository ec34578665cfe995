/**
 * Where a relay keeps channels and deliveries. Two implementations: the embedded store (`--store
 * DIR`, append-only files, group commit) and Redis (`--redis URL`, a stream per channel, shared by
 * any number of relay processes). The HTTP server knows only this interface.
 */
import type { DeliveryRecord } from '../records/record.js';
import type { RelayEntry, RespondMode } from './protocol.js';

export interface RelayAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export interface StoredChannel {
  name: string;
  /** ≥ 128 random bits, base64url: knowing it lets you write to the channel, nothing more. */
  ingressId: string;
  /** SHA-256 of the subscribe token (hex); compared in constant time. */
  tokenHash: string;
  respond: RespondMode;
  createdAt: string;
}

export interface ConsumerRef {
  channel: string;
  /** The group when the subscriber named one, else the subscriber's name. */
  consumer: string;
  /** The process/laptop reading (one member of a group). */
  member: string;
}

export interface DeadEntry {
  seq: string;
  consumer: string;
  attempts: number;
  error: string;
  deadAt: string;
  entry: RelayEntry;
}

export interface ConsumerStatus {
  consumer: string;
  /** Entries not yet sent to this consumer. */
  waiting: number;
  /** Sent and not settled. */
  inFlight: number;
  /** Failed, waiting for their next attempt. */
  retrying: number;
  dead: number;
  lastSeenAt: string | null;
  members: string[];
}

export interface ChannelStatus {
  channel: string;
  stored: number;
  oldestAt: string | null;
  consumers: ConsumerStatus[];
}

/** What every store is opened with (`hookctl relay serve` flags). */
export interface RelayStoreOptions {
  /** Entries older than this are dropped by trim(). */
  retainMs: number;
  /** Most deliveries a channel holds that a consumer has not settled; append() refuses beyond. */
  backlog: number;
  /** An entry sent and not settled in this time is sent again. */
  ackTimeoutMs: number;
  /** Waits before each attempt: [0, 5 s, …]; a failure past its end makes a dead letter. */
  retryScheduleMs: readonly number[];
}

export interface RelayStore {
  createChannel(channel: StoredChannel): Promise<void>;
  listChannels(): Promise<StoredChannel[]>;
  channelByName(name: string): Promise<StoredChannel | undefined>;
  channelByIngress(ingressId: string): Promise<StoredChannel | undefined>;
  deleteChannel(name: string): Promise<boolean>;
  setTokenHash(name: string, tokenHash: string): Promise<boolean>;

  /** Resolves once the delivery is where a crash cannot take it; rejects with BacklogFullError over the cap. */
  append(channel: string, record: DeliveryRecord & { rawHeaders: string[] }, ingressUrl: string): Promise<RelayEntry>;
  /**
   * Up to `max` entries for this consumer: due retries and entries sent but unsettled for longer
   * than the ack timeout first, then new ones after the consumer's cursor. Each returned entry is
   * marked in flight for this member until settled or timed out.
   */
  take(ref: ConsumerRef, max: number): Promise<RelayEntry[]>;
  /** Resolves when `take` may have something new for this channel (or after `ms`). */
  waitForEntries(channel: string, ms: number, signal?: AbortSignal): Promise<void>;
  /** Puts back every in-flight entry of this member (it disconnected). */
  release(ref: ConsumerRef): Promise<void>;
  ack(ref: ConsumerRef, seqs: readonly string[]): Promise<void>;
  fail(ref: ConsumerRef, failures: ReadonlyArray<{ seq: string; error: string }>): Promise<void>;

  /** `respond: wait`: hands the listener's answer to whichever relay process holds the provider's request. */
  publishAnswer(channel: string, seq: string, answer: RelayAnswer): Promise<void>;
  /** Resolves with the answer for this entry, or undefined after `ms`. */
  waitForAnswer(channel: string, seq: string, ms: number): Promise<RelayAnswer | undefined>;

  status(channel: string): Promise<ChannelStatus>;
  dead(channel: string, consumer?: string): Promise<DeadEntry[]>;
  /** Puts dead letters back (all of the channel's, or these seqs); returns how many. */
  requeue(channel: string, seqs?: readonly string[], consumer?: string): Promise<number>;

  /** Drops entries older than the retention (and those every consumer has settled). */
  trim(nowMs: number): Promise<number>;
  close(): Promise<void>;
}

export class BacklogFullError extends Error {
  constructor(readonly channel: string, readonly backlog: number) {
    super(`channel ${channel} holds ${backlog} deliveries not yet settled`);
  }
}

export class StoreUnavailableError extends Error {}
