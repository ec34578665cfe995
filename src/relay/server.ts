/**
 * The relay's HTTP server (`hookctl relay serve`): ingress from providers, subscribe endpoints for
 * listeners (server-sent events, long-poll, ack), the admin API for channels. It knows only the
 * RelayStore interface; the routes are in protocol.ts. Nothing here logs a body, a token or an
 * ingress id: events carry the channel name, sizes and statuses only.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { bind } from '../listen/bind.js';
import { encodeBody, newCaptureId, RECORD_FORMAT, type DeliveryRecord } from '../records/record.js';
import { BodyTooLargeError, HOP_HEADERS, readBody, sendJson } from './http.js';
import { handleAdmin } from './admin.js';
import { DEFAULT_ACK_TIMEOUT_MS, DEFAULT_HEARTBEAT_MS, GROUP_HEADER, SUBSCRIBER_HEADER, type AckRequest, type PollResponse, type RelayEntry, type RelayHello, type RespondMode } from './protocol.js';
import { BacklogFullError, type ChannelStatus, type ConsumerRef, type RelayStore } from './store.js';
import { bearerToken, tokenMatches } from './tokens.js';

export interface RelayServerOptions {
  store: RelayStore;
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** The address providers and subscribers use (behind a TLS proxy); default: the bound URL. */
  publicUrl?: string;
  adminToken: string;
  /** Ingress bodies over this get 413. */
  maxBodyBytes?: number;
  heartbeatMs?: number;
  /** Told to subscribers (the store enforces it). */
  ackTimeoutMs?: number;
  /** `respond: wait`: how long a provider's request is held for the listener's answer before 202. */
  waitTimeoutMs?: number;
  /** How often the store's retention runs. */
  trimEveryMs?: number;
  /** Seconds a provider is asked to wait when the backlog is full or the store is down. */
  retryAfterSeconds?: number;
  onEvent?: (event: RelayEvent) => void;
}

export type RelayEvent =
  | { type: 'ingress'; channel: string; seq: string | null; method: string; bytes: number; status: number; error?: string }
  | { type: 'subscriber'; channel: string; consumer: string; member: string; transport: 'sse'; state: 'connected' | 'disconnected'; waiting?: number }
  | { type: 'error'; message: string };

export interface RelayHandle {
  url: string;
  publicUrl: string;
  close(): Promise<void>;
}

export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;
export const DEFAULT_WAIT_TIMEOUT_MS = 10_000;
/** Subscriber and group names: printable, no spaces, short. */
const CONSUMER_NAME = /^[\x21-\x7e]{1,128}$/;
const ACK_BODY_LIMIT = 32 * 1024 * 1024;
const STATUS_CACHE_MS = 500;
/** Entries sent per store read on a stream. */
const TAKE_BATCH = 64;

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** Header names folded the way the rest of hookctl records them: lower case, repeats joined with ", ". */
function foldHeaders(raw: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    headers[name] = headers[name] === undefined ? raw[i + 1]! : `${headers[name]}, ${raw[i + 1]}`;
  }
  return headers;
}

