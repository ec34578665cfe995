import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startListener } from '../../src/listen/server.js';
import type { Delivery, ListenerHandle, ListenOptions, QueuedForward } from '../../src/listen/types.js';

/** Things to close after each test: listeners, servers, temp folders. */
const cleanups: Array<() => unknown> = [];

export async function cleanup(): Promise<void> {
  while (cleanups.length > 0) await cleanups.pop()!();
}

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hookctl-listen-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface TestListener extends ListenerHandle {
  deliveries: Delivery[];
  forwards: QueuedForward[];
  warnings: string[];
  /** Resolves once `count` deliveries have been reported. */
  waitForDeliveries(count: number, timeoutMs?: number): Promise<Delivery[]>;
  waitForForwards(count: number, timeoutMs?: number): Promise<QueuedForward[]>;
}

/** A real listener on 127.0.0.1 and a free port, recording what it reports. Closed after the test. */
export async function listen(options: ListenOptions = {}): Promise<TestListener> {
  const deliveries: Delivery[] = [];
  const forwards: QueuedForward[] = [];
  const warnings: string[] = [];
  let waiters: Array<() => void> = [];
  const wake = () => {
    const pending = waiters;
    waiters = [];
    for (const fn of pending) fn();
  };
  const handle = await startListener({
    port: 0,
    ...options,
    onDelivery: (delivery) => {
      deliveries.push(delivery);
      options.onDelivery?.(delivery);
      wake();
    },
    onForward: (forward) => {
      forwards.push(forward);
      wake();
    },
    onWarning: (message) => warnings.push(message),
  });
  cleanups.push(() => handle.close());
  const waitFor = async <T>(list: T[], count: number, timeoutMs = 10_000): Promise<T[]> => {
    const deadline = Date.now() + timeoutMs;
    while (list.length < count) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`expected ${count}, got ${list.length}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return list;
  };
  return Object.assign(Object.create(null), handle, {
    url: handle.url,
    port: handle.port,
    stats: handle.stats,
    capture: handle.capture,
    close: () => handle.close(),
    writes: () => handle.writes(),
    deliveries,
    forwards,
    warnings,
    waitForDeliveries: (count: number, timeoutMs?: number) => waitFor(deliveries, count, timeoutMs),
    waitForForwards: (count: number, timeoutMs?: number) => waitFor(forwards, count, timeoutMs),
  }) as TestListener;
}

export function onCleanup(fn: () => unknown): void {
  cleanups.push(fn);
}

export interface Response {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown>;
}

/** A real HTTP POST with fetch (undici), body byte for byte. */
export async function post(url: string, body: string | Uint8Array, headers: Record<string, string> = {}, method = 'POST'): Promise<Response> {
  const response = await fetch(url, { method, body, headers });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** A POST with node:http, for headers fetch refuses to send (Connection, Keep-Alive). */
export async function rawPost(url: string, body: string | Uint8Array, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
