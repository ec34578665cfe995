import type { IncomingMessage } from 'node:http';
import { json, type Answer } from './http-answer.js';

const ACCEPTED_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/** A request turned away at the door, before its body is read. */
export interface Refusal {
  answer: Answer;
  reason: string;
}

/**
 * The door: which requests are deliveries at all. Off-path requests and methods other than
 * POST/PUT/PATCH are refused before their body is read.
 */
export class Admission {
  constructor(
    private readonly path: string | undefined,
    private readonly maxBodyBytes: number,
    /** A GET that is a provider's URL challenge (Meta, Dropbox, Okta) is let in to be answered. */
    private readonly isGetChallenge: (req: IncomingMessage) => boolean = () => false,
  ) {}

  refusal(req: IncomingMessage): Refusal | undefined {
    if (!this.onPath(req.url ?? '/')) {
      return { reason: 'not_found', answer: { status: 404, body: json({ error: `nothing here: deliveries go to ${this.path}`, reason: 'not_found' }) } };
    }
    const method = req.method ?? '';
    if (!ACCEPTED_METHODS.has(method) && !(method === 'GET' && this.isGetChallenge(req))) {
      return {
        reason: 'method_not_allowed',
        answer: { status: 405, headers: { allow: 'POST, PUT, PATCH' }, body: json({ error: `${method} is not accepted: webhooks are POSTed`, reason: 'method_not_allowed' }) },
      };
    }
    return undefined;
  }

  /** Whether the request would get past the path, method and size checks (so a 100 Continue is worth sending). */
  wantsBody(req: IncomingMessage): boolean {
    if (!this.onPath(req.url ?? '/') || !ACCEPTED_METHODS.has(req.method ?? '')) return false;
    const declared = req.headers['content-length'];
    return declared === undefined || Number(declared) <= this.maxBodyBytes;
  }

  tooLarge(): Refusal {
    return { reason: 'body_too_large', answer: { status: 413, body: json({ error: `the body is over the ${this.maxBodyBytes}-byte limit (--max-body)`, reason: 'body_too_large' }) } };
  }

  static bodyTimeout(): Refusal {
    return { reason: 'body_timeout', answer: { status: 408, body: json({ error: 'the body did not arrive in time', reason: 'body_timeout' }) } };
  }

  private onPath(url: string): boolean {
    if (this.path === undefined) return true;
    const q = url.indexOf('?');
    return (q < 0 ? url : url.slice(0, q)) === this.path;
  }
}
