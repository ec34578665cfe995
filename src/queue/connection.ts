/**
 * One connection to Redis through the official client (node-redis), loaded here and only here with
 * `await import('redis')`: commands that never touch Redis never pay its ~300 ms import.
 *
 * The first connection must succeed, or `connectRedis` throws one clear line (exit 2) naming the
 * URL without its password. After that a lost connection is retried forever with backoff, and
 * commands fail fast while it is down (no offline queue): a listener must answer 503 at once, and
 * a worker decides itself when to try again.
 *
 * Nothing waits for ever on a Redis that accepts the connection and never answers (a wrong port
 * behind a proxy, a hung server): connecting, handshake included, is bounded by `connectTimeoutMs`
 * and every command by `commandTimeoutMs` (a blocking read by its block time plus that), and a
 * command that runs out of time fails as `QueueTimeoutError`, naming the URL without its password.
 */
import { EventEmitter } from 'node:events';
import { describeNetworkError } from '../delivery/deliver.js';
import { UserError, EXIT } from '../errors.js';
import type { QueueAddress } from './address.js';

/** Redis cannot be reached right now (connection lost, reconnecting): try again later. */
export class QueueUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'QueueUnavailableError';
  }
}

/** Redis took longer than the command timeout to answer: treated as unavailable, and said so. */
export class QueueTimeoutError extends QueueUnavailableError {
  constructor(message: string) {
    super(message);
    this.name = 'QueueTimeoutError';
  }
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
export const DEFAULT_COMMAND_TIMEOUT_MS = 5_000;

/** Redis refused a write because it reached `maxmemory`: the queue is full until workers catch up. */
export class QueueFullError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueueFullError';
  }
}

export type ConnectionState = 'ready' | 'lost' | 'closed';

export interface RedisConnection {
  readonly address: QueueAddress;
  readonly state: ConnectionState;
  /** One command, replies as RESP3 maps them (maps are objects, entries arrays). `blockMs`: a blocking command's own wait, added to the timeout. */
  command<T = unknown>(args: readonly string[], options?: { blockMs?: number }): Promise<T>;
  /** MULTI … EXEC: all of the commands or none. */
  transaction(commands: ReadonlyArray<readonly string[]>): Promise<unknown[]>;
  /** Resolves true once connected (at once if it is), false if the signal aborts or the connection closes first. */
  waitUntilReady(signal?: AbortSignal): Promise<boolean>;
  /** 'lost' (with the error) when the connection drops, 'ready' when it is back. */
  on(event: 'lost', listener: (error: Error) => void): this;
  on(event: 'ready', listener: () => void): this;
  /** Idempotent. */
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** CLIENT SETNAME, shown by CLIENT LIST: which hookctl role holds the connection. */
  name?: string;
  /** Gives up connecting (TCP, TLS and the handshake) after this long, ms (default 5s). */
  connectTimeoutMs?: number;
  /** A command with no answer after this long fails (QueueTimeoutError), ms (default 5s). */
  commandTimeoutMs?: number;
  /** Longest wait between reconnection attempts, ms (default 2s). */
  maxBackoffMs?: number;
}

interface RawClient {
  connect(): Promise<unknown>;
  sendCommand(args: readonly string[]): Promise<unknown>;
  multi(): { addCommand(args: readonly string[]): unknown; exec(): Promise<unknown[]> };
  destroy(): void;
  close(): Promise<void>;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  isReady: boolean;
}

/** Words for a failure to connect: the socket's error when there is one (ECONNREFUSED…), else Redis's reply. */
function connectProblem(error: unknown): string {
  const withSocket = error as { socketError?: unknown; originalError?: unknown };
  const cause = withSocket.socketError ?? withSocket.originalError ?? error;
  const message = (cause as Error)?.message ?? String(cause);
  if (/WRONGPASS|NOAUTH|invalid username-password|AUTH/i.test(message)) return `it refused the credentials (${message.split('\n')[0]})`;
  return describeNetworkError(cause);
}

/** Errors from Redis itself (a reply) versus from the connection; the latter mean "try again later". */
export function classifyRedisError(error: unknown, address: QueueAddress): Error {
  if (error instanceof QueueUnavailableError || error instanceof QueueFullError) return error;
  const message = (error as Error)?.message ?? String(error);
  if (/^OOM\b/.test(message)) return new QueueFullError(`Redis at ${address.display} is full (maxmemory): ${message}`);
  const isReply = (error as Error)?.constructor?.name?.endsWith('ErrorReply') || (error as Error)?.constructor?.name === 'SimpleError' || (error as Error)?.constructor?.name === 'BlobError';
  if (isReply) return error as Error;
  return new QueueUnavailableError(`Redis at ${address.display} is unavailable: ${describeNetworkError(error)}`, { cause: error });
}

function backoffMs(retries: number, maxMs: number): number {
  // 50 ms, 100 ms, 200 ms … up to maxMs, with jitter so a fleet of workers does not reconnect in step.
  const base = Math.min(maxMs, 50 * 2 ** Math.min(retries, 10));
  return Math.round(base / 2 + Math.random() * (base / 2));
}

