/**
 * Executes a replay plan as it streams in: up to `concurrency` deliveries in flight, `delayMs`
 * between starts, each through the shared delivery core (retries, timeouts, Retry-After). Nothing
 * is kept per delivery beyond the callbacks, so a journal of any size replays in constant memory.
 * Aborting stops starting new deliveries and interrupts those in flight; the rest is counted.
 */
import type { Dispatcher } from 'undici';
import { deliver, type Attempt, type DeliveryOutcome, type RetryPolicy } from '../delivery/index.js';
import { formatBytes } from '../text/bytes.js';
import type { PlanInvalid, PlanItem, PlanStep } from './plan.js';

export interface StepResult {
  step: PlanStep;
  ok: boolean;
  /** Status of the last attempt, null when there was no answer. */
  status: number | null;
  /** From the first attempt to the outcome, retries included. */
  ms: number;
  attempts: number;
  /** Why it failed, in a few words (network error, refusal with the receiver's own words). */
  error: string | null;
  interrupted: boolean;
  outcome: DeliveryOutcome;
}

export interface ExecuteOptions {
  policy: RetryPolicy;
  dispatcher?: Dispatcher;
  signal?: AbortSignal;
  concurrency: number;
  delayMs: number;
  onAttempt?(step: PlanStep, attempt: Attempt): void;
  onResult?(result: StepResult): void;
  /** An item that cannot be sent (unreadable file, no scheme): reported in order, counted as failed. */
  onInvalid?(item: PlanInvalid): void;
}

export interface ExecuteSummary {
  /** Every item seen: sent, failed, invalid, cut short and not sent. */
  total: number;
  ok: number;
  /** Failed deliveries and invalid items (interrupted ones not included). */
  failed: number;
  /** In flight when interrupted. */
  cutShort: number;
  /** Never started because of an interruption. */
  notSent: number;
  interrupted: boolean;
}

/** A one-line reason for a failed outcome. */
export function failureReason(outcome: DeliveryOutcome, bytes: number): string | null {
  if (outcome.delivered) return null;
  if (outcome.interrupted) return 'interrupted';
  const last = outcome.attempts[outcome.attempts.length - 1];
  if (!last) return 'not sent';
  if (last.error) return last.error;
  if (last.status === 413) return `the target refused the ${formatBytes(bytes)} body as too large (413); raise its body limit`;
  const snippet = last.responseSnippet?.replace(/\s+/g, ' ').trim();
  return `answered ${last.status}${snippet ? `: ${snippet.length > 160 ? `${snippet.slice(0, 160)}…` : snippet}` : ''}`;
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

async function sendStep(step: PlanStep, options: ExecuteOptions): Promise<StepResult> {
  const request = step.request;
  const started = performance.now();
  let outcome: DeliveryOutcome;
  let error: string | null;
  try {
    if (!request) throw new Error('nothing to send: the plan was made for a dry run');
    outcome = await deliver((attempt) => request.prepare(attempt), options.policy, {
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      onAttempt: (attempt) => options.onAttempt?.(step, attempt),
    });
    error = failureReason(outcome, step.bytes);
  } catch (thrown) {
    // Signing or building this one request failed: this step fails, the rest go on.
    outcome = { delivered: false, attempts: [], status: null };
    error = thrown instanceof Error ? thrown.message : String(thrown);
  }
  return {
    step,
    ok: outcome.delivered,
    status: outcome.status,
    ms: Math.round(performance.now() - started),
    attempts: outcome.attempts.length,
    error,
    interrupted: Boolean(outcome.interrupted),
    outcome,
  };
}

export async function executePlan(items: AsyncIterable<PlanItem> | Iterable<PlanItem>, options: ExecuteOptions): Promise<ExecuteSummary> {
  const summary: ExecuteSummary = { total: 0, ok: 0, failed: 0, cutShort: 0, notSent: 0, interrupted: false };
  const inFlight = new Set<Promise<void>>();
  const concurrency = Math.max(1, options.concurrency);
  const { signal } = options;
  let started = 0;
  // An item that fails before sending is reported after the deliveries started before it, so the
  // report reads in file and line order (with concurrency 1, exactly).
  let invalidReported: Promise<unknown> = Promise.resolve();

  for await (const item of items) {
    summary.total++;
    if (item.kind === 'invalid') {
      summary.failed++;
      invalidReported = Promise.all([invalidReported, ...inFlight]).then(() => options.onInvalid?.(item));
      continue;
    }
    if (signal?.aborted) {
      // Keep reading so the summary can say how many were not sent.
      summary.notSent++;
      continue;
    }
    while (inFlight.size >= concurrency) await Promise.race(inFlight);
    if (started > 0 && options.delayMs > 0) await pause(options.delayMs, signal);
    if (signal?.aborted) {
      summary.notSent++;
      continue;
    }
    started++;
    const task = sendStep(item, options).then((result) => {
      if (result.ok) summary.ok++;
      else if (result.interrupted) summary.cutShort++;
      else summary.failed++;
      options.onResult?.(result);
    });
    const tracked = task.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  }
  await Promise.all(inFlight);
  await invalidReported;
  summary.interrupted = Boolean(signal?.aborted);
  return summary;
}
