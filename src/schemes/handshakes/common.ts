import { jsonBody } from '../common.js';
import { safeEqual, utf8 } from '../crypto.js';

export function json(body: Uint8Array): Record<string, unknown> | undefined {
  const value = jsonBody(body);
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

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
