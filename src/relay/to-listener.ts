import { Agent } from 'node:http';
import { decodeBody } from '../records/record.js';
import { RELAY_ENTRY_HEADER, relayEntryHeaderValue } from '../listen/relayed.js';
import type { RelayEntry } from './protocol.js';
import { requestOnce } from './relay-request.js';

/** What the listener answered a relayed delivery. */
export interface ListenerAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * How the relay is told an entry ended: `ack` (settled: processed, a duplicate, or refused with a
 * 4xx), `fail` (the app answered 5xx or could not be reached, the listener could not store it: the
 * relay tries again on its schedule).
 */
export type Settlement = { outcome: 'ack'; answer: ListenerAnswer } | { outcome: 'fail'; error: string; answer?: ListenerAnswer };

/** Connection-scoped headers: they describe the provider's hop to the relay, not the delivery. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'upgrade', 'expect', 'te', 'trailer', RELAY_ENTRY_HEADER]);
/** 4xx answers that mean "try again later", not "refused". */
const RETRYABLE_4XX = new Set([408, 425, 429]);

/**
 * Hands relayed entries to the local listener over loopback HTTP, as the provider sent them: the
 * method, path and query, the raw header list in order (case and repeats kept) and the body's
 * bytes, plus this run's marker header, which the listener takes off and which makes the delivery
 * relayed (src/listen/relayed.ts). So a relayed delivery goes through exactly the stages a local
 * one does: verify, dedupe, capture, forward or queue, the inspector, the renderers.
 */
export class ListenerHandOff {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 4 });
  private readonly origin: URL;

  constructor(
    listenerUrl: string,
    private readonly marker: string,
    /** Longest wait for the listener's answer (an in-line forward included). */
    private readonly timeoutMs = 120_000,
  ) {
    const url = new URL(listenerUrl);
    // A listener bound to every interface is reached on loopback.
    if (url.hostname === '0.0.0.0') url.hostname = '127.0.0.1';
    else if (url.hostname === '[::]') url.hostname = '[::1]';
    this.origin = new URL(url.origin);
  }

  send(entry: RelayEntry): Promise<Settlement> {
    const record = entry.record;
    const body = decodeBody(record);
    const headers = requestHeaders(record.rawHeaders, body.length, entry.ingressUrl);
    headers.push(RELAY_ENTRY_HEADER, relayEntryHeaderValue(this.marker, entry.ingressUrl));
    const path = record.path.startsWith('/') ? record.path : `/${record.path}`;
    // The raw list goes out as given (Node adds no header, folds none): Host is in it already.
    return requestOnce(this.origin, { method: record.method, path, headers, body, agent: this.agent, setHost: false, timeoutMs: this.timeoutMs })
      .then((answer) => ({ status: answer.status, headers: answerHeaders(answer.headers), body: answer.body }))
      .then(settle, (error: unknown) => ({ outcome: 'fail', error: `the listener could not be reached: ${(error as Error).message}` }));
  }

  close(): void {
    this.agent.destroy();
  }
}

/** The provider's headers minus hop-by-hop ones, with framing that matches the body the relay kept. */
export function requestHeaders(rawHeaders: readonly string[], bodyLength: number, ingressUrl: string): string[] {
  const out: string[] = [];
  let framed = false;
  let host = false;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower)) continue;
    if (lower === 'content-length') {
      if (framed) continue;
      out.push(name, String(bodyLength));
      framed = true;
      continue;
    }
    // The relay kept the decoded body: the chunking was the provider's hop.
    if (lower === 'transfer-encoding') continue;
    if (lower === 'host') host = true;
    out.push(name, rawHeaders[i + 1]!);
  }
  if (!framed) out.push('Content-Length', String(bodyLength));
  // HTTP/1.1 requires Host (Node's server refuses a request without): the provider called the ingress.
  if (!host) out.push('Host', new URL(ingressUrl).host);
  return out;
}

function answerHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || name === 'content-length' || name === 'transfer-encoding' || name === 'date') continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** The listener's answer as a settlement: 2xx (a duplicate included) and refusals settle; 5xx and "later" retry. */
export function settle(answer: ListenerAnswer): Settlement {
  if (answer.status >= 500 || RETRYABLE_4XX.has(answer.status) || answer.status < 200) {
    return { outcome: 'fail', error: `the listener answered ${answer.status}${reasonOf(answer.body)}`, answer };
  }
  // The relay took a body this listener's --max-body (1 MiB by default, the relay's 10) refuses:
  // a limit of this run, not a verdict on the delivery. Failing keeps it, as a dead letter the
  // relay requeues once the listener takes larger bodies; an ack would drop it for good.
  if (answer.status === 413) return { outcome: 'fail', error: `the listener answered 413${reasonOf(answer.body)} (raise its --max-body, then: hookctl relay requeue)`, answer };
  return { outcome: 'ack', answer };
}

function reasonOf(body: Buffer): string {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { error?: unknown };
    return typeof parsed.error === 'string' ? `: ${parsed.error.slice(0, 200)}` : '';
  } catch {
    return '';
  }
}
