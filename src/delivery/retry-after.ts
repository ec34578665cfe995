/**
 * Retry-After as milliseconds from now: delta-seconds ("120") or an HTTP date. Undefined when absent
 * or unreadable; a date in the past is 0.
 */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number = Date.now()): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  // Finite whatever the digits say ("9".repeat(400) is Infinity): the policy's cap then applies.
  if (/^\d+(\.\d+)?$/.test(text)) return Math.min(Number.MAX_SAFE_INTEGER, Math.round(Number(text) * 1000));
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** Network errors, timeouts (status null), 5xx, 408 and 429 are worth another try; other answers are final. */
export function isRetryable(status: number | null): boolean {
  if (status === null) return true;
  return status >= 500 || status === 408 || status === 429;
}

export function isDelivered(status: number | null): boolean {
  return status !== null && status >= 200 && status < 300;
}