class Connection extends EventEmitter implements RedisConnection {
  state: ConnectionState = 'lost';
  private everReady = false;

  constructor(
    readonly address: QueueAddress,
    private readonly client: RawClient,
    private readonly timeoutMs: number,
  ) {
    super();
    client.on('error', (error) => {
      if (this.state === 'ready') {
        this.state = 'lost';
        this.emit('lost', error as Error);
      }
    });
    client.on('ready', () => {
      const wasLost = this.everReady && this.state === 'lost';
      this.everReady = true;
      this.state = 'ready';
      if (wasLost) this.emit('ready');
    });
  }

  get ever(): boolean {
    return this.everReady;
  }

  async command<T>(args: readonly string[], options: { blockMs?: number } = {}): Promise<T> {
    return (await this.bounded(this.client.sendCommand(args), this.timeoutMs + (options.blockMs ?? 0))) as T;
  }

  transaction(commands: ReadonlyArray<readonly string[]>): Promise<unknown[]> {
    const multi = this.client.multi();
    for (const command of commands) multi.addCommand(command);
    return this.bounded(multi.exec(), this.timeoutMs);
  }

  /**
   * The reply, or QueueTimeoutError once `timeoutMs` has passed (node-redis's own command timeout
   * stops counting once a command is written, so a silent server would be waited for ever). A
   * reply that comes later is dropped.
   */
  private async bounded<T>(reply: Promise<T>, timeoutMs: number): Promise<T> {
    reply.catch(() => {});
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new QueueTimeoutError(`Redis at ${this.address.display} did not answer within ${timeoutMs / 1000}s`)), timeoutMs);
    });
    try {
      return await Promise.race([reply, timedOut]);
    } catch (error) {
      throw classifyRedisError(error, this.address);
    } finally {
      clearTimeout(timer);
    }
  }

  waitUntilReady(signal?: AbortSignal): Promise<boolean> {
    if (this.state === 'ready') return Promise.resolve(true);
    if (this.state === 'closed' || signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (value: boolean) => {
        this.off('ready', onReady);
        this.off('closed', onClosed);
        signal?.removeEventListener('abort', onAbort);
        resolve(value);
      };
      const onReady = () => done(true);
      const onClosed = () => done(false);
      const onAbort = () => done(false);
      this.on('ready', onReady);
      this.on('closed', onClosed);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private closing: Promise<void> | undefined;

  close(): Promise<void> {
    this.closing ??= (async () => {
      const wasReady = this.state === 'ready';
      this.state = 'closed';
      this.emit('closed');
      // A graceful close waits for replies in flight (bounded: a silent Redis never sends them); a dead connection has none to wait for.
      if (!wasReady) return this.client.destroy();
      let timer: NodeJS.Timeout | undefined;
      const closing = this.client.close().then(() => true, () => false);
      const inTime = await Promise.race([closing, new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), this.timeoutMs)))]);
      clearTimeout(timer);
      if (!inTime) this.client.destroy();
    })();
    return this.closing;
  }
}

/**
 * Connects, or throws a UserError (exit 2): "cannot reach Redis at redis://***@host:port/0: connection refused (ECONNREFUSED)".
 */
export async function connectRedis(address: QueueAddress, options: ConnectOptions = {}): Promise<RedisConnection> {
  const { createClient } = await import('redis');
  const maxBackoffMs = options.maxBackoffMs ?? 2_000;
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  let connection: Connection | undefined;
  const client = createClient({
    socket: {
      host: address.host,
      port: address.port,
      ...(address.tls ? { tls: true as const, servername: address.host } : {}),
      connectTimeout: connectTimeoutMs,
      // The first connection is tried once: a wrong URL is reported at start, not retried forever.
      reconnectStrategy: (retries: number, cause: Error) => (connection?.ever ? backoffMs(retries, maxBackoffMs) : cause),
    },
    ...(address.username !== undefined ? { username: address.username } : {}),
    ...(address.password !== undefined ? { password: address.password } : {}),
    database: address.db,
    disableOfflineQueue: true,
    ...(options.name ? { name: options.name } : {}),
  }) as unknown as RawClient;
  connection = new Connection(address, client, options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS);
  // connectTimeout covers the TCP connect only; the handshake (HELLO, AUTH, SELECT) is bounded here.
  let timer: NodeJS.Timeout | undefined;
  const silent = new Promise<'silent'>((resolve) => (timer = setTimeout(() => resolve('silent'), connectTimeoutMs)));
  const connecting = client.connect();
  connecting.catch(() => {});
  try {
    const outcome = await Promise.race([connecting, silent]);
    if (outcome === 'silent') {
      client.destroy();
      throw new UserError(`cannot reach Redis at ${address.display}: it accepted the connection but did not answer within ${connectTimeoutMs / 1000}s (is it a Redis server, and is the port right?)`, EXIT.usage);
    }
  } catch (error) {
    if (error instanceof UserError) throw error;
    client.destroy();
    throw new UserError(`cannot reach Redis at ${address.display}: ${connectProblem(error)}`, EXIT.usage);
  } finally {
    clearTimeout(timer);
  }
  return connection;
}
