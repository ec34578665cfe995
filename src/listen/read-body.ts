import type { IncomingMessage } from 'node:http';

export type BodyOutcome =
  | { ok: true; body: Buffer }
  | { ok: false; reason: 'body_too_large' | 'body_timeout' | 'aborted' };

/**
 * Deadlines for bodies still arriving, checked by one sweeping interval instead of a timer per
 * request (a timer each is measurable at tens of thousands of requests a second).
 */
export class BodyDeadlines {
  private readonly pending = new Map<() => void, number>();
  private timer: NodeJS.Timeout | undefined;
  private readonly timeoutMs: number;

  constructor(timeoutMs: number) {
    this.timeoutMs = timeoutMs;
  }

  add(onTimeout: () => void): void {
    this.pending.set(onTimeout, Date.now() + this.timeoutMs);
    if (!this.timer) {
      this.timer = setInterval(() => this.sweep(), Math.max(20, Math.min(1000, Math.floor(this.timeoutMs / 4))));
      this.timer.unref();
    }
  }

  delete(onTimeout: () => void): void {
    this.pending.delete(onTimeout);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [onTimeout, deadline] of this.pending) {
      if (deadline <= now) {
        this.pending.delete(onTimeout);
        onTimeout();
      }
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

/**
 * Reads a request body up to `maxBytes`, then calls `done` once. A declared Content-Length over
 * the limit is refused before a byte is read; a chunked body is counted as it arrives and refused
 * the moment it goes over. Either way the rest is not read: the caller answers and closes the
 * connection. Callback-based: the common case allocates no promise.
 */
export function readBody(req: IncomingMessage, maxBytes: number, deadlines: BodyDeadlines, done: (outcome: BodyOutcome) => void): void {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBytes) {
    done({ ok: false, reason: 'body_too_large' });
    return;
  }
  let first: Buffer | undefined;
  let chunks: Buffer[] | undefined;
  let size = 0;
  let finished = false;
  const finish = (outcome: BodyOutcome) => {
    if (finished) return;
    finished = true;
    deadlines.delete(onTimeout);
    req.off('data', onData);
    req.off('end', onEnd);
    req.off('error', onAbort);
    req.off('close', onClose);
    if (!outcome.ok) req.pause();
    done(outcome);
  };
  const onData = (chunk: Buffer) => {
    size += chunk.length;
    if (size > maxBytes) finish({ ok: false, reason: 'body_too_large' });
    else if (first === undefined) first = chunk;
    else (chunks ??= [first]).push(chunk);
  };
  const onEnd = () => finish({ ok: true, body: chunks ? Buffer.concat(chunks, size) : (first ?? Buffer.alloc(0)) });
  const onAbort = () => finish({ ok: false, reason: 'aborted' });
  const onClose = () => {
    if (!req.complete) onAbort();
  };
  const onTimeout = () => finish({ ok: false, reason: 'body_timeout' });
  deadlines.add(onTimeout);
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('error', onAbort);
  req.on('close', onClose);
}
