import type { IncomingHttpHeaders } from 'node:http';
import Stripe from 'stripe';
import { verify as verifyGithub } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';
import twilio from 'twilio';
import { startServer, type ReceivedRequest, type TestServer } from '../helpers/server.js';

/** What the provider's official library made of one request. */
export interface Judged {
  request: ReceivedRequest;
  at: number;
  verified: boolean;
  error?: string;
  /** The event id as a receiver would dedupe on it. */
  eventId?: string;
  /** The signed timestamp (Unix seconds), for timestamped schemes. */
  timestamp?: number;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Never answer (to exercise timeouts). */
  hang?: boolean;
}

export interface VerifyingReceiver {
  url: string;
  server: TestServer;
  judged: Judged[];
  waitFor(count: number, timeoutMs?: number): Promise<Judged[]>;
  close(): Promise<void>;
}

const stripe = new Stripe('sk_test_hookctl');

function one(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  return Array.isArray(value) ? value[0]! : (value ?? '');
}

async function judge(scheme: string, secret: string, request: ReceivedRequest, url: string): Promise<Omit<Judged, 'request' | 'at'>> {
  const text = request.body.toString('utf8');
  try {
    switch (scheme) {
      case 'stripe': {
        const event = stripe.webhooks.constructEvent(text, one(request.headers, 'stripe-signature'), secret);
        const t = /t=(\d+)/.exec(one(request.headers, 'stripe-signature'))?.[1];
        return { verified: true, eventId: event.id, timestamp: Number(t) };
      }
      case 'github': {
        const ok = await verifyGithub(secret, text, one(request.headers, 'x-hub-signature-256'));
        return ok ? { verified: true, eventId: one(request.headers, 'x-github-delivery') } : { verified: false, error: 'octokit: signature does not match' };
      }
      case 'standard': {
        new Webhook(secret).verify(text, {
          'webhook-id': one(request.headers, 'webhook-id'),
          'webhook-timestamp': one(request.headers, 'webhook-timestamp'),
          'webhook-signature': one(request.headers, 'webhook-signature'),
        });
        return { verified: true, eventId: one(request.headers, 'webhook-id'), timestamp: Number(one(request.headers, 'webhook-timestamp')) };
      }
      case 'twilio': {
        const full = `${url}${request.url}`;
        const signature = one(request.headers, 'x-twilio-signature');
        const ok = full.includes('bodySHA256=')
          ? twilio.validateRequestWithBody(secret, signature, full, text)
          : twilio.validateRequest(secret, signature, full, Object.fromEntries(new URLSearchParams(text)));
        return ok ? { verified: true, eventId: one(request.headers, 'i-twilio-idempotency-token') } : { verified: false, error: 'twilio: signature does not match' };
      }
      default:
        throw new Error(`no official verifier for ${scheme} in these tests`);
    }
  } catch (error) {
    return { verified: false, error: (error as Error).message };
  }
}

/**
 * A real receiver that checks every request with the provider's own library, then answers as
 * `answer(n)` says (n counts requests from 1). Unverified requests get a 401 unless `answer` says otherwise.
 */
export async function startVerifyingReceiver(scheme: string, secret: string, answer: (n: number, judged: Judged) => Answer = () => ({ status: 200 })): Promise<VerifyingReceiver> {
  const judged: Judged[] = [];
  let wake: Array<() => void> = [];
  let url = '';
  const server = await startServer(async (request, res) => {
    const verdict = { request, at: performance.now(), ...(await judge(scheme, secret, request, url)) };
    judged.push(verdict);
    const waiting = wake;
    wake = [];
    for (const resolve of waiting) resolve();
    const reply = verdict.verified ? answer(judged.length, verdict) : { status: 401, body: JSON.stringify({ error: verdict.error }) };
    if (reply.hang) return;
    res.writeHead(reply.status, reply.headers ?? {}).end(reply.body ?? '');
  });
  url = server.url;
  return {
    url: server.url,
    server,
    judged,
    async waitFor(count, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (judged.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`expected ${count} judged requests, got ${judged.length}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return judged;
    },
    close: () => server.close(),
  };
}

/** Parses NDJSON stdout, failing the test on any line that is not a typed record. */
export function records(stdout: string): Array<Record<string, unknown> & { type: string }> {
  return stdout
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => {
      const parsed = JSON.parse(line) as Record<string, unknown> & { type: string };
      if (typeof parsed.type !== 'string') throw new Error(`record without a type: ${line}`);
      return parsed;
    });
}
