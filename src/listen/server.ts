import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { CaptureSetupError, openCapture, type CaptureSink, type Claim } from '../capture/index.js';
import { fsErrorText } from '../capture/file-ops.js';
import { failure } from '../errors.js';
import { encodeBody, newCaptureId, RECORD_FORMAT, type DeliveryRecord } from '../fixtures/record.js';
import { header } from '../schemes/headers.js';
import { getScheme, resolveScheme, verifyWith } from '../schemes/registry.js';
import type { Scheme, VerifyResult } from '../schemes/types.js';
import { Faults, isSuccess } from './faults.js';
import type { Forwarder, ForwardItem } from './forward.js';
import { readBody } from './read-body.js';
import type { Delivery, ForwardResult, ListenerHandle, ListenOptions, ListenStats, ListenSummary } from './types.js';

export const DEFAULTS = {
  port: 8787,
  host: '127.0.0.1',
  scheme: 'auto',
  toleranceSeconds: 300,
  maxBodyBytes: 1024 * 1024,
  headerTimeoutMs: 10_000,
  bodyTimeoutMs: 30_000,
  drainTimeoutMs: 10_000,
} as const;

const ACCEPTED_METHODS = new Set(['POST', 'PUT', 'PATCH']);
const REDACTED = '[redacted: listener secret]';

function json(value: unknown): string {
  return JSON.stringify(value);
}

function plainHeaders(req: IncomingMessage, secrets: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const raw = req.headers;
  for (const key in raw) {
    const value = raw[key];
    if (value === undefined) continue;
    let text = Array.isArray(value) ? value.join(', ') : value;
    // A sender may echo the shared secret in a header (Authorization: Bearer …); it must not reach the disk.
    for (const secret of secrets) if (text.includes(secret)) text = REDACTED;
    out[key] = text;
  }
  return out;
}

function bodyHash(body: Uint8Array): string {
  return `sha256:${createHash('sha256').update(body).digest('hex')}`;
}

interface Answer {
  status: number;
  body?: string;
  headers?: Record<string, string | number>;
}

/**
 * Starts the verifying listener. Options in, a handle out; it knows nothing of the terminal.
 * Every request is answered once and reported through onDelivery; nothing a client sends can
 * crash it.
 */
