import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { CaptureSetupError, openCapture, type CaptureSink, type Claim } from '../capture/index.js';
import { fsErrorText } from '../capture/file-ops.js';
import { failure } from '../errors.js';
import { encodeBody, newCaptureId, RECORD_FORMAT, type DeliveryRecord } from '../records/record.js';
import { header } from '../schemes/headers.js';
import { getScheme, resolveScheme, verifyWith } from '../schemes/registry.js';
import type { Scheme, VerifyResult } from '../schemes/types.js';
import { Faults, isSuccess } from './faults.js';
import type { Forwarder, ForwardItem } from './forward.js';
import { BodyDeadlines, readBody } from './read-body.js';
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

/** receivedAt of deliveries nobody looks at (quiet, no capture): not worth a Date each. */
const UNSEEN = new Date(0);
const ACCEPTED_METHODS = new Set(['POST', 'PUT', 'PATCH']);
const REDACTED = '[redacted: listener secret]';
const REDACTED_CREDENTIAL = '[redacted: credential; --keep-header to keep]';

function json(value: unknown): string {
  return JSON.stringify(value);
}

/** Headers that carry a credential of the sender (not a MAC over the body): redacted unless kept. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'api-key', 'apikey', 'x-apikey', 'x-auth-token', 'x-access-token', 'x-amz-security-token', 'x-csrf-token', 'x-xsrf-token']);
const CREDENTIAL_PATTERN = /(?:^|-)(?:api-?key|auth-?token|access-?token|password|passwd)$/;

export function isCredentialHeader(name: string): boolean {
  return CREDENTIAL_HEADERS.has(name) || CREDENTIAL_PATTERN.test(name);
}

/** Headers as received, repeats folded: what the app behind the listener gets. */
function rawHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  const raw = req.headers;
  for (const key in raw) {
    const value = raw[key];
    if (value !== undefined) out[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/**
 * Headers safe to store and show. Signature headers stay (replay --as-is needs them, and they are
 * MACs over this body, not keys); the sender's credentials go unless kept with --keep-header; a
 * header holding the listener's own secret always goes.
 */
function safeHeaders(headers: Record<string, string>, secrets: readonly string[], keep: ReadonlySet<string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key in headers) {
    let text = headers[key]!;
    if (isCredentialHeader(key) && !keep.has(key)) text = REDACTED_CREDENTIAL;
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
  const keepHeaders: ReadonlySet<string> = new Set((options.keepHeaders ?? []).map((name) => name.toLowerCase()));

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
      headers: safeHeaders(rawHeaders(req), secrets, keepHeaders),
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

  const deadlines = new BodyDeadlines(bodyTimeoutMs);

  /** Answers one request; calls `done` when it has been answered (or dropped). Never throws into Node. */
  function handle(req: IncomingMessage, res: ServerResponse, done: () => void): void {
    const started = performance.now();
    const url = req.url ?? '/';
    const method = req.method ?? '';
    if (options.path !== undefined) {
      const q = url.indexOf('?');
      const pathname = q < 0 ? url : url.slice(0, q);
      if (pathname !== options.path) {
        refusal(req, res, started, { status: 404, body: json({ error: `nothing here: deliveries go to ${options.path}`, reason: 'not_found' }) }, 'not_found');
        return done();
      }
    }
    if (!ACCEPTED_METHODS.has(method)) {
      refusal(req, res, started, { status: 405, headers: { allow: 'POST, PUT, PATCH' }, body: json({ error: `${method} is not accepted: webhooks are POSTed`, reason: 'method_not_allowed' }) }, 'method_not_allowed');
      return done();
    }
    readBody(req, maxBodyBytes, deadlines, (outcome) => {
      if (!outcome.ok) {
        if (outcome.reason === 'body_too_large') {
          refusal(req, res, started, { status: 413, body: json({ error: `the body is over the ${maxBodyBytes}-byte limit (--max-body)`, reason: 'body_too_large' }) }, 'body_too_large');
        } else if (outcome.reason === 'body_timeout') {
          refusal(req, res, started, { status: 408, body: json({ error: 'the body did not arrive in time', reason: 'body_timeout' }) }, 'body_timeout');
        }
        return done();
      }
      let pending: void | Promise<void>;
      try {
        pending = processDelivery(req, res, outcome.body, started);
      } catch (error) {
        failed(req, res, error);
        return done();
      }
      if (pending) pending.then(done, (error: unknown) => (failed(req, res, error), done()));
      else done();
    });
  }

  function failed(req: IncomingMessage, res: ServerResponse, error: unknown): void {
    warn(`unexpected error while handling ${req.method} ${req.url}: ${(error as Error)?.message ?? error}`);
    send(res, { status: 500, body: json({ error: 'internal error in the listener', reason: 'internal_error' }) });
  }

  // Headers, event type and the record are built only when someone looks at them: the capture,
  // the display, or the app. A quiet verify-only listener skips that work (and a JSON parse).
  const detailed = options.captureDir !== undefined || options.onDelivery !== undefined || options.forward !== undefined;
  const capturing = options.captureDir !== undefined;
  const EMPTY_HEADERS: Record<string, string> = Object.freeze({}) as Record<string, string>;

  function processDelivery(req: IncomingMessage, res: ServerResponse, body: Buffer, started: number): void | Promise<void> {
    const receivedAt = detailed ? new Date() : UNSEEN;
    const path = req.url ?? '/';
    const base = publicBase ?? `http://${req.headers.host ?? listenerUrl.slice(7).split('/')[0]}`;

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
    const key = eventId ?? bodyHash(body);
    const received = detailed ? rawHeaders(req) : EMPTY_HEADERS;

    const delivery: Delivery = {
      // The capture id only means something to a capture or a display.
      id: detailed ? newCaptureId(receivedAt) : '',
      receivedAt,
      method: req.method ?? 'POST',
      path,
      headers: detailed ? safeHeaders(received, secrets, keepHeaders) : EMPTY_HEADERS,
      body,
      bytes: body.length,
      scheme: scheme?.name ?? null,
      eventId,
      eventType: detailed ? (idScheme.eventType(req.headers, body) ?? null) : null,
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
    const context: Pending = { req, res, delivery, base, started, scheme, received };

    let answer: Answer | Promise<Answer>;
    if (verified === false) {
      answer = afterStore(store(context), () => ({
        status: 401,
        body: json({ error: `signature verification failed: ${verification!.message}`, reason: verification!.reason }),
      }));
    } else {
      const fault = faults.decide(key);
      if (fault) {
        stats.injected++;
        delivery.note = fault.note;
        const headers: Record<string, string> = {};
        if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
        answer = afterStore(store(context), () => ({ status: fault.status, headers, body: json({ error: fault.note, reason: 'injected_failure' }) }));
      } else {
        answer = accept(context, key);
      }
    }
    if (answer instanceof Promise || faults.delayMs > 0) return finishAsync(context, answer);
    finish(context, answer);
  }

  interface Pending {
    req: IncomingMessage;
    res: ServerResponse;
    delivery: Delivery;
    base: string;
    started: number;
    scheme: Scheme | undefined;
    /** Unredacted headers, for the app behind the listener only. */
    received: Record<string, string>;
  }

  async function finishAsync(context: Pending, answer: Answer | Promise<Answer>): Promise<void> {
    const resolved = await answer;
    if (faults.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.delayMs));
    finish(context, resolved);
  }

  function finish({ req, res, delivery, started }: Pending, answer: Answer): void {
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

  function afterStore(stored: boolean | Promise<boolean>, then: (ok: boolean) => Answer): Answer | Promise<Answer> {
    return stored instanceof Promise ? stored.then(then) : then(stored);
  }

  function record({ delivery, base }: Pending): DeliveryRecord {
    return {
      format: RECORD_FORMAT,
      id: delivery.id,
      capturedAt: delivery.receivedAt.toISOString(),
      receivedAt: base,
      method: delivery.method,
      path: delivery.path,
      headers: delivery.headers,
      ...encodeBody(delivery.body),
      scheme: delivery.scheme,
      eventId: delivery.eventId,
      eventType: delivery.eventType,
      verified: delivery.verified,
      reason: delivery.reason,
      duplicate: delivery.duplicate,
    };
  }

  /** Records the delivery: true once written; false (and a warning) when the disk refused. Synchronous true without capture. */
  function store(context: Pending): boolean | Promise<boolean> {
    if (!capturing) return true;
    const { delivery } = context;
    return capture.write(record(context)).then(
      (path) => {
        delivery.capture = path;
        stats.captured++;
        return true;
      },
      (error: unknown) => {
        stats.captureErrors++;
        warn(`capture failed for ${delivery.id} (${fsErrorText(error)}); answering 503 so the sender retries`);
        return false;
      },
    );
  }

  function okAnswer(delivery: Delivery, duplicate: boolean): Answer {
    return {
      status: faults.successStatus(),
      body: `{"ok":true,${delivery.id ? `"id":"${delivery.id}",` : ''}"eventId":${delivery.eventId === null ? 'null' : json(delivery.eventId)},"duplicate":${duplicate}}`,
    };
  }

  /** A verified (or unverifiable, no secret) delivery: dedupe, capture, forward, answer. */
  function accept(context: Pending, key: string): Answer | Promise<Answer> {
    const claimed = ledger.claim(key);
    if (claimed instanceof Promise) return claimed.then((claim) => acceptClaimed(context, claim));
    return acceptClaimed(context, claimed);
  }

  function acceptClaimed(context: Pending, claim: Claim): Answer | Promise<Answer> {
    const { delivery } = context;
    if (claim.duplicate) {
      delivery.duplicate = true;
      return afterStore(store(context), (ok) => (ok ? okAnswer(delivery, true) : unavailable(delivery)));
    }
    if (!forwarder) return storeAndCommit(context, claim);
    const stored = store(context);
    if (stored instanceof Promise) {
      return stored.then((ok) => {
        if (!ok) {
          claim.release();
          return unavailable(delivery);
        }
        return afterCapture(context, claim);
      });
    }
    return afterCapture(context, claim);
  }

  /**
   * No app to ask: the delivery is processed once it is recorded, so the capture and the ledger
   * entry are written together, and under --durable their fsyncs overlap (one commit round, not
   * two). If only the capture fails the id stays committed: the sender's retry (after our 503) is
   * then captured as a duplicate, so the bytes are still kept.
   */
  function storeAndCommit(context: Pending, claim: Exclude<Claim, { duplicate: true }>): Answer | Promise<Answer> {
    const { delivery } = context;
    const stored = store(context);
    const committing = claim.commit(delivery.id);
    if (!(stored instanceof Promise) && !committing) return stored ? okAnswer(delivery, false) : unavailable(delivery);
    const committed = committing
      ? committing.then(
          () => true,
          (error: unknown) => {
            stats.captureErrors++;
            warn(`the idempotency ledger could not be written (${fsErrorText(error)}); answering 503 so the sender retries`);
            return false;
          },
        )
      : true;
    return Promise.all([stored, committed]).then(([ok, done]) => (ok && done ? okAnswer(delivery, false) : unavailable(delivery)));
  }

  function commitThen(claim: Exclude<Claim, { duplicate: true }>, delivery: Delivery, then: () => Answer): Answer | Promise<Answer> {
    const committing = claim.commit(delivery.id);
    if (!committing) return then();
    return committing.then(then, (error: unknown) => {
      stats.captureErrors++;
      warn(`the idempotency ledger could not be written (${fsErrorText(error)}); answering 503 so the sender retries`);
      return unavailable(delivery);
    });
  }

  function afterCapture(context: Pending, claim: Exclude<Claim, { duplicate: true }>): Answer | Promise<Answer> {
    const { delivery } = context;
    const item: ForwardItem = { id: delivery.id, eventId: delivery.eventId, method: delivery.method, headers: context.received, body: delivery.body, scheme: context.scheme };
    if (ackFirst) {
      return commitThen(claim, delivery, () => {
        forwarder!.enqueue(item);
        delivery.forwardQueued = true;
        return okAnswer(delivery, false);
      });
    }
    return forwarder!.once(item).then((result) => {
      delivery.forward = { status: result.status, ms: result.ms, error: result.error ?? null } satisfies ForwardResult;
      if (result.status !== null && isSuccess(result.status)) {
        stats.forwarded++;
        return commitThen(claim, delivery, () => {
          const ok = okAnswer(delivery, false);
          if (result.status !== 200) ok.status = result.status!;
          return ok;
        });
      }
      // Not processed by the app: the sender's retry must reach it again, so the id stays open.
      claim.release();
      stats.forwardFailed++;
      if (result.status === null) {
        delivery.note = `forward failed: ${result.error}`;
        return { status: 502, body: json({ error: `could not reach your app at ${options.forward!.url}: ${result.error}`, reason: 'forward_failed' }) };
      }
      delivery.note = `your app answered ${result.status}`;
      return { status: result.status, body: json({ error: `your app answered ${result.status}`, reason: 'forward_status', app: result.snippet ?? '' }) };
    });
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

  const requestDone = () => {
    if (--inFlight === 0 && idleWaiters.length > 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const wake of waiters) wake();
    }
  };
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    inFlight++;
    try {
      handle(req, res, requestDone);
    } catch (error) {
      failed(req, res, error);
      requestDone();
    }
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
    deadlines.close();
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
    writes: () => ({ journal: { batches: capture.journal?.batches ?? 0, lines: capture.journal?.lines ?? 0 }, ledger: ledger.writes }),
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
