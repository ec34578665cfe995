/** What both forwarding engines (the Redis worker and the listener's outbox) record of a route's attempt. */
import type { Attempt } from '../delivery/deliver.js';
import { isRetryable } from '../delivery/retry-after.js';

/** The attempt's failure in words: the network error, or the status and the start of the app's answer. */
export function attemptError(attempt: Attempt): string {
  if (attempt.error) return attempt.error;
  const snippet = attempt.responseSnippet?.replace(/\s+/g, ' ').trim();
  return `HTTP ${attempt.status}${snippet ? `: ${snippet.slice(0, 200)}` : ''}`;
}

/** Why a forward that will not be tried again died: its schedule ran out, or the app refused it for good (a 4xx not worth retrying). */
export function deadReason(status: number | null): 'exhausted' | 'refused' {
  return isRetryable(status) ? 'exhausted' : 'refused';
}
