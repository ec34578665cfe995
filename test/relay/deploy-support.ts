/**
 * The relay as deployed, for test/relay/deploy*.test.ts: `hookctl relay serve` processes (embedded
 * store or `--redis`) behind a private nginx configured as docs/relay-deploy.md says, channels made
 * through the admin API, a provider sending raw bytes, and a minimal server-sent-events subscriber
 * (the wire protocol of src/relay/protocol.ts, nothing of hookctl's own subscriber) that acks what
 * it reads.
 */
import { request, type IncomingMessage } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChannelInfo, RelayEntry } from '../../src/relay/protocol.js';
import { CliProcess } from '../helpers/cli.js';

/**
 * What docs/relay-deploy.md puts in nginx's `location /` for the relay, as tested: streams are
 * passed on as they are written (server-sent events), and held open longer than any heartbeat gap.
 */
export const RELAY_LOCATION = `proxy_buffering off;
      proxy_cache off;
      proxy_read_timeout 1h;
      proxy_send_timeout 1h;`;

const cleanups: Array<() => unknown> = [];

export async function cleanup(): Promise<void> {
  while (cleanups.length > 0) await cleanups.pop()!();
}

export function onCleanup(fn: () => unknown): void {
  cleanups.push(fn);
}

export interface RelayProcess {
  cli: CliProcess;
  /** http://127.0.0.1:PORT (no trailing slash). */
  url: string;
  adminToken: string;
  /** SIGTERM, then its temp dir goes. A suite's relays live across its tests: it stops them in afterAll. */
  stop(): Promise<void>;
}

/** `hookctl relay serve --port PORT --json` with the store arguments given (`--store DIR` or `--redis URL`). */
export async function startRelay(storeArgs: string[], options: { port: number; publicUrl?: string; adminTokenFile?: string }): Promise<RelayProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'hookctl-relay-deploy-'));
  const adminTokenFile = options.adminTokenFile ?? join(dir, 'admin-token');
  const args = ['relay', 'serve', '--port', String(options.port), ...storeArgs, '--admin-token-file', adminTokenFile, '--json', ...(options.publicUrl ? ['--public-url', options.publicUrl] : [])];
  const cli = new CliProcess(args);
  const stop = async () => {
    await cli.stop('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const ready = await cli.waitForRecord<{ url: string }>((record) => record.type === 'relay');
    return { cli, url: ready.url.replace(/\/$/, ''), adminToken: readFileSync(adminTokenFile, 'utf8').trim(), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export interface HttpAnswer {
  status: number;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/** One request with exactly these bytes and this raw header list (names' case and repeats kept). */
export function send(url: string, options: { method?: string; headers?: string[] | Record<string, string>; body?: Uint8Array | string } = {}): Promise<HttpAnswer> {
  let headers = options.headers;
  // A raw header list goes out as given, so it must name the host itself.
  if (Array.isArray(headers) && !headers.some((name, index) => index % 2 === 0 && name.toLowerCase() === 'host')) headers = ['Host', new URL(url).host, ...headers];
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'POST', headers: headers as Record<string, string> }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

export async function createChannel(serverUrl: string, adminToken: string, name: string, respond: 'stored' | 'wait' = 'stored'): Promise<ChannelInfo & { token: string }> {
  const answer = await send(`${serverUrl}/api/channels`, { headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ name, respond }) });
  if (answer.status !== 201) throw new Error(`creating channel ${name}: HTTP ${answer.status} ${answer.body.toString()}`);
  return JSON.parse(answer.body.toString()) as ChannelInfo & { token: string };
}

export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

/** A server-sent-events stream, read as it arrives: `next()` waits for the next event of a type. */
export class SseSubscriber {
  readonly events: SseEvent[] = [];
  private buffer = '';
  private waiters: Array<() => void> = [];
  private response: IncomingMessage | undefined;
  ended = false;

  private constructor(
    readonly subscribeUrl: string,
    private readonly token: string,
    readonly name: string,
  ) {}

  /** Connects (`GET <subscribeUrl>/events`) and resolves once the relay said hello. */
  static async open(subscribeUrl: string, token: string, name = 'deploy-test'): Promise<SseSubscriber> {
    const subscriber = new SseSubscriber(subscribeUrl, token, name);
    await subscriber.connect();
    cleanups.push(() => subscriber.close());
    await subscriber.next('hello');
    return subscriber;
  }

  private connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const req = request(`${this.subscribeUrl}/events`, { headers: { authorization: `Bearer ${this.token}`, accept: 'text/event-stream', 'hookctl-subscriber': this.name } }, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          return reject(new Error(`subscribing: HTTP ${res.statusCode}`));
        }
        this.response = res;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => this.take(chunk));
        res.on('close', () => {
          this.ended = true;
          this.wake();
        });
        resolve();
      });
      req.on('error', reject);
      req.end();
    });
  }

  private take(chunk: string): void {
    this.buffer += chunk;
    for (let end = this.buffer.indexOf('\n\n'); end !== -1; end = this.buffer.indexOf('\n\n')) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const event: SseEvent = { event: 'message', data: '' };
      const data: string[] = [];
      for (const line of block.split('\n')) {
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'id') event.id = value;
        else if (field === 'event') event.event = value;
        else if (field === 'data') data.push(value);
      }
      event.data = data.join('\n');
      this.events.push(event);
    }
    this.wake();
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  private read = 0;

  /** The next event of this type after the ones already returned (rejects if the stream ends or after the timeout). */
  async next(type: string, timeoutMs = 10_000): Promise<SseEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (; this.read < this.events.length; this.read++) {
        const event = this.events[this.read]!;
        if (event.event === type) {
          this.read++;
          return event;
        }
      }
      if (this.ended) throw new Error(`the stream ended before a "${type}" event (events: ${this.events.map((e) => e.event).join(', ')})`);
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`no "${type}" event within ${timeoutMs} ms (events so far: ${this.events.map((e) => e.event).join(', ') || 'none'})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The next delivery, acknowledged once read (as a listener would after its app answered 2xx). */
  async nextDelivery(timeoutMs?: number): Promise<RelayEntry> {
    const event = await this.next('delivery', timeoutMs);
    const entry = JSON.parse(event.data) as RelayEntry;
    const acked = await send(`${this.subscribeUrl}/ack`, { headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json', 'hookctl-subscriber': this.name }, body: JSON.stringify({ acks: [entry.seq] }) });
    if (acked.status !== 200) throw new Error(`ack: HTTP ${acked.status} ${acked.body.toString()}`);
    return entry;
  }

  close(): void {
    this.response?.destroy();
  }
}

/** The bytes a relayed entry carries. */
export function entryBody(entry: RelayEntry): Buffer {
  return Buffer.from(entry.record.body, entry.record.bodyEncoding === 'base64' ? 'base64' : 'utf8');
}
