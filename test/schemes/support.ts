import { createRequire } from 'node:module';
import { getScheme } from '../../src/schemes/registry.js';
import type { HeaderMap, OutgoingHeaders, SchemeOptions, VerifyInput, VerifyResult } from '../../src/schemes/types.js';

const require = createRequire(import.meta.url);

/** A fixed clock for every test: 2026-11-23T10:00:00.750Z: the sub-second part makes rounding (instead of the libraries' floor) fail the boundary tests. */
export const NOW_S = 1_795_600_800;
export const NOW_MS = NOW_S * 1000 + 750;

export function lower(headers: OutgoingHeaders | HeaderMap): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) if (value !== undefined) out[key.toLowerCase()] = String(value);
  return out;
}

export interface Check {
  scheme: string;
  body: Uint8Array | string;
  headers: HeaderMap;
  secrets: string | string[];
  nowMs?: number;
  toleranceSeconds?: number;
  url?: string;
  options?: SchemeOptions;
}

export function input(check: Check): VerifyInput {
  return {
    body: typeof check.body === 'string' ? Buffer.from(check.body, 'utf8') : check.body,
    headers: check.headers,
    secrets: [check.secrets].flat(),
    toleranceSeconds: check.toleranceSeconds ?? 300,
    nowMs: check.nowMs ?? NOW_MS,
    ...(check.url !== undefined ? { url: check.url } : {}),
  };
}

/** Our verification of one request. */
export function ours(check: Check): VerifyResult {
  return getScheme(check.scheme, check.options).verify(input(check));
}

/** Our signature headers for a body. */
export function sign(
  scheme: string,
  body: Uint8Array | string,
  secret: string,
  { timestamp = NOW_S, id = 'msg_p5jXN8AQM9LWM0D4loKWxJek', url, options }: { timestamp?: number; id?: string; url?: string; options?: SchemeOptions } = {},
): OutgoingHeaders {
  return getScheme(scheme, options).sign({
    body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
    secret,
    timestamp,
    id,
    ...(url !== undefined ? { url } : {}),
  });
}

/** Official libraries that ship CommonJS only, loaded from their webhook modules (not their heavy roots). */
export const boltVerify = (require('@slack/bolt/dist/receivers/verify-request.js') as typeof import('@slack/bolt/dist/receivers/verify-request.js')).verifySlackRequest;
export const twilioWebhooks = require('twilio/lib/webhooks/webhooks.js') as typeof import('twilio/lib/webhooks/webhooks.js');

/** Runs `fn` with Date.now() returning `ms`; standardwebhooks has no clock parameter. */
export function atTime<T>(ms: number, fn: () => T): T {
  const real = Date.now;
  Date.now = () => ms;
  try {
    return fn();
  } finally {
    Date.now = real;
  }
}

/** True when fn returns without throwing. */
export function passes(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch {
    return false;
  }
}
