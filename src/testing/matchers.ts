/**
 * Two matchers for vitest and jest, over anything a webhook test gets back: a `Response`, the
 * result of `send`, a supertest or Fastify `inject` response, or a receiver's delivery.
 *
 *   import { webhookMatchers, type WebhookMatchers } from 'hookctl/testing';
 *   expect.extend(webhookMatchers);
 *   declare module 'vitest' { interface Assertion<T = any> extends WebhookMatchers<T> {} }
 */

/** The matchers' types, to merge into your runner's `Assertion` (vitest) or `Matchers` (jest). */
export interface WebhookMatchers<R = unknown> {
  /**
   * A 2xx answer (a `Response`, `send`'s result, supertest, Fastify `inject`), or a receiver's
   * delivery that verified and was answered 2xx.
   */
  toBeAcceptedWebhook(): R;
  /**
   * A 4xx answer (this status, when given), or a receiver's delivery that did not verify (for
   * this reason, when given: `'signature_mismatch'`, `'timestamp_outside_tolerance'`…).
   */
  toBeRefusedWebhook(expected?: number | string): R;
}

interface MatcherResult {
  pass: boolean;
  message(): string;
}

interface Seen {
  status: number | null | undefined;
  /** A receiver's delivery: whether it verified, and why not. */
  verified?: boolean | null;
  reason?: string | null;
  detail: string;
}

function describeReceived(received: unknown): Seen {
  if (received === null || typeof received !== 'object') return { status: undefined, detail: `got ${String(received)}, not a response or a delivery` };
  const value = received as Record<string, unknown>;
  const status = typeof value.status === 'number' || value.status === null ? (value.status as number | null) : typeof value.statusCode === 'number' ? value.statusCode : undefined;
  const body = typeof value.body === 'string' ? value.body : typeof value.text === 'string' ? value.text : typeof value.payload === 'string' ? value.payload : undefined;
  if (value.type === 'delivery' && 'verified' in value) {
    const why = value.verified === false ? `not verified: ${String(value.reason)}${value.message ? ` (${String(value.message)})` : ''}${value.diagnosis ? `; likely cause: ${String(value.diagnosis)}` : ''}` : value.verified === null ? 'not verified (the receiver has no secret)' : 'verified';
    return { status, verified: value.verified as boolean | null, reason: value.reason as string | null, detail: `a delivery answered ${status ?? 'with no answer'}, ${why}` };
  }
  const answer = status === undefined ? 'no status' : status === null ? 'no answer' : `status ${status}`;
  return { status, detail: `${answer}${body ? `, body: ${body.length > 300 ? `${body.slice(0, 300)}…` : body}` : ''}` };
}

function isStatus(status: number | null | undefined, low: number, high: number): boolean {
  return typeof status === 'number' && status >= low && status <= high;
}

/** Pass to `expect.extend` (vitest or jest). */
export const webhookMatchers = {
  toBeAcceptedWebhook(received: unknown): MatcherResult {
    const seen = describeReceived(received);
    const pass = isStatus(seen.status, 200, 299) && seen.verified !== false;
    return { pass, message: () => (pass ? `expected the webhook to be refused, but it was accepted: ${seen.detail}` : `expected the webhook to be accepted, but: ${seen.detail}`) };
  },

  toBeRefusedWebhook(received: unknown, expected?: number | string): MatcherResult {
    const seen = describeReceived(received);
    let pass: boolean;
    if (seen.verified !== undefined) pass = seen.verified === false && (typeof expected !== 'string' || seen.reason === expected) && (typeof expected !== 'number' || seen.status === expected);
    else pass = typeof expected === 'number' ? seen.status === expected : isStatus(seen.status, 400, 499);
    const wanted = expected === undefined ? '' : ` (${expected})`;
    return { pass, message: () => (pass ? `expected the webhook not to be refused${wanted}, but: ${seen.detail}` : `expected the webhook to be refused${wanted}, but: ${seen.detail}`) };
  },
};
