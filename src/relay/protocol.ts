/**
 * The relay's wire protocol, shared by the server (`hookctl relay serve`), its stores and the
 * subscriber (`hookctl listen --relay`). docs/relay.md ("Protocol") explains it for people.
 *
 * Paths (every one under the relay's public URL):
 *   ANY  /in/<ingressId>[/path…][?query]      ingress: a provider's delivery, kept byte for byte
 *   GET  /sub/<channel>/events                 server-sent events (resumable with Last-Event-ID)
 *   GET  /sub/<channel>/poll?wait=MS&max=N     long-poll (wait > 0) or plain poll (wait=0);
 *                                              &release=1 first hands back this member's unsettled entries
 *   POST /sub/<channel>/ack                    settle entries: acknowledge, fail (retry), answer
 *   GET  /api/channels, POST /api/channels, DELETE /api/channels/<name>,
 *   POST /api/channels/<name>/rotate-token     admin (Authorization: Bearer <admin token>)
 *   GET  /api/channels/<name>/status|dead, POST /api/channels/<name>/requeue   admin
 *   GET  /healthz                              liveness, no secrets
 *
 * Subscribers authenticate with `Authorization: Bearer <subscribe token>` and name themselves with
 * the `Hookctl-Subscriber` header (default: the host name) and optionally `Hookctl-Group`: a
 * consumer is the group when given, else the subscriber. Each consumer gets every delivery; the
 * members of one group share them. An unknown channel and a wrong token get the same 401.
 *
 * Resuming: the store, not Last-Event-ID, decides what is sent. A new stream of a member replaces
 * its old one and first gets back every entry that member had unsettled (acknowledgement is end to
 * end: an entry seen but not acked is sent again), then the entries after the consumer's cursor. A
 * consumer seen for the first time gets every entry the channel still holds.
 */
import type { DeliveryRecord } from '../records/record.js';

export const SUBSCRIBER_HEADER = 'hookctl-subscriber';
export const GROUP_HEADER = 'hookctl-group';

/** How long the server waits between heartbeats on an idle stream (SSE `ping`, long-poll timeout cap). */
export const DEFAULT_HEARTBEAT_MS = 15_000;
/** An entry sent to a subscriber and not settled in this time is sent again. */
export const DEFAULT_ACK_TIMEOUT_MS = 60_000;
/** Waits between the relay's attempts of an entry the subscriber failed (app 5xx, refused connection). */
export const DEFAULT_RELAY_RETRY_SCHEDULE_MS = [0, 5_000, 30_000, 300_000];

/**
 * One relayed delivery. `record` is the delivery record every other part of hookctl reads
 * (src/records/record.ts) with `rawHeaders` set: the ordered raw header list, case and repeats kept.
 * `seq` orders entries within a channel and is the SSE event id (`Last-Event-ID`).
 */
export interface RelayEntry {
  seq: string;
  /** Attempts already made (0 on the first sending; a failed attempt adds one). */
  attempt: number;
  /** The full ingress URL the provider called (Twilio and Square sign it). */
  ingressUrl: string;
  /** The channel answers providers with the subscriber's answer (`respond: wait`). */
  respond: RespondMode;
  record: DeliveryRecord & { rawHeaders: string[] };
}

export type RespondMode = 'stored' | 'wait';

/** First SSE event (`event: hello`) and every long-poll answer's header fields. */
export interface RelayHello {
  channel: string;
  consumer: string;
  heartbeatMs: number;
  ackTimeoutMs: number;
  /** Entries waiting for this consumer when it connected. */
  waiting: number;
}

/** The body of POST /sub/<channel>/ack. */
export interface AckRequest {
  /** Settled: processed, a duplicate, or refused with a 4xx. Never sent again. */
  acks?: string[];
  /** Not settled (the app answered 5xx, or could not be reached): retried on the relay's schedule. */
  failures?: Array<{ seq: string; error: string }>;
  /** For `respond: wait` channels: what the listener answered, passed back to the provider. */
  answers?: Array<{ seq: string; status: number; headers: Record<string, string>; body: string; bodyEncoding: 'utf8' | 'base64' }>;
}

/** A long-poll / poll answer. */
export interface PollResponse extends RelayHello {
  entries: RelayEntry[];
}

/** What `relay channel create|list|rotate-token` print (the token only when it was just made). */
export interface ChannelInfo {
  name: string;
  ingressUrl: string;
  subscribeUrl: string;
  respond: RespondMode;
  createdAt: string;
  token?: string;
}
