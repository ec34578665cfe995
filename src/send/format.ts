import { STATUS_CODES } from 'node:http';
import type { Attempt } from '../delivery/index.js';
import { formatDuration } from '../text/duration.js';

export function formatStatus(status: number | null, error: string | null): string {
  if (status === null) return error ?? 'no answer';
  const text = STATUS_CODES[status];
  return text ? `${status} ${text}` : String(status);
}

/** The receiver's explanation of a refusal, on one line and short. */
export function snippetOf(attempt: Attempt): string | undefined {
  let text = attempt.responseSnippet?.replace(/\s+/g, ' ').trim();
  if (!text) return undefined;
  // hookctl listen (and many receivers) answer {"error": "...", "reason": "code"}: the code first.
  try {
    const body = JSON.parse(text) as { error?: unknown; reason?: unknown };
    if (typeof body.reason === 'string') text = `${body.reason}${typeof body.error === 'string' ? `: ${body.error}` : ''}`;
  } catch {
    // not JSON, or cut off: shown as it is
  }
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

/** Rounds for display: 0.43 -> "0.43", 12.3456 -> "12.3", 1234.5 -> "1235". */
export function formatMs(ms: number): string {
  if (ms < 10) return `${Math.round(ms * 100) / 100}ms`;
  if (ms < 100) return `${Math.round(ms * 10) / 10}ms`;
  return `${Math.round(ms)}ms`;
}

/**
 * What the receiver's Retry-After asked for, and what hookctl made of it when the ask was longer
 * than --max-retry-after: "Retry-After 24h, capped at 10m (--max-retry-after)". Undefined when the
 * answer carried none. The values are the receiver's and the cap's, before any --time-scale.
 */
export function retryAfterText(attempt: Pick<Attempt, 'retryAfterMs' | 'retryAfterCappedMs'>): string | undefined {
  if (attempt.retryAfterMs === undefined) return undefined;
  const asked = `Retry-After ${formatDuration(attempt.retryAfterMs)}`;
  if (attempt.retryAfterCappedMs === undefined) return asked;
  if (attempt.retryAfterCappedMs === 0) return `${asked}, ignored (--max-retry-after 0)`;
  return `${asked}, capped at ${formatDuration(attempt.retryAfterCappedMs)} (--max-retry-after)`;
}
