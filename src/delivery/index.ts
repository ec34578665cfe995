/**
 * The delivery core: retry policy, keep-alive dispatcher and `deliver`. Knows nothing of the
 * terminal; `send`, listen's forwarding and replay build on it.
 */
export { DEFAULT_MAX_RETRY_AFTER_MS, DEFAULT_RETRY_SCHEDULE_MS, DEFAULT_TIMEOUT_MS, RETRY_PRESETS, STANDARD_JITTER, parseRetrySchedule, retryPolicyFromFlags, scheduledWaitMs } from './policy.js';
export type { RetryPolicy, RetryFlags } from './policy.js';
export { createDispatcher } from './dispatcher.js';
export { abortableWait, deliver, describeNetworkError, MAX_TIMER_MS, watchAbort } from './deliver.js';
export type { Attempt, AttemptLimiter, DeliverOptions, DeliveryOutcome, PreparedRequest } from './deliver.js';
export { isDelivered, isRetryable, parseRetryAfter } from './retry-after.js';