export async function startRelay(options: RelayServerOptions): Promise<RelayHandle> {
  const { store } = options;
  const host = options.host ?? '127.0.0.1';
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const ackTimeoutMs = options.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS;
  const waitTimeoutMs = options.waitTimeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
  const retryAfter = String(options.retryAfterSeconds ?? 30);
  const stalledAfterMs = Math.max(ackTimeoutMs, 4 * heartbeatMs);
  const emit = (event: RelayEvent) => {
    try {
      options.onEvent?.(event);
    } catch {
      // an observer never breaks the relay
    }
  };
  /** Streams by member, so a reconnect replaces the old stream (which must not hand back the new one's entries). */
  const streams = new Map<string, AbortController>();
  const aborts = new Set<AbortController>();
  const sockets = new Set<Socket>();
  const busy = new Set<Promise<void>>();
  let closing = false;
  let publicUrl = '';

  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    const work = route(req, res).catch((error: unknown) => {
      emit({ type: 'error', message: error instanceof Error ? error.message : String(error) });
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.destroy();
    });
    busy.add(work);
    void work.finally(() => busy.delete(work));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const pathname = queryAt === -1 ? url : url.slice(0, queryAt);
    const query = queryAt === -1 ? '' : url.slice(queryAt);
    if (pathname.startsWith('/in/')) return ingress(req, res, pathname.slice(4), query);
    const sub = /^\/sub\/([^/]+)\/(events|poll|ack)$/.exec(pathname);
    if (sub) return subscribe(req, res, decodeURIComponent(sub[1]!), sub[2] as 'events' | 'poll' | 'ack', new URLSearchParams(query));
    if (pathname === '/api/channels' || pathname.startsWith('/api/channels/')) {
      return handleAdmin(req, res, { store, adminToken: options.adminToken, publicUrl, pathname, query: new URLSearchParams(query) });
    }
    if (pathname === '/healthz') return sendJson(res, 200, { ok: true });
    req.resume();
    sendJson(res, 404, { error: 'not found' });
  }

  async function ingress(req: IncomingMessage, res: ServerResponse, afterIn: string, query: string): Promise<void> {
    const slash = afterIn.indexOf('/');
    const ingressId = slash === -1 ? afterIn : afterIn.slice(0, slash);
    const rest = slash === -1 ? '' : afterIn.slice(slash);
    const channel = ingressId === '' ? undefined : await store.channelByIngress(ingressId);
    const method = req.method ?? 'GET';
    if (!channel) {
      req.resume();
      return sendJson(res, 404, { error: 'no such ingress' });
    }
    let body: Buffer;
    try {
      body = await readBody(req, maxBody);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        emit({ type: 'ingress', channel: channel.name, seq: null, method, bytes: 0, status: 413 });
        sendJson(res, 413, { error: `body larger than the relay's limit (${maxBody} bytes)` }, { connection: 'close' });
        // End our side rather than reset it: a reset could reach the provider before the 413 does.
        res.once('finish', () => {
          req.socket.end();
          setTimeout(() => req.socket.destroy(), 2_000).unref();
        });
        return;
      }
      req.destroy();
      return;
    }
    const rawHeaders = [...req.rawHeaders];
    const ingressUrl = `${publicUrl}in/${ingressId}${rest}${query}`;
    const record: DeliveryRecord & { rawHeaders: string[] } = {
      format: RECORD_FORMAT,
      id: newCaptureId(),
      capturedAt: new Date().toISOString(),
      receivedAt: ingressUrl,
      method,
      path: `${rest === '' ? '/' : rest}${query}`,
      headers: foldHeaders(rawHeaders),
      ...encodeBody(body),
      scheme: null,
      eventId: null,
      eventType: null,
      verified: null,
      reason: null,
      duplicate: false,
      rawHeaders,
    };
    let entry: RelayEntry;
    try {
      entry = await store.append(channel.name, record, ingressUrl);
    } catch (error) {
      const full = error instanceof BacklogFullError;
      emit({ type: 'ingress', channel: channel.name, seq: null, method, bytes: body.length, status: 503, error: full ? 'backlog full' : 'store unavailable' });
      return sendJson(
        res,
        503,
        { error: full ? 'the channel holds too many deliveries its subscribers have not taken; retry later' : 'the relay cannot store deliveries right now; retry later' },
        { 'retry-after': full ? retryAfter : '5' },
      );
    }
    if (entry.respond !== 'wait') {
      emit({ type: 'ingress', channel: channel.name, seq: entry.seq, method, bytes: body.length, status: 200 });
      return sendJson(res, 200, { stored: true });
    }
    const answer = await store.waitForAnswer(channel.name, entry.seq, waitTimeoutMs);
    if (!answer) {
      emit({ type: 'ingress', channel: channel.name, seq: entry.seq, method, bytes: body.length, status: 202 });
      return sendJson(res, 202, { stored: true, answered: false });
    }
    emit({ type: 'ingress', channel: channel.name, seq: entry.seq, method, bytes: body.length, status: answer.status });
    if (res.destroyed) return;
    try {
      for (const [name, value] of Object.entries(answer.headers)) if (!HOP_HEADERS.has(name.toLowerCase())) res.setHeader(name, value);
      res.setHeader('content-length', String(answer.body.length));
      res.writeHead(answer.status >= 200 && answer.status <= 599 ? answer.status : 502);
      res.end(answer.body);
    } catch {
      // A header the listener's app sent that HTTP cannot carry: the delivery is stored all the same.
      if (!res.headersSent) {
        for (const name of res.getHeaderNames()) res.removeHeader(name);
        sendJson(res, 202, { stored: true, answered: false });
      }
    }
  }

  async function subscribe(req: IncomingMessage, res: ServerResponse, channelName: string, action: 'events' | 'poll' | 'ack', query: URLSearchParams): Promise<void> {
    const channel = await store.channelByName(channelName);
    // One answer for an unknown channel and a wrong token: the channel's existence is not told.
    if (!tokenMatches(bearerToken(req.headers.authorization), channel?.tokenHash) || !channel) {
      req.resume();
      return sendJson(res, 401, { error: 'unauthorized' }, { 'www-authenticate': 'Bearer' });
    }
    const member = String(req.headers[SUBSCRIBER_HEADER] ?? 'default');
    const group = req.headers[GROUP_HEADER] === undefined ? undefined : String(req.headers[GROUP_HEADER]);
    if (!CONSUMER_NAME.test(member) || (group !== undefined && !CONSUMER_NAME.test(group))) {
      req.resume();
      return sendJson(res, 400, { error: `${SUBSCRIBER_HEADER} and ${GROUP_HEADER}: 1 to 128 printable characters, no spaces` });
    }
    const ref: ConsumerRef = { channel: channel.name, consumer: group ?? member, member };
    if (action === 'ack') return ack(req, res, ref, channel.respond);
    if (req.method !== 'GET') {
      req.resume();
      return sendJson(res, 405, { error: 'GET' }, { allow: 'GET' });
    }
    if (action === 'events') return events(req, res, ref, channel.tokenHash);
    return poll(req, res, ref, query);
  }

  /** A channel's status for poll answers, read at most twice a second (every answer carries a count; many pollers would each read it). */
  const statusCache = new Map<string, { at: number; status: Promise<ChannelStatus> }>();
  function channelStatus(channel: string): Promise<ChannelStatus> {
    const now = Date.now();
    const cached = statusCache.get(channel);
    if (cached && now - cached.at < STATUS_CACHE_MS) return cached.status;
    const status = store.status(channel);
    statusCache.set(channel, { at: now, status });
    status.catch(() => statusCache.delete(channel));
    if (statusCache.size > 10_000) statusCache.clear();
    return status;
  }

  /** What a consumer is told when it connects (fresh: it is shown to the user) or polls (`cached`). */
  async function hello(ref: ConsumerRef, cached = false): Promise<RelayHello> {
    const status = await (cached ? channelStatus(ref.channel) : store.status(ref.channel));
    const mine = status.consumers.find((consumer) => consumer.consumer === ref.consumer);
    const waiting = mine ? mine.waiting + mine.inFlight + mine.retrying : status.stored;
    return { channel: ref.channel, consumer: ref.consumer, heartbeatMs, ackTimeoutMs, waiting };
  }

  async function events(req: IncomingMessage, res: ServerResponse, ref: ConsumerRef, tokenHash: string): Promise<void> {
    const key = `${ref.channel}\n${ref.consumer}\n${ref.member}`;
    streams.get(key)?.abort();
    const controller = new AbortController();
    const { signal } = controller;
    streams.set(key, controller);
    aborts.add(controller);
    const socket = req.socket;
    socket.setNoDelay(true);
    socket.setKeepAlive(true, heartbeatMs);
    let heartbeat: NodeJS.Timeout | undefined;
    /** Taken from the store and not written (the stream was replaced meanwhile): they must go back. */
    let unsent = false;
    const onClose = () => controller.abort();
    req.on('close', onClose);
    res.on('close', onClose);
    try {
      // Whatever an earlier stream of this member had in flight is sent again, first.
      await store.release(ref);
      const greeting = await hello(ref);
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        'x-accel-buffering': 'no',
        connection: 'keep-alive',
      });
      res.write(`retry: 1000\nevent: hello\ndata: ${JSON.stringify(greeting)}\n\n`);
      emit({ type: 'subscriber', channel: ref.channel, consumer: ref.consumer, member: ref.member, transport: 'sse', state: 'connected', waiting: greeting.waiting });
      heartbeat = setInterval(() => {
        // A reader that stopped reading gets no pings piling up behind the deliveries it has not read.
        if (!res.destroyed && !res.writableEnded && !res.writableNeedDrain) res.write(`event: ping\ndata: {"at":${Date.now()}}\n\n`);
      }, heartbeatMs);
      while (!signal.aborted && !closing) {
        const entries = await store.take(ref, TAKE_BATCH);
        for (const entry of entries) {
          if (signal.aborted) {
            unsent = true;
            break;
          }
          if (!res.write(`id: ${entry.seq}\nevent: delivery\ndata: ${JSON.stringify(entry)}\n\n`)) {
            // A slow reader: wait for its socket instead of buffering the channel in memory. One that
            // reads nothing for this long is let go: its entries go back, and its watchdog reconnects.
            await new Promise<void>((resolve) => {
              const stalled = setTimeout(() => {
                done();
                res.destroy();
              }, stalledAfterMs);
              const done = () => {
                clearTimeout(stalled);
                res.off('drain', done);
                signal.removeEventListener('abort', done);
                resolve();
              };
              res.once('drain', done);
              signal.addEventListener('abort', done, { once: true });
            });
            if (res.destroyed) {
              unsent = true;
              break;
            }
          }
        }
        if (entries.length === 0) {
          await store.waitForEntries(ref.channel, heartbeatMs, signal);
          // A deleted channel or a rotated token ends the stream: the old token stops reading at once.
          const now = await store.channelByName(ref.channel);
          if (now?.tokenHash !== tokenHash) break;
        }
      }
    } finally {
      clearInterval(heartbeat);
      aborts.delete(controller);
      req.off('close', onClose);
      const current = streams.get(key) === controller;
      if (current) streams.delete(key);
      // Handing back also returns what a newer stream of this member holds: sent twice, which the listener's dedupe absorbs.
      if (current || unsent) await store.release(ref).catch(() => {});
      if (!res.writableEnded) res.end();
      emit({ type: 'subscriber', channel: ref.channel, consumer: ref.consumer, member: ref.member, transport: 'sse', state: 'disconnected' });
    }
  }

  async function poll(req: IncomingMessage, res: ServerResponse, ref: ConsumerRef, query: URLSearchParams): Promise<void> {
    const waitMs = Math.min(Math.max(Number(query.get('wait') ?? 0) || 0, 0), Math.max(heartbeatMs, 60_000));
    const max = Math.min(Math.max(Math.floor(Number(query.get('max') ?? 100) || 100), 1), 1000);
    const controller = new AbortController();
    aborts.add(controller);
    const onClose = () => controller.abort();
    res.on('close', onClose);
    try {
      // A poller that starts again (it crashed, or restarted) gets back what it had in flight now, not after the ack timeout.
      if (query.get('release') === '1') await store.release(ref);
      const deadline = Date.now() + waitMs;
      let entries = await store.take(ref, max);
      while (entries.length === 0 && !controller.signal.aborted && !closing && Date.now() < deadline) {
        await store.waitForEntries(ref.channel, deadline - Date.now(), controller.signal);
        entries = await store.take(ref, max);
      }
      if (controller.signal.aborted) {
        // Nobody is there to read them: hand them back now rather than after the ack timeout.
        if (entries.length > 0) await store.release(ref);
        return;
      }
      const answer: PollResponse = { ...(await hello(ref, true)), entries };
      sendJson(res, 200, answer);
    } finally {
      aborts.delete(controller);
      res.off('close', onClose);
    }
  }

  async function ack(req: IncomingMessage, res: ServerResponse, ref: ConsumerRef, respond: RespondMode): Promise<void> {
    if (req.method !== 'POST') {
      req.resume();
      return sendJson(res, 405, { error: 'POST' }, { allow: 'POST' });
    }
    let body: AckRequest;
    try {
      body = JSON.parse((await readBody(req, ACK_BODY_LIMIT)).toString('utf8')) as AckRequest;
    } catch (error) {
      if (error instanceof BodyTooLargeError) return sendJson(res, 413, { error: 'ack body too large' }, { connection: 'close' });
      return sendJson(res, 400, { error: 'expected a JSON body: {"acks":[seq…],"failures":[{seq,error}…],"answers":[…]}' });
    }
    const acks = Array.isArray(body?.acks) ? body.acks.filter((seq): seq is string => typeof seq === 'string') : [];
    const failures = Array.isArray(body?.failures) ? body.failures.filter((item) => typeof item?.seq === 'string').map((item) => ({ seq: item.seq, error: String(item.error ?? 'failed') })) : [];
    // Only a `respond: wait` channel has a provider waiting for an answer; others' answers are not kept.
    const answers = respond === 'wait' && Array.isArray(body?.answers) ? body.answers.filter((item) => typeof item?.seq === 'string' && Number.isInteger(item.status)) : [];
    for (const answer of answers) {
      const headers: Record<string, string> = {};
      if (answer.headers && typeof answer.headers === 'object') for (const [name, value] of Object.entries(answer.headers)) headers[name] = String(value);
      const bytes = Buffer.from(typeof answer.body === 'string' ? answer.body : '', answer.bodyEncoding === 'base64' ? 'base64' : 'utf8');
      await store.publishAnswer(ref.channel, answer.seq, { status: answer.status, headers, body: bytes });
    }
    if (acks.length > 0) await store.ack(ref, acks);
    if (failures.length > 0) await store.fail(ref, failures);
    sendJson(res, 200, { ok: true, acked: acks.length, failed: failures.length });
  }

  await bind(server, options.port ?? 0, host);
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the relay server has no TCP address');
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${hostForUrl === '0.0.0.0' ? '127.0.0.1' : hostForUrl === '[::]' ? '[::1]' : hostForUrl}:${address.port}/`;
  publicUrl = withSlash(options.publicUrl ?? url);

  const trimEveryMs = options.trimEveryMs ?? 60_000;
  const trim = () => void store.trim(Date.now()).catch((error: unknown) => emit({ type: 'error', message: `retention: ${error instanceof Error ? error.message : String(error)}` }));
  trim();
  const trimTimer = setInterval(trim, trimEveryMs);
  trimTimer.unref();

  let closed: Promise<void> | undefined;
  return {
    url,
    publicUrl,
    close() {
      closed ??= (async () => {
        closing = true;
        clearInterval(trimTimer);
        for (const controller of aborts) controller.abort();
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        // Requests being stored finish (their senders get their answer); streams were ended above.
        await Promise.race([Promise.allSettled([...busy]), new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
        for (const socket of sockets) socket.destroy();
        await stopped;
      })();
      return closed;
    },
  };
}