export async function startListener(options: ListenOptions = {}): Promise<ListenerHandle> {
  const secrets = options.secrets ?? [];
  const schemeName = options.scheme ?? DEFAULTS.scheme;
  const schemeOptions = options.schemeOptions ?? {};
  const toleranceSeconds = options.toleranceSeconds ?? DEFAULTS.toleranceSeconds;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULTS.maxBodyBytes;
  const headerTimeoutMs = options.headerTimeoutMs ?? DEFAULTS.headerTimeoutMs;
  const bodyTimeoutMs = options.bodyTimeoutMs ?? DEFAULTS.bodyTimeoutMs;
  const drainTimeoutMs = options.drainTimeoutMs ?? DEFAULTS.drainTimeoutMs;
  const now = options.now ?? Date.now;
  const faults = new Faults(options.faults);
  const warn = options.onWarning ?? (() => {});
  // Ids and types of deliveries no scheme claims: the generic scheme reads X-Event-Id and a JSON "id".
  const fallbackScheme = getScheme('hmac', schemeOptions);
  // A fixed scheme is built once; `auto` is resolved per request.
  const fixedScheme = schemeName === 'auto' ? undefined : getScheme(schemeName, schemeOptions);
  const publicBase = options.publicUrl;

  let capture: CaptureSink;
  try {
    capture = await openCapture({
      ...(options.captureDir !== undefined ? { dir: options.captureDir } : {}),
      files: options.captureFiles ?? false,
      durable: options.durable ?? false,
      ...(options.fileOps ? { ops: options.fileOps } : {}),
    });
  } catch (error) {
    if (error instanceof CaptureSetupError) throw failure(error.message);
    throw error;
  }
  const ledger = capture.ledger;

  let forwarder: Forwarder | undefined;
  if (options.forward) {
    const { createForwarder } = await import('./forward.js');
    forwarder = createForwarder(options.forward, {
      scheme: schemeName,
      schemeOptions,
      onForward: (result) => {
        if (result.delivered) stats.forwarded++;
        else stats.forwardFailed++;
        options.onForward?.(result);
      },
    });
  }
  const ackFirst = options.forward?.ackFirst ?? false;

  const stats: ListenStats = { received: 0, verified: 0, rejected: 0, duplicates: 0, forwarded: 0, forwardFailed: 0, injected: 0, resets: 0, captured: 0, captureErrors: 0 };
  let inFlight = 0;
  let idleWaiters: Array<() => void> = [];
  let closing = false;
  let listenerUrl = '';

  function emit(delivery: Delivery): void {
    stats.received++;
    if (delivery.verified === true) stats.verified++;
    if (delivery.duplicate) stats.duplicates++;
    if (delivery.reset) stats.resets++;
    if (delivery.status !== null && (delivery.status === 401 || delivery.status === 404 || delivery.status === 405 || delivery.status === 408 || delivery.status === 413)) stats.rejected++;
    try {
      options.onDelivery?.(delivery);
    } catch (error) {
      warn(`a delivery could not be displayed: ${(error as Error).message}`);
    }
  }

  function send(res: ServerResponse, answer: Answer): void {
    if (res.headersSent || res.destroyed) return;
    const headers: Record<string, string | number> = { ...answer.headers };
    if (closing) headers.connection = 'close';
    if (answer.status === 204 || answer.status === 304 || answer.body === undefined) {
      res.writeHead(answer.status, headers);
      res.end();
      return;
    }
    headers['content-type'] ??= 'application/json';
    headers['content-length'] = Buffer.byteLength(answer.body);
    res.writeHead(answer.status, headers);
    res.end(answer.body);
  }

  /** Answers without reading the (rest of the) body, then closes the connection instead of draining it. */
  function refuse(req: IncomingMessage, res: ServerResponse, answer: Answer): void {
    const hasBody = req.headers['content-length'] !== undefined ? req.headers['content-length'] !== '0' : req.headers['transfer-encoding'] !== undefined;
    if (hasBody && !req.complete) {
      answer.headers = { ...answer.headers, connection: 'close' };
      res.once('finish', () => closeAfterAnswer(req.socket));
    }
    send(res, answer);
  }

  function refusal(req: IncomingMessage, res: ServerResponse, started: number, answer: Answer, reason: string): void {
    refuse(req, res, answer);
    emit(bareDelivery(req, answer.status, reason, started));
  }

  function bareDelivery(req: IncomingMessage, status: number | null, reason: string, started: number): Delivery {
    return {
      id: newCaptureId(),
      receivedAt: new Date(),
      method: req.method ?? '',
      path: req.url ?? '',
      headers: plainHeaders(req, secrets),
      body: Buffer.alloc(0),
      bytes: Number(req.headers['content-length'] ?? 0) || 0,
      scheme: null,
      eventId: null,
      eventType: null,
      idempotencyKey: null,
      verified: null,
      reason,
      verification: null,
      duplicate: false,
      status,
      reset: false,
      note: null,
      capture: null,
      forward: null,
      forwardQueued: false,
      ms: Math.round(performance.now() - started),
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const url = req.url ?? '/';
    const method = req.method ?? '';
    if (options.path !== undefined) {
      const q = url.indexOf('?');
      const pathname = q < 0 ? url : url.slice(0, q);
      if (pathname !== options.path) {
        refusal(req, res, started, { status: 404, body: json({ error: `nothing here: deliveries go to ${options.path}`, reason: 'not_found' }) }, 'not_found');
        return;
      }
    }
    if (!ACCEPTED_METHODS.has(method)) {
      refusal(req, res, started, { status: 405, headers: { allow: 'POST, PUT, PATCH' }, body: json({ error: `${method} is not accepted: webhooks are POSTed`, reason: 'method_not_allowed' }) }, 'method_not_allowed');
      return;
    }
    const read = readBody(req, maxBodyBytes, bodyTimeoutMs);
    const outcome = 'ok' in read ? read : await read;
    if (!outcome.ok) {
      if (outcome.reason === 'aborted') return;
      if (outcome.reason === 'body_too_large') {
        refusal(req, res, started, { status: 413, body: json({ error: `the body is over the ${maxBodyBytes}-byte limit (--max-body)`, reason: 'body_too_large' }) }, 'body_too_large');
      } else {
        refusal(req, res, started, { status: 408, body: json({ error: 'the body did not arrive in time', reason: 'body_timeout' }) }, 'body_timeout');
      }
      return;
    }
    await processDelivery(req, res, outcome.body, started);
  }

  async function processDelivery(req: IncomingMessage, res: ServerResponse, body: Buffer, started: number): Promise<void> {
    const receivedAt = new Date();
    const path = req.url ?? '/';
    const host = req.headers.host;
    const base = publicBase ?? `http://${host ?? listenerUrl.slice(7).split('/')[0]}`;

    let scheme: Scheme | undefined;
    let verification: VerifyResult | null = null;
    if (secrets.length > 0) {
      const checked = verifyWith(
        schemeName,
        { body, headers: req.headers, secrets, toleranceSeconds, nowMs: now(), url: publicBase ? new URL(path, publicBase).href : `${base}${path}` },
        schemeOptions,
      );
      scheme = checked.scheme;
      verification = checked.result;
    } else {
      scheme = fixedScheme ?? resolveScheme(schemeName, req.headers, schemeOptions);
    }
    const verified = verification ? verification.verified : null;
    const idScheme = scheme ?? fallbackScheme;
    const eventId = (options.idHeader ? header(req.headers, options.idHeader) : undefined) ?? idScheme.eventId(req.headers, body) ?? null;
    const eventType = idScheme.eventType(req.headers, body) ?? null;
    const key = eventId ?? bodyHash(body);

    const delivery: Delivery = {
      id: newCaptureId(receivedAt),
      receivedAt,
      method: req.method ?? 'POST',
      path,
      headers: plainHeaders(req, secrets),
      body,
      bytes: body.length,
      scheme: scheme?.name ?? null,
      eventId,
      eventType,
      idempotencyKey: key,
      verified,
      reason: verification?.reason ?? null,
      verification,
      duplicate: false,
      status: null,
      reset: false,
      note: null,
      capture: null,
      forward: null,
      forwardQueued: false,
      ms: 0,
    };

    const record = (): DeliveryRecord => ({
      format: RECORD_FORMAT,
      id: delivery.id,
      capturedAt: receivedAt.toISOString(),
      receivedAt: base,
      method: delivery.method,
      path,
      headers: delivery.headers,
      ...encodeBody(body),
      scheme: delivery.scheme,
      eventId,
      eventType,
      verified,
      reason: delivery.reason,
      duplicate: delivery.duplicate,
    });
    /** Records the delivery; false (and a warning) when the disk refused. */
    const store = async (): Promise<boolean> => {
      try {
        delivery.capture = await capture.write(record());
        if (delivery.capture !== null) stats.captured++;
        return true;
      } catch (error) {
        stats.captureErrors++;
        warn(`capture failed for ${delivery.id} (${fsErrorText(error)}); answering 503 so the sender retries`);
        return false;
      }
    };

    let answer: Answer;
    if (verified === false) {
      await store();
      answer = { status: 401, body: json({ error: `signature verification failed: ${verification!.message}`, reason: verification!.reason }) };
    } else {
      const fault = faults.decide(key);
      if (fault) {
        stats.injected++;
        delivery.note = fault.note;
        await store();
        const headers: Record<string, string> = {};
        if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
        answer = { status: fault.status, headers, body: json({ error: fault.note, reason: 'injected_failure' }) };
      } else {
        answer = await accept(delivery, body, scheme, key, store);
      }
    }

    if (faults.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.delayMs));
    if (faults.shouldReset()) {
      delivery.reset = true;
      req.socket.destroy();
    } else {
      delivery.status = answer.status;
      send(res, answer);
    }
    delivery.ms = Math.round(performance.now() - started);
    emit(delivery);
  }

  /** A verified (or unverifiable, no secret) delivery: dedupe, capture, forward, answer. */
  async function accept(delivery: Delivery, body: Buffer, scheme: Scheme | undefined, key: string, store: () => Promise<boolean>): Promise<Answer> {
    const claim: Claim = await ledger.claim(key);
    const okStatus = faults.successStatus();
    const okBody = (duplicate: boolean) => json({ ok: true, id: delivery.id, eventId: delivery.eventId, duplicate });
    if (claim.duplicate) {
      delivery.duplicate = true;
      if (!(await store())) return unavailable(delivery);
      return { status: okStatus, body: okBody(true) };
    }
    if (!(await store())) {
      claim.release();
      return unavailable(delivery);
    }
    const commit = async (): Promise<boolean> => {
      try {
        await claim.commit(delivery.id);
        return true;
      } catch (error) {
        stats.captureErrors++;
        warn(`the idempotency ledger could not be written (${fsErrorText(error)}); answering 503 so the sender retries`);
        return false;
      }
    };
    if (!forwarder) {
      if (!(await commit())) return unavailable(delivery);
      return { status: okStatus, body: okBody(false) };
    }
    const item: ForwardItem = { id: delivery.id, eventId: delivery.eventId, method: delivery.method, headers: delivery.headers, body, scheme };
    if (ackFirst) {
      if (!(await commit())) return unavailable(delivery);
      forwarder.enqueue(item);
      delivery.forwardQueued = true;
      return { status: okStatus, body: okBody(false) };
    }
    const result = await forwarder.once(item);
    delivery.forward = { status: result.status, ms: result.ms, error: result.error ?? null } satisfies ForwardResult;
    if (result.status !== null && isSuccess(result.status)) {
      stats.forwarded++;
      if (!(await commit())) return unavailable(delivery);
      return { status: result.status === 200 ? okStatus : result.status, body: okBody(false) };
    }
    // Not processed by the app: the sender's retry must reach it again, so the id stays open.
    claim.release();
    stats.forwardFailed++;
    if (result.status === null) {
      delivery.note = `forward failed: ${result.error}`;
      return { status: 502, body: json({ error: `could not reach your app at ${options.forward!.url}: ${result.error}`, reason: 'forward_failed' }) };
    }
    delivery.note = `your app answered ${result.status}`;
    return {
      status: result.status,
      body: json({ error: `your app answered ${result.status}`, reason: 'forward_status', app: result.snippet ?? '' }),
    };
  }

  function unavailable(delivery: Delivery): Answer {
    delivery.note = 'capture failed';
    return { status: 503, headers: { 'retry-after': '1' }, body: json({ error: 'the delivery could not be recorded; retry', reason: 'capture_failed' }) };
  }

  /** Whether the request would get past the path, method and size checks (so a 100 Continue is worth sending). */
  function wantsBody(req: IncomingMessage): boolean {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    if (options.path !== undefined && (q < 0 ? url : url.slice(0, q)) !== options.path) return false;
    if (!ACCEPTED_METHODS.has(req.method ?? '')) return false;
    const declared = req.headers['content-length'];
    return declared === undefined || Number(declared) <= maxBodyBytes;
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    inFlight++;
    handle(req, res)
      .catch((error: unknown) => {
        warn(`unexpected error while handling ${req.method} ${req.url}: ${(error as Error)?.message ?? error}`);
        send(res, { status: 500, body: json({ error: 'internal error in the listener', reason: 'internal_error' }) });
      })
      .finally(() => {
        if (--inFlight === 0 && idleWaiters.length > 0) {
          const waiters = idleWaiters;
          idleWaiters = [];
          for (const wake of waiters) wake();
        }
      });
  };

  const server: Server = createServer(
    {
      headersTimeout: headerTimeoutMs,
      requestTimeout: headerTimeoutMs + bodyTimeoutMs,
      // Node checks the timeouts on this interval (30s by default): check often enough to honour them.
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(headerTimeoutMs / 4))),
      keepAliveTimeout: 5_000,
    },
    onRequest,
  );
  // Expect: 100-continue: a body we would refuse is refused before the client sends it.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    if (wantsBody(req)) res.writeContinue();
    onRequest(req, res);
  });

  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable || (socket as Socket & { _httpMessage?: unknown })._httpMessage) {
      socket.destroy();
      return;
    }
    const code = error.code;
    const [status, text] =
      code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout']
        : code === 'HPE_HEADER_OVERFLOW'
          ? [431, 'Request Header Fields Too Large']
          : [400, 'Bad Request'];
    const body = json({ error: `${text.toLowerCase()}: ${code ?? error.message}`, reason: code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'header_timeout' : 'bad_request' });
    socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    socket.destroySoon?.();
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      const port = options.port ?? DEFAULTS.port;
      if (error.code === 'EADDRINUSE') reject(failure(`--port: ${port} is already in use on ${options.host ?? DEFAULTS.host} (pick another, or --port 0 for a free one)`));
      else if (error.code === 'EACCES') reject(failure(`--port: not allowed to listen on port ${port} (ports below 1024 need privileges)`));
      else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') reject(failure(`--host: cannot listen on ${options.host} (${error.code})`));
      else reject(failure(`cannot listen: ${error.message}`));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(options.port ?? DEFAULTS.port, options.host ?? DEFAULTS.host);
  }).catch(async (error) => {
    await forwarder?.close();
    await capture.close();
    throw error;
  });
  server.on('error', (error) => warn(`server error: ${error.message}`));

  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  listenerUrl = `http://${hostForUrl}:${address.port}${options.path ?? '/'}`;

  let closed: Promise<ListenSummary> | undefined;
  async function shutdown(): Promise<ListenSummary> {
    closing = true;
    const deadline = Date.now() + drainTimeoutMs;
    const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    let abandonedRequests = 0;
    if (inFlight > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        idleWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      abandonedRequests = inFlight;
    }
    let abandonedForwards = 0;
    if (forwarder) {
      abandonedForwards = await forwarder.drain(Math.max(0, deadline - Date.now()));
      await forwarder.close();
    }
    await capture.close();
    server.closeAllConnections();
    await serverClosed;
    return { ...stats, abandonedForwards, abandonedRequests };
  }

  return {
    url: listenerUrl,
    port: address.port,
    stats,
    capture: {
      dir: capture.dir ?? null,
      journal: capture.journalPath ?? null,
      files: Boolean(options.captureFiles) && capture.dir !== undefined,
      ledgerEntries: capture.ledgerLoad.entries,
      tornJournal: capture.tornJournal,
      tornLedger: capture.ledgerLoad.tornTail,
    },
    close() {
      closed ??= shutdown();
      return closed;
    },
  };
}

/**
 * After refusing a body we did not read: end our side at once, and drop the connection if the
 * client keeps it open, rather than reading (and discarding) what it still sends.
 */
function closeAfterAnswer(socket: Socket): void {
  socket.end();
  const timer = setTimeout(() => socket.destroy(), 2_000);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}
