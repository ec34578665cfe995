/**
 * Deliveries for the inspector's tests: records signed by the real schemes (valid, tampered,
 * re-serialized on the way), journals on disk, a live listener's Delivery objects, and inspectors
 * started in-process on port 0.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliProcess } from '../helpers/cli.js';
import { inspectCaptures, inspectLive, type CapturesInspector, type LiveInspector } from '../../src/inspector/index.js';
import type { Delivery } from '../../src/listen/types.js';
import { encodeBody, newCaptureId, RECORD_FORMAT, toJournalLine, type DeliveryRecord } from '../../src/records/record.js';
import { getScheme, verifyWith } from '../../src/schemes/registry.js';
import { signRequest } from '../../src/schemes/sign-request.js';

export const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
export const SETTINGS = { secrets: [SECRET], scheme: 'auto', schemeOptions: {}, toleranceSeconds: 300 };

const cleanups: Array<() => unknown> = [];

export async function cleanup(): Promise<void> {
  while (cleanups.length > 0) await cleanups.pop()!();
}

/** Runs `stop` after the test (cleanup()), before what was registered earlier. */
export function afterTest(stop: () => unknown): void {
  cleanups.push(stop);
}

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hookctl-inspector-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface RecordOptions {
  scheme?: string;
  /** The body the sender signed. */
  body?: string | Buffer;
  /** What arrived, when it differs from what was signed (tampered, re-serialized). */
  arrived?: string | Buffer;
  secret?: string;
  eventId?: string;
  eventType?: string;
  path?: string;
  capturedAt?: Date;
  headers?: Record<string, string>;
  duplicate?: boolean;
}

let counter = 0;

/** A captured delivery signed by a real scheme, with verified/reason as the listener would record them. */
export function signedRecord(options: RecordOptions = {}): DeliveryRecord {
  counter++;
  const scheme = getScheme(options.scheme ?? 'stripe');
  const eventId = options.eventId ?? `evt_test_${counter}`;
  const eventType = options.eventType ?? 'invoice.paid';
  const signedBody = Buffer.from(options.body ?? JSON.stringify({ id: eventId, object: 'event', type: eventType, data: { object: { amount: 1200 + counter, currency: 'eur' } } }));
  const arrived = options.arrived === undefined ? signedBody : Buffer.from(options.arrived);
  const capturedAt = options.capturedAt ?? new Date();
  const signed = signRequest(scheme, { body: signedBody, secret: options.secret ?? SECRET, timestamp: Math.floor(capturedAt.getTime() / 1000), id: eventId, type: eventType });
  const headers: Record<string, string> = { host: '127.0.0.1:8787', 'content-length': String(arrived.length) };
  for (const [name, value] of Object.entries(signed.headers)) headers[name.toLowerCase()] = value;
  Object.assign(headers, options.headers ?? {});
  const { result } = verifyWith(scheme.name, { body: arrived, headers, secrets: [SECRET], toleranceSeconds: 300, nowMs: capturedAt.getTime() });
  return {
    format: RECORD_FORMAT,
    id: newCaptureId(capturedAt),
    capturedAt: capturedAt.toISOString(),
    receivedAt: 'http://127.0.0.1:8787/',
    method: 'POST',
    path: options.path ?? `/webhooks/${scheme.name}`,
    headers,
    ...encodeBody(arrived),
    scheme: scheme.name,
    eventId: scheme.eventId(headers, arrived) ?? eventId,
    eventType,
    verified: result.verified,
    reason: result.reason,
    duplicate: options.duplicate ?? false,
  };
}

export function writeJournal(dir: string, records: DeliveryRecord[], name = 'deliveries.ndjson'): string {
  const path = join(dir, name);
  writeFileSync(path, records.map((record) => `${toJournalLine(record)}\n`).join(''));
  return path;
}

