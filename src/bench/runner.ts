/**
 * Runs the bench: for each client count and strategy, a fresh provider process and a fresh
 * consumer process, the same seeded event stream, and the numbers of both sides combined.
 *
 * Strategies run one after another, not side by side: each then has the machine to itself, its
 * server CPU time is its own process's, and one strategy's load never shows up as another's latency.
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { pushConcurrency, type BenchConfig, type StrategyName } from './config.js';
import { CLOCK_DESCRIPTION, now } from './clock.js';
import { expectation, type Expectation } from './models.js';
import type { CdfPoints, ConsumerStats, FloorStats, ProcessCost, ProviderStats, StepConfig } from './protocol.js';
import { clockOffset, Worker } from './worker.js';

export interface StrategyResult {
  name: StrategyName;
  clients: number;
  events: number;
  /** Deliveries summed over clients: events × clients when nothing is lost. */
  delivered: number;
  expectedDeliveries: number;
  lost: number;
  /** Deliveries still on their way when the run was interrupted. */
  pending: number;
  duplicates: number;
  latencyMs: { mean: number; p50: number; p90: number; p99: number; max: number; min: number } | null;
  requests: number;
  emptyResponses: number;
  bytes: number;
  serverCpuMs: number;
  maxOpenConnections: number;
  /** Requests held open at the same time: parked long polls, open streams, deliveries in flight. */
  maxInFlight: number;
  durationMs: number;
  requestsPerSecond: number;
  serverCpuPercent: number;
  serverEventLoopUtilization: number;
  clientCpuMs: number;
  clientEventLoopUtilization: number;
  /** Loopback round trip measured in this step after idle gaps like the events' (the model's r). */
  loopbackMs: number;
  /** The same, back to back on a hot CPU. */
  loopbackHotMs: number;
  timeouts: number;
  retries: number;
  errors: number;
  skippedTicks: number;
  expected: Expectation;
  cdf: CdfPoints;
  /** Why this run's numbers are bounded by the machine rather than the strategy; empty when they are not. */
  saturation: string[];
  drained: boolean;
  interrupted: boolean;
}

export interface BenchResult {
  config: BenchConfig;
  clock: { source: string; maxOffsetMs: number; uncertaintyMs: number };
  loopback: FloorStats | null;
  strategies: StrategyResult[];
  interrupted: boolean;
  elapsedMs: number;
  /** Other load on the machine skews every figure; recorded so a reader can tell. */
  machine: { cpus: number; loadBefore: number; loadAfter: number };
}

export interface Progress {
  strategy: StrategyName;
  clients: number;
  step: number;
  steps: number;
  phase: 'starting' | 'running' | 'draining' | 'stopping';
  emitted: number;
  delivered: number;
  events: number;
  expectedDeliveries: number;
}

export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
}

class Interrupted extends Error {}

/** How long consumers get after the last event before what is missing counts as lost. */
export function drainTimeoutMs(config: BenchConfig, clients: number): number {
  const emission = (config.events / config.rate) * 1000;
  // A saturated server works through its backlog at some thousands of deliveries a second; half
  // a millisecond per delivery leaves room for that without waiting forever.
  const backlog = 0.5 * config.events * clients;
  return Math.max(10_000, 3 * config.intervalMs + 6 * config.latencyMs, 3 * emission, backlog);
}

export async function runBench(config: BenchConfig, options: RunOptions = {}): Promise<BenchResult> {
  const started = now();
  const loadBefore = loadavg()[0]!;
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const results: StrategyResult[] = [];
  let loopback: FloorStats | null = null;
  let maxOffsetMs = 0;
  let uncertaintyMs = 0;
  let interrupted = false;
  const plan = config.clients.flatMap((clients) => config.strategies.map((strategy) => ({ clients, strategy })));
  for (const [index, { clients, strategy }] of plan.entries()) {
    if (options.signal?.aborted) {
      interrupted = true;
      break;
    }
    const step: StepConfig = {
      strategy,
      clients,
      events: config.events,
      rate: config.rate,
      seed: config.seed,
      payloadSize: config.payloadSize,
      intervalMs: config.intervalMs,
      longPollTimeoutMs: config.longPollTimeoutMs,
      latencyMs: config.latencyMs,
      secret,
      pushConcurrency: pushConcurrency(config),
    };
    try {
      const outcome = await runStep(step, config, { ...options, index, steps: plan.length });
      results.push(outcome.result);
      loopback ??= outcome.floor;
      if (Math.abs(outcome.clock.offsetMs) > Math.abs(maxOffsetMs)) maxOffsetMs = outcome.clock.offsetMs;
      uncertaintyMs = Math.max(uncertaintyMs, outcome.clock.uncertaintyMs);
      if (outcome.result.interrupted) {
        interrupted = true;
        break;
      }
    } catch (error) {
      if (error instanceof Interrupted) {
        interrupted = true;
        break;
      }
      throw error;
    }
  }
  return {
    config,
    clock: { source: CLOCK_DESCRIPTION, maxOffsetMs, uncertaintyMs },
    loopback,
    strategies: results,
    interrupted,
    elapsedMs: now() - started,
    machine: { cpus: availableParallelism(), loadBefore, loadAfter: loadavg()[0]! },
  };
}

