import type { IncomingMessage } from 'node:http';

export type BodyOutcome =
  | { ok: true; body: Buffer }
  | { ok: false; reason: 'body_too_large' | 'body_timeout' | 'aborted' };

interface BodyState {
  maxBytes: number;
  size: number;
  first: Buffer | undefined;
  chunks: Buffer[] | undefined;
  deadlines: BodyDeadlines;
  done: (outcome: BodyOutcome) => void;
}

const STATE = Symbol('hookctl.body');
type Reading = IncomingMessage & { [STATE]?: BodyState | undefined };

/**
 * Deadlines for bodies still arriving, checked by one sweeping interval instead of a timer per
 * request (a timer each is measurable at tens of thousands of requests a second).
 */
export class BodyDeadlines {
  private readonly pending = new Map<Reading, number>();
  private timer: NodeJS.Timeout | undefined;
  private readonly timeoutMs: number;

  constructor(timeoutMs: number) {
    this.timeoutMs = timeoutMs;
  }

  add(req: Reading): void {
    this.pending.set(req, Date.now() + this.timeoutMs);
    if (!this.timer) {
      this.timer = setInterval(() => this.sweep(), Math.max(20, Math.min(1000, Math.floor(this.timeoutMs / 4))));
      this.timer.unref();
    }
  }

  delete(req: Reading): void {
    this.pending.delete(req);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [req, deadline] of this.pending) {
      if (deadline <= now) finish(req, TIMED_OUT);
    }
    if (this.pending.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

const TOO_LARGE: BodyOutcome = { ok: false, reason: 'body_too_large' };
const TIMED_OUT: BodyOutcome = { ok: false, reason: 'body_timeout' };
const ABORTED: BodyOutcome = { ok: false, reason: 'aborted' };
const EMPTY = Buffer.alloc(0);

// The listeners are shared by every request (`this` is the request): no closures per request.
function onData(this: Reading, chunk: Buffer): void {
  const state = this[STATE];
  if (!state) return;
  state.size += chunk.length;
  if (state.size > state.maxBytes) finish(this, TOO_LARGE);
  else if (state.first === undefined) state.first = chunk;
  else (state.chunks ??= [state.first]).push(chunk);
}

function onEnd(this: Reading): void {
  const state = this[STATE];
  if (!state) return;
  finish(this, { ok: true, body: state.chunks ? Buffer.concat(state.chunks, state.size) : (state.first ?? EMPTY) });
}

function onAbort(this: Reading): void {
  finish(this, ABORTED);
}

function onClose(this: Reading): void {
  if (!this.complete) finish(this, ABORTED);
}

function finish(req: Reading, outcome: BodyOutcome): void {
  const state = req[STATE];
  if (!state) return;
  req[STATE] = undefined;
  state.deadlines.delete(req);
  req.off('data', onData);
  req.off('end', onEnd);
  req.off('error', onAbort);
  req.off('close', onClose);
  if (!outcome.ok) req.pause();
  state.done(outcome);
}

/**
 * Reads a request body up to `maxBytes`, then calls `done` once. A declared Content-Length over
 * the limit is refused before a byte is read; a chunked body is counted as it arrives and refused
 * the moment it goes over. Either way the rest is not read: the caller answers and closes the
 * connection. Callback-based and closure-free: the common case allocates no promise.
 */
export function readBody(req: IncomingMessage, maxBytes: number, deadlines: BodyDeadlines, done: (outcome: BodyOutcome) => void): void {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBytes) {
    done(TOO_LARGE);
    return;
  }
  const reading = req as Reading;
  reading[STATE] = { maxBytes, size: 0, first: undefined, chunks: undefined, deadlines, done };
  deadlines.add(reading);
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('error', onAbort);
  req.on('close', onClose);
}
