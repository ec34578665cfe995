import { findHandshake } from '../schemes/handshakes/index.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { failure } from '../errors.js';
import { Admission, type Refusal } from './admission.js';
import { assemble } from './assemble.js';
import { bind } from './bind.js';
import { DEFAULTS } from './defaults.js';
import { watchDescriptors } from './descriptors.js';
import { refusedDelivery } from './delivery.js';
import { answerClientError, json, refuseUnread, writeAnswer } from './http-answer.js';
import { Pipeline } from './pipeline.js';
import { BodyDeadlines, readBody } from './read-body.js';
import { RelayDoor } from './relayed.js';
import type { ListenerHandle, ListenOptions, ListenSummary } from './types.js';

export { DEFAULTS };

/**
 * Starts the verifying listener: options in, a handle out; it knows nothing of the terminal. This
 * file owns the HTTP server's life (the door, reading bodies, draining on close); what happens to a
 * delivery is the pipeline's (pipeline.ts), and which parts it is made of is assemble.ts's.
 * Every request is answered once and reported to the subscribers; nothing a client sends can crash it.
 */
const EMPTY_BODY = new Uint8Array(0);

export async function startListener(options: ListenOptions = {}): Promise<ListenerHandle> {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULTS.maxBodyBytes;
  const headerTimeoutMs = options.headerTimeoutMs ?? DEFAULTS.headerTimeoutMs;
  const drainTimeoutMs = options.drainTimeoutMs ?? DEFAULTS.drainTimeoutMs;

  const assembly = await assemble(options);
  const { stages, capture } = assembly;
  const { observers, redactor } = stages;
  const getChallenges = stages.handshakes.filter((handshake) => handshake.method === 'GET');
  const admission = new Admission(
    options.path,
    maxBodyBytes,
    getChallenges.length === 0 ? undefined : (req) => findHandshake(getChallenges, { method: 'GET', url: req.url ?? '/', headers: req.headers, body: EMPTY_BODY, secrets: stages.verify.secrets }) !== undefined,
  );
  const deadlines = new BodyDeadlines(options.bodyTimeoutMs ?? DEFAULTS.bodyTimeoutMs);
  const relayDoor = options.relayMarker === undefined ? undefined : new RelayDoor(options.relayMarker);

  let inFlight = 0;
  let idleWaiters: Array<() => void> = [];
  let closing = false;
  let boundHost = '';

  const pipeline = new Pipeline(stages, {
    publicBase: options.publicUrl,
    boundHost: () => boundHost,
    detailed: assembly.detailed,
    withHeaders: assembly.withHeaders,
    closing: () => closing,
  });

  function refuse(req: IncomingMessage, res: ServerResponse, started: number, { answer, reason }: Refusal, relayedFrom?: string): void {
    refuseUnread(req, res, answer, closing);
    const delivery = refusedDelivery(req, redactor, answer.status, reason, started);
    if (relayedFrom !== undefined) delivery.via = 'relay';
    observers.delivery(delivery);
  }

  function failed(req: IncomingMessage, res: ServerResponse, error: unknown): void {
    observers.warning(`unexpected error while handling ${req.method} ${redactor.path(req.url ?? '')}: ${(error as Error)?.message ?? error}`);
    writeAnswer(res, { status: 500, body: json({ error: 'internal error in the listener', reason: 'internal_error' }) }, closing);
  }

  /** Answers one request; calls `done` when it has been answered (or dropped). Never throws into Node. */
  function handle(req: IncomingMessage, res: ServerResponse, done: () => void): void {
    const started = performance.now();
    // A delivery the relay subscriber hands on over loopback (only looked for when --relay is on).
    const relayedFrom = relayDoor?.take(req);
    const refusal = admission.refusal(req);
    if (refusal) {
      refuse(req, res, started, refusal, relayedFrom);
      return done();
    }
    readBody(req, maxBodyBytes, deadlines, (outcome) => {
      if (!outcome.ok) {
        if (outcome.reason === 'body_too_large') refuse(req, res, started, admission.tooLarge(), relayedFrom);
        else if (outcome.reason === 'body_timeout') refuse(req, res, started, Admission.bodyTimeout(), relayedFrom);
        return done();
      }
      let pending: void | Promise<void>;
      try {
        pending = pipeline.process(req, res, outcome.body, started, relayedFrom);
      } catch (error) {
        failed(req, res, error);
        return done();
      }
      if (pending) pending.then(done, (error: unknown) => (failed(req, res, error), done()));
      else done();
    });
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
      requestTimeout: headerTimeoutMs + (options.bodyTimeoutMs ?? DEFAULTS.bodyTimeoutMs),
      // Node checks the timeouts on this interval (30s by default): check often enough to honour them.
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(headerTimeoutMs / 4))),
      keepAliveTimeout: 5_000,
    },
    onRequest,
  );
  // Expect: 100-continue: a body we would refuse is refused before the client sends it.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    if (admission.wantsBody(req)) res.writeContinue();
    onRequest(req, res);
  });
  server.on('clientError', answerClientError);
  watchDescriptors(server, (message) => observers.warning(message));

  await listen(server, options).catch(async (error) => {
    await assembly.close(0);
    throw error;
  });
  server.on('error', (error) => observers.warning(`server error: ${error.message}`));

  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  boundHost = `${hostForUrl}:${address.port}`;

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
    const abandonedForwards = await assembly.close(Math.max(0, deadline - Date.now()));
    deadlines.close();
    server.closeAllConnections();
    await serverClosed;
    return { ...assembly.stats.stats, abandonedForwards, abandonedRequests };
  }

  return {
    url: `http://${boundHost}${options.path ?? '/'}`,
    port: address.port,
    stats: assembly.stats.stats,
    capture: {
      dir: capture.dir ?? null,
      journal: capture.journalPath ?? null,
      files: Boolean(options.captureFiles) && capture.dir !== undefined,
      ledgerEntries: capture.ledgerLoad.entries,
      tornJournal: capture.tornJournal,
      tornLedger: capture.ledgerLoad.tornTail,
      warnings: capture.warnings,
    },
    outbox: assembly.outbox,
    queue: assembly.queue,
    writes: () => ({ journal: { batches: capture.journal?.batches ?? 0, lines: capture.journal?.lines ?? 0 }, ledger: capture.ledger.writes }),
    close() {
      closed ??= shutdown();
      return closed;
    },
  };
}

/** Binds the server; a port in use or a host that cannot be bound is one clear line. */
function listen(server: Server, options: ListenOptions): Promise<void> {
  const port = options.port ?? DEFAULTS.port;
  const host = options.host ?? DEFAULTS.host;
  return bind(server, port, host).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE') throw failure(`--port: ${port} is already in use on ${host} (pick another, or --port 0 for a free one)`);
    if (error.code === 'EACCES') throw failure(`--port: not allowed to listen on port ${port} (ports below 1024 need privileges)`);
    if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') throw failure(`--host: cannot listen on ${options.host} (${error.code})`);
    throw failure(`cannot listen: ${error.message}`);
  });
}