/** What the listener reports for a record, as if it had just arrived. */
export function deliveryFrom(record: DeliveryRecord, extra: Partial<Delivery> = {}): Delivery {
  const body = Buffer.from(record.body, record.bodyEncoding === 'base64' ? 'base64' : 'utf8');
  const { result } = verifyWith(record.scheme ?? 'auto', { body, headers: record.headers, secrets: [SECRET], toleranceSeconds: 300, nowMs: Date.parse(record.capturedAt) });
  return {
    id: record.id,
    receivedAt: new Date(record.capturedAt),
    method: record.method,
    path: record.path,
    headers: record.headers,
    body,
    bytes: body.length,
    scheme: record.scheme,
    eventId: record.eventId,
    eventType: record.eventType,
    idempotencyKey: record.eventId,
    verified: result.verified,
    reason: result.reason,
    verification: result,
    duplicate: record.duplicate,
    status: result.verified ? 200 : 401,
    reset: false,
    injected: false,
    note: null,
    capture: null,
    forward: null,
    forwardQueued: false,
    ms: 1,
    ...extra,
  };
}

/** An inspector over files, in this process, on a free port; closed after the test. */
export async function inspectFiles(paths: string[], options: Partial<Parameters<typeof inspectCaptures>[1]> = {}): Promise<CapturesInspector> {
  const inspector = await inspectCaptures(paths, { port: 0, follow: false, settings: SETTINGS, ...options });
  cleanups.push(() => inspector.close());
  return inspector;
}

/** An inspector fed like a running listener, in this process, on a free port; closed after the test. */
export async function inspectFeed(options: Partial<Parameters<typeof inspectLive>[0]> = {}): Promise<LiveInspector> {
  const inspector = await inspectLive({ port: 0, listenerUrl: 'http://127.0.0.1:8787/', settings: SETTINGS, ...options });
  cleanups.push(() => inspector.close());
  return inspector;
}

/** A call to the inspector's API with its token (and, for POSTs, its own Origin, as the page sends). */
export async function api(inspector: { origin: string; token: string }, path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<{ status: number; body: any; text: string; headers: Headers }> {
  const headers: Record<string, string> = { 'x-hookctl-token': inspector.token, ...(init.body !== undefined ? { 'content-type': 'application/json', origin: inspector.origin } : {}), ...init.headers };
  const response = await fetch(`${inspector.origin}${path}`, { method: init.method ?? (init.body !== undefined ? 'POST' : 'GET'), headers, ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}) });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, body, text, headers: response.headers };
}

/** Waits until `check` passes (it throws until then), polling on the event loop; no fixed sleeps. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

export interface Listening {
  type: 'listening';
  url: string;
  uiUrl?: string;
  capture: string | null;
}

/** The real `hookctl listen --json` on a free port; stopped after the test. */
export async function hookctlListen(args: string[]): Promise<{ cli: CliProcess; url: string; listening: Listening }> {
  const cli = new CliProcess(['listen', '--port', '0', '--json', ...args]);
  cleanups.push(() => cli.stop('SIGKILL'));
  const listening = await cli.waitForRecord<Listening>((record) => record.type === 'listening');
  return { cli, url: listening.url.replace(/\/$/, ''), listening };
}

export interface UiListener {
  cli: CliProcess;
  /** The listener's URL, without the trailing slash. */
  url: string;
  /** The inspector: its origin and token (for api()), and the URL to open. */
  ui: { origin: string; token: string; url: string };
  listening: Listening;
}

/** `hookctl listen --ui --json` on free ports; stopped after the test. */
export async function listenUi(args: string[]): Promise<UiListener> {
  const { cli, url, listening } = await hookctlListen(['--ui', '--ui-port', '0', ...args]);
  const page = new URL(listening.uiUrl!);
  return { cli, url, ui: { origin: page.origin, token: new URLSearchParams(page.hash.slice(1)).get('token')!, url: listening.uiUrl! }, listening };
}

/** Posts a delivery signed by a real scheme (what arrives may differ from what was signed); returns the status. */
export async function postSigned(url: string, options: RecordOptions & { query?: string } = {}): Promise<number> {
  const record = signedRecord({ capturedAt: new Date(), ...options });
  const headers = { ...record.headers };
  delete headers.host;
  delete headers['content-length'];
  const response = await fetch(`${url}${record.path}${options.query ?? ''}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: Buffer.from(record.body, record.bodyEncoding === 'base64' ? 'base64' : 'utf8') });
  await response.arrayBuffer();
  return response.status;
}