interface StepOutcome {
  result: StrategyResult;
  floor: FloorStats;
  clock: { offsetMs: number; uncertaintyMs: number };
}

async function runStep(step: StepConfig, config: BenchConfig, options: RunOptions & { index: number; steps: number }): Promise<StepOutcome> {
  const provider = new Worker('provider');
  const consumer = new Worker('consumer');
  const expectedDeliveries = step.events * step.clients;
  const progress: Progress = {
    strategy: step.strategy,
    clients: step.clients,
    step: options.index + 1,
    steps: options.steps,
    phase: 'starting',
    emitted: 0,
    delivered: 0,
    events: step.events,
    expectedDeliveries,
  };
  const report = () => options.onProgress?.({ ...progress });
  const aborted = new Promise<'aborted'>((resolve) => {
    if (options.signal?.aborted) resolve('aborted');
    options.signal?.addEventListener('abort', () => resolve('aborted'), { once: true });
  });
  const crashed = Promise.race([provider.died(), consumer.died()]);
  crashed.catch(() => {});
  // Setup steps can also be interrupted; then there is nothing measured to report for this step.
  const setup = async <T>(work: Promise<T>): Promise<T> => {
    const outcome = await Promise.race([work, aborted, crashed]);
    if (outcome === 'aborted') throw new Interrupted();
    return outcome as T;
  };
  try {
    report();
    const { url: serverUrl } = await setup(provider.request({ type: 'init', step }, 'ready'));
    const { url: listenerUrl } = await setup(consumer.request({ type: 'init', step, serverUrl: serverUrl! }, 'ready'));
    if (step.strategy === 'push') await setup(provider.request({ type: 'subscribers', url: listenerUrl! }, 'warmed', 120_000));
    const { floor: measured } = await setup(consumer.request({ type: 'warm' }, 'warmed', 120_000));
    const floor = measured!;
    const providerClock = await setup(clockOffset(provider, now));
    const consumerClock = await setup(clockOffset(consumer, now));
    const clock = {
      offsetMs: providerClock.offsetMs - consumerClock.offsetMs,
      uncertaintyMs: providerClock.uncertaintyMs + consumerClock.uncertaintyMs,
    };

    provider.on((message) => {
      if (message.type === 'progress') progress.emitted = message.count;
    });
    consumer.on((message) => {
      if (message.type === 'progress') {
        progress.delivered = message.count;
        report();
      }
    });
    const emitted = provider.request(null, 'emitted', 24 * 3_600_000).then((message) => {
      progress.phase = 'draining';
      report();
      return message;
    });
    emitted.catch(() => {});
    const done = consumer.request(null, 'done', 24 * 3_600_000);
    done.catch(() => {});

    // Consumers first, then the first event a little later: pollers are in their rhythm and long
    // polls are parked before anything happens, as in a system that has been running a while.
    const consumerStart = now() + 30;
    // Long enough for every client's first request to be out (a thousand take a while).
    const lead = Math.max(50, 3 * step.latencyMs) + 0.25 * step.clients;
    consumer.send({ type: 'start', at: consumerStart });
    provider.send({ type: 'start', at: consumerStart + lead });
    progress.phase = 'running';
    report();

    const drainMs = drainTimeoutMs(config, step.clients);
    const drained = emitted.then(
      () =>
        new Promise<'timeout'>((resolve) => {
          const timer = setTimeout(() => resolve('timeout'), drainMs);
          void done.then(() => clearTimeout(timer), () => clearTimeout(timer));
        }),
    );
    const outcome = await Promise.race([done.then(() => 'done' as const), drained, aborted, crashed]);
    progress.phase = 'stopping';
    report();

    const [providerReply, consumerReply] = await Promise.all([provider.request({ type: 'stop' }, 'stats', 30_000), consumer.request({ type: 'stop' }, 'stats', 30_000)]);
    const stopAt = now();
    const providerStats = providerReply.provider!;
    const consumerStats = consumerReply.consumer!;
    const end = consumerStats.doneAt ?? stopAt;
    const result = combine(step, config, providerStats, consumerStats, floor, {
      durationMs: end - consumerStart,
      drained: outcome === 'done',
      interrupted: outcome === 'aborted',
      drainMs,
      leadMs: lead,
    });
    return { result, floor, clock };
  } finally {
    provider.kill();
    consumer.kill();
  }
}

