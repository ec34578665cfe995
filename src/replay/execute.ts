/**
 * Executes a replay plan: up to `concurrency` deliveries in flight, `delayMs` between starts, each
 * through the shared delivery core (retries, timeouts, Retry-After). Aborting stops starting new
 * ones and interrupts those in flight; what was done is returned.
 */
import type { Dispatcher } from 'undici';
import { deliver, type Attempt, type DeliveryOutcome, type RetryPolicy } from '../delivery/index.js';
import type { PlanStep } from './plan.js';

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
}

export interface ExecuteSummary {
  results: StepResult[];
  /** Steps never started because of an interruption. */
  notStarted: PlanStep[];
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
  return `answered ${last.status}${snippet ? `: ${snippet.slice(0, 160)}` : ''}`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
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

export async function executePlan(steps: readonly PlanStep[], options: ExecuteOptions): Promise<ExecuteSummary> {
  const results: StepResult[] = [];
  const notStarted: PlanStep[] = [];
  const inFlight = new Set<Promise<void>>();
  const concurrency = Math.max(1, options.concurrency);
  const { signal } = options;

  const run = async (step: PlanStep): Promise<void> => {
    const request = step.request;
    if (!request) throw new Error(`replay step ${step.index} has no request (dry run plan executed)`);
    const started = performance.now();
    let outcome: DeliveryOutcome;
    let error: string | null;
    try {
      outcome = await deliver((attempt) => request.prepare(attempt), options.policy, {
        ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
        ...(signal ? { signal } : {}),
        onAttempt: (attempt) => options.onAttempt?.(step, attempt),
      });
      error = failureReason(outcome, step.bytes);
    } catch (thrown) {
      // Signing or building this one request failed (e.g. an invalid URL): this step fails, the rest go on.
      outcome = { delivered: false, attempts: [], status: null };
      error = thrown instanceof Error ? thrown.message : String(thrown);
    }
    const result: StepResult = {
      step,
      ok: outcome.delivered,
      status: outcome.status,
      ms: Math.round(performance.now() - started),
      attempts: outcome.attempts.length,
      error,
      interrupted: Boolean(outcome.interrupted),
      outcome,
    };
    results.push(result);
    options.onResult?.(result);
  };

  for (const [position, step] of steps.entries()) {
    if (signal?.aborted) {
      notStarted.push(...steps.slice(position));
      break;
    }
    while (inFlight.size >= concurrency) await Promise.race(inFlight);
    if (position > 0 && options.delayMs > 0) await pause(options.delayMs, signal);
    if (signal?.aborted) {
      notStarted.push(...steps.slice(position));
      break;
    }
    const task = run(step).finally(() => inFlight.delete(task));
    inFlight.add(task);
  }
  await Promise.all(inFlight);
  return { results, notStarted, interrupted: Boolean(signal?.aborted) };
}
