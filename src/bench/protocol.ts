import type { StrategyName } from './config.js';

/**
 * Messages between the runner (parent) and its two child processes: the provider (event server and
 * webhook sender) and the consumers. Plain JSON over the fork IPC channel.
 */
export interface StepConfig {
  strategy: StrategyName;
  clients: number;
  events: number;
  rate: number;
  seed: number;
  payloadSize: number;
  intervalMs: number;
  longPollTimeoutMs: number;
  latencyMs: number;
  /** Standard Webhooks secret for this run; travels over IPC only, never printed. */
  secret: string;
  /** Parallel deliveries per subscriber, as a provider's per-endpoint worker pool. */
  pushConcurrency: number;
}

export interface LatencySummary {
  count: number;
  mean: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** [latency ms, fraction of deliveries at or below it] pairs, ascending. */
export type CdfPoints = Array<[number, number]>;

export interface ProcessCost {
  cpuUserMs: number;
  cpuSystemMs: number;
  /** Event-loop utilisation over the measured window, 0..1: near 1 means the process was saturated. */
  elu: number;
}

/** What the process hosting the HTTP server of a strategy saw on its sockets. */
export interface WireStats {
  bytes: number;
  maxOpenConnections: number;
  connectionsOpened: number;
}

export interface ProviderStats {
  emitted: number;
  firstCreated: number | null;
  lastCreated: number | null;
  /** Poll requests answered, streams opened, or webhook attempts sent (push). */
  requests: number;
  emptyResponses: number;
  timeouts: number;
  retries: number;
  failedDeliveries: number;
  maxInFlight: number;
  wire: WireStats;
  cost: ProcessCost;
}

export interface FloorStats {
  /** Back-to-back requests over a warm connection. */
  samples: number;
  min: number;
  p50: number;
  p90: number;
  /** Requests after idle gaps like those between events: includes waking the processes up. */
  idleGapMs: number;
  idleSamples: number;
  idleP50: number;
  idleP90: number;
}

export interface ConsumerStats {
  delivered: number;
  duplicates: number;
  unknown: number;
  rejected: number;
  completeClients: number;
  latency: LatencySummary | null;
  cdf: CdfPoints;
  /** Requests the clients made (polls) or webhooks the listener accepted (push). */
  requests: number;
  emptyResponses: number;
  errors: number;
  skippedTicks: number;
  negativeLatencies: number;
  doneAt: number | null;
  /** Listener sockets (push only). */
  wire: WireStats | null;
  cost: ProcessCost;
}

export type ParentMessage =
  | { type: 'init'; step: StepConfig; serverUrl?: string }
  | { type: 'subscribers'; url: string }
  | { type: 'warm' }
  | { type: 'start'; at: number }
  | { type: 'stop' }
  | { type: 'clock'; t0: number };

export type ChildMessage =
  | { type: 'ready'; url: string | null }
  | { type: 'warmed'; floor?: FloorStats }
  | { type: 'progress'; count: number }
  | { type: 'emitted'; at: number }
  | { type: 'done'; at: number }
  | { type: 'stats'; provider?: ProviderStats; consumer?: ConsumerStats }
  | { type: 'clock'; t0: number; t1: number }
  | { type: 'error'; message: string };