function combine(
  step: StepConfig,
  config: BenchConfig,
  provider: ProviderStats,
  consumer: ConsumerStats,
  floor: FloorStats,
  run: { durationMs: number; drained: boolean; interrupted: boolean; drainMs: number; leadMs: number },
): StrategyResult {
  const push = step.strategy === 'push';
  const wire = push ? consumer.wire! : provider.wire;
  const serverCpuMs = provider.cost.cpuUserMs + provider.cost.cpuSystemMs;
  const expectedDeliveries = provider.emitted * step.clients;
  const latency = consumer.latency;
  const durationSeconds = Math.max(run.durationMs, 1) / 1000;
  const saturation: string[] = [];
  // Busy wall time the process did not spend on a CPU was spent waiting for one: other load.
  const starved = (cost: ProcessCost) => {
    const cpuShare = (cost.cpuUserMs + cost.cpuSystemMs) / Math.max(run.durationMs, 1);
    return cpuShare < cost.elu * 0.6 ? ` (but only ${Math.round(cpuShare * 100)}% of a core in CPU time: it was mostly waiting for a CPU, i.e. other load on this machine)` : '';
  };
  if (provider.cost.elu >= 0.9) saturation.push(`provider saturated: its event loop was ${Math.round(provider.cost.elu * 100)}% busy${starved(provider.cost)}`);
  if (consumer.cost.elu >= 0.9) saturation.push(`consumers saturated: their event loop was ${Math.round(consumer.cost.elu * 100)}% busy, so latencies include time queued on the client side${starved(consumer.cost)}`);
  if (!run.drained && !run.interrupted) saturation.push(`not drained: ${expectedDeliveries - consumer.delivered} deliveries missing ${Math.round(run.drainMs / 1000)}s after the last event`);
  if (consumer.skippedTicks > 0) saturation.push(`${consumer.skippedTicks} poll ticks missed because a poll took longer than the interval`);
  if (provider.failedDeliveries > 0) saturation.push(`${provider.failedDeliveries} webhook deliveries failed after retries`);
  const model = expectation({
    strategy: step.strategy,
    rate: config.rate,
    intervalMs: config.intervalMs,
    longPollTimeoutMs: config.longPollTimeoutMs,
    clients: step.clients,
    events: provider.emitted,
    windowMs: run.durationMs,
    latencyMs: config.latencyMs,
    loopbackMs: floor.idleP50,
    leadMs: run.leadMs,
  });
  // Far above the model means requests waited in a queue somewhere: the machine, not the strategy.
  if (latency && latency.mean > 3 * model.latencyMs.mean && latency.mean - model.latencyMs.mean > 5 && saturation.length === 0) {
    saturation.push(`queueing: mean latency ${(latency.mean / model.latencyMs.mean).toFixed(0)}× the model; the provider (${Math.round(provider.cost.elu * 100)}% busy) or the consumers (${Math.round(consumer.cost.elu * 100)}% busy) could not keep up on this machine`);
  }
  return {
    name: step.strategy,
    clients: step.clients,
    events: provider.emitted,
    delivered: consumer.delivered,
    expectedDeliveries,
    // Stopped by Ctrl-C, what was still on its way is pending, not lost.
    lost: run.interrupted ? 0 : Math.max(0, expectedDeliveries - consumer.delivered),
    pending: run.interrupted ? Math.max(0, expectedDeliveries - consumer.delivered) : 0,
    duplicates: consumer.duplicates,
    latencyMs: latency ? { mean: latency.mean, p50: latency.p50, p90: latency.p90, p99: latency.p99, max: latency.max, min: latency.min } : null,
    requests: provider.requests,
    emptyResponses: provider.emptyResponses,
    bytes: wire.bytes,
    serverCpuMs,
    maxOpenConnections: wire.maxOpenConnections,
    maxInFlight: provider.maxInFlight,
    durationMs: run.durationMs,
    requestsPerSecond: provider.requests / durationSeconds,
    serverCpuPercent: (serverCpuMs / run.durationMs) * 100,
    serverEventLoopUtilization: provider.cost.elu,
    clientCpuMs: consumer.cost.cpuUserMs + consumer.cost.cpuSystemMs,
    clientEventLoopUtilization: consumer.cost.elu,
    loopbackMs: floor.idleP50,
    loopbackHotMs: floor.p50,
    timeouts: provider.timeouts,
    retries: provider.retries,
    errors: consumer.errors,
    skippedTicks: consumer.skippedTicks,
    expected: model,
    cdf: consumer.cdf,
    saturation,
    drained: run.drained,
    interrupted: run.interrupted,
  };
}
