import type { Dispatcher } from 'undici';
import { deliver, type Attempt, type DeliveryOutcome, type RetryPolicy } from '../delivery/index.js';
import { createPreparer, type OutgoingEvent, type SendPlan } from './event.js';

export interface EventResult {
  event: OutgoingEvent;
  outcome: DeliveryOutcome;
}

export interface SequenceOptions {
  policy: RetryPolicy;
  dispatcher: Dispatcher;
  signal?: AbortSignal;
  onStart?(event: OutgoingEvent, index: number): void;
  onAttempt?(event: OutgoingEvent, attempt: Attempt): void;
  onWait?(event: OutgoingEvent, ms: number, nextAttempt: number): void;
  onResult?(event: OutgoingEvent, outcome: DeliveryOutcome): void;
}

export interface SequenceResult {
  results: EventResult[];
  /** Events never started because of an interruption. */
  notSent: OutgoingEvent[];
  interrupted: boolean;
}

/** Delivers events one after another, each under the retry policy, stopping on the signal. */
export async function sendSequence(plan: SendPlan, events: readonly OutgoingEvent[], options: SequenceOptions): Promise<SequenceResult> {
  const prepareFor = createPreparer(plan);
  const results: EventResult[] = [];
  for (const [index, event] of events.entries()) {
    if (options.signal?.aborted) return { results, notSent: events.slice(index), interrupted: true };
    options.onStart?.(event, index);
    const outcome = await deliver(prepareFor(event), options.policy, {
      dispatcher: options.dispatcher,
      ...(options.signal ? { signal: options.signal } : {}),
      onAttempt: (attempt) => options.onAttempt?.(event, attempt),
      onWait: (ms, next) => options.onWait?.(event, ms, next),
    });
    results.push({ event, outcome });
    options.onResult?.(event, outcome);
    if (outcome.interrupted) return { results, notSent: events.slice(index + 1), interrupted: true };
  }
  return { results, notSent: [], interrupted: false };
}
