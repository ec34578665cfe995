/**
 * A real `hookctl relay serve` for tests, and the clients that talk to it: a provider that writes
 * exact bytes on a socket, a server-sent-events reader, poll and ack.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { CliProcess, runCli } from './cli.js';

export interface RelayUnderTest {
  process: CliProcess;
  url: string;
  publicUrl: string;
  adminTokenFile: string;
  stop(signal?: NodeJS.Signals): Promise<unknown>;
}

/** Starts `hookctl relay serve --port 0 --store DIR --json` and waits for its `relay` record. */
export async function startRelayCli(store: string, extra: string[] = []): Promise<RelayUnderTest> {
  const adminTokenFile = join(store, 'admin-token');
  const cli = new CliProcess(['relay', 'serve', '--port', '0', '--store', store, '--json', ...extra]);
  const ready = await cli.waitForRecord<{ url: string; publicUrl: string }>((record) => record.type === 'relay');
  return { process: cli, url: ready.url, publicUrl: ready.publicUrl, adminTokenFile, stop: (signal = 'SIGINT') => cli.stop(signal) };
}

export interface CreatedChannel {
  name: string;
  ingressUrl: string;
  subscribeUrl: string;
  respond: string;
  token: string;
}

export async function createChannel(relay: Pick<RelayUnderTest, 'url' | 'adminTokenFile'>, name: string, extra: string[] = []): Promise<CreatedChannel> {
  const result = await runCli(['relay', 'channel', 'create', '--server', relay.url, '--admin-token-file', relay.adminTokenFile, '--name', name, '--json', ...extra]);
  if (result.code !== 0) throw new Error(`channel create failed (${result.code}): ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n')[0]!) as CreatedChannel;
}

export interface RawResponse {
  status: number;
  /** Header lines as received, names lower-cased. */
  headers: Array<[string, string]>;
  body: Buffer;
}

/**
 * Sends one request with exactly these header lines (case, order, repeats) and body bytes, on its
 * own connection, and reads the answer until the server closes it.
 */
export function rawRequest(url: string, method: string, headers: Array<[string, string]>, body: Buffer): Promise<RawResponse> {
  const target = new URL(url);
  // HTTP/1.1 needs a Host line: added first unless the caller wrote one (in its own case and place).
  if (!headers.some(([name]) => name.toLowerCase() === 'host')) headers = [['Host', target.host], ...headers];
  const head = [`${method} ${target.pathname}${target.search} HTTP/1.1`, ...headers.map(([name, value]) => `${name}: ${value}`), 'Connection: close', '', ''].join('\r\n');
  return new Promise((resolve, reject) => {
    const socket = connect(Number(target.port), target.hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const data = Buffer.concat(chunks);
      const split = data.indexOf('\r\n\r\n');
      const lines = data.subarray(0, split).toString('latin1').split('\r\n');
      const status = Number(lines[0]!.split(' ')[1]);
      const parsed = lines.slice(1).map((line) => {
        const colon = line.indexOf(':');
        return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()] as [string, string];
      });
      resolve({ status, headers: parsed, body: data.subarray(split + 4) });
    });
    // No half-close: the request ends where its framing says; the server closes (Connection: close).
    socket.write(head);
    socket.write(body);
  });
}

export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

/** A server-sent-events stream read as events, with waits on what has arrived. */
export class SseReader {
  readonly events: SseEvent[] = [];
  status = 0;
  private waiters: Array<() => void> = [];
  private response: IncomingMessage | undefined;
  private closed = false;
  readonly opened: Promise<number>;
  /** Resolves when the server (or close()) ended the stream. */
  readonly ended: Promise<void>;
  private onEnded!: () => void;

  constructor(url: string, token: string, headers: Record<string, string> = {}) {
    this.ended = new Promise((resolve) => (this.onEnded = resolve));
    this.opened = new Promise((resolve, reject) => {
      const req = httpRequest(url, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream', ...headers } }, (res) => {
        this.response = res;
        this.status = res.statusCode ?? 0;
        resolve(this.status);
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) !== -1) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event: SseEvent = { event: 'message', data: '' };
            for (const line of block.split('\n')) {
              const colon = line.indexOf(':');
              const field = colon === -1 ? line : line.slice(0, colon);
              const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
              if (field === 'id') event.id = value;
              else if (field === 'event') event.event = value;
              else if (field === 'data') event.data += value;
            }
            if (block.split('\n').some((line) => line.startsWith('event:') || line.startsWith('data:'))) this.events.push(event);
          }
          this.wake();
        });
        res.on('close', () => {
          this.closed = true;
          this.onEnded();
          this.wake();
        });
      });
      req.on('error', (error) => {
        this.closed = true;
        this.wake();
        reject(error);
      });
      req.end();
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  deliveries(): Array<{ seq: string; attempt: number; record: Record<string, unknown> & { rawHeaders: string[]; body: string; bodyEncoding: 'utf8' | 'base64' } }> {
    return this.events.filter((event) => event.event === 'delivery').map((event) => JSON.parse(event.data));
  }

  /** Waits until `predicate` holds over the events so far. */
  async waitFor(predicate: (events: SseEvent[]) => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.events)) {
      if (this.closed) throw new Error(`the stream closed first; events: ${JSON.stringify(this.events).slice(0, 2000)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; events: ${JSON.stringify(this.events).slice(0, 2000)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.response?.destroy();
  }
}

export async function poll(subscribeUrl: string, token: string, { wait = 0, max = 100, subscriber = 'poller', group }: { wait?: number; max?: number; subscriber?: string; group?: string } = {}) {
  const response = await fetch(`${subscribeUrl}/poll?wait=${wait}&max=${max}`, {
    headers: { authorization: `Bearer ${token}`, 'hookctl-subscriber': subscriber, ...(group ? { 'hookctl-group': group } : {}) },
  });
  return { status: response.status, body: (await response.json()) as { waiting: number; entries: Array<{ seq: string; attempt: number; ingressUrl: string; record: { rawHeaders: string[]; body: string; bodyEncoding: 'utf8' | 'base64'; method: string; path: string } }> } };
}

export async function ack(subscribeUrl: string, token: string, body: unknown, subscriber = 'poller'): Promise<number> {
  const response = await fetch(`${subscribeUrl}/ack`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'hookctl-subscriber': subscriber, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await response.text();
  return response.status;
}

/** Polls (long-poll, `wait` ms at a time) until entries arrive or the deadline passes. */
export async function pollUntil(subscribeUrl: string, token: string, want: number, options: { subscriber?: string; timeoutMs?: number } = {}) {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  const entries: Awaited<ReturnType<typeof poll>>['body']['entries'] = [];
  while (entries.length < want && Date.now() < deadline) {
    const { body } = await poll(subscribeUrl, token, { wait: 1_000, subscriber: options.subscriber });
    entries.push(...body.entries);
  }
  return entries;
}

/** The relay's admin API straight over HTTP (for tests where the CLI is not what is tested). */
export async function adminApi<T = unknown>(relay: Pick<RelayUnderTest, 'url' | 'adminTokenFile'>, method: string, path: string, body?: unknown): Promise<T> {
  const token = readFileSync(relay.adminTokenFile, 'utf8').trim();
  const response = await fetch(new URL(path, relay.url), {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}
