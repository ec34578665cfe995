import { jsonBody } from '../common.js';
import { safeEqual, utf8 } from '../crypto.js';

export function json(body: Uint8Array): Record<string, unknown> | undefined {
  const value = jsonBody(body);
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/**
 * Whether the body holds this text: a byte search, so the challenge handshakes cost a delivery
 * that is not one (a push payload of hundreds of KB) no JSON parse.
 */
export function mentions(body: Uint8Array, text: string): boolean {
  if (body.byteLength > MAX_CHALLENGE_BYTES) return false;
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength).indexOf(text, 0, 'utf8') >= 0;
}

/** Challenges are small (Slack's and Zoom's ~150 bytes): a larger body is a delivery, never searched. */
const MAX_CHALLENGE_BYTES = 8 * 1024;

export function query(url: string): URLSearchParams {
  const q = url.indexOf('?');
  return new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
}

/** Whether `token` is one of the secrets (constant-time per secret). */
export function isOneOf(token: string, secrets: readonly string[]): boolean {
  let found = false;
  for (const secret of secrets) found = safeEqual(utf8(secret), utf8(token)) || found;
  return found;
}

/** A challenge value fit to echo: printable, bounded (it goes back to the sender as is). */
export function echoable(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 2048 && !/[\r\n\0]/.test(value);
}

export const TEXT = 'text/plain; charset=utf-8';
export const JSON_TYPE = 'application/json';
