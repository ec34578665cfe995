import { request as httpRequest, type Agent, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface SimpleResponse {
  status: number;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export interface SimpleRequest {
  method: string;
  /** A flat [name, value, …] list goes on the wire as given: order, case and repeats kept. */
  headers: OutgoingHttpHeaders | string[];
  /** The request target exactly as given (the URL's own path is normalised). */
  path?: string;
  agent?: Agent;
  /** false: no Host header is added (the raw list carries its own). */
  setHost?: boolean;
  body?: string | Buffer;
  /** The whole exchange, connecting to the last byte of the answer. */
  timeoutMs: number;
  signal?: AbortSignal;
}

/** One request (to the relay, or a relayed entry to the listener), its answer read whole; rejects on a network error, a timeout or the signal. */
export function requestOnce(url: URL, options: SimpleRequest): Promise<SimpleResponse> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, {
      method: options.method,
      headers: options.headers,
      signal: options.signal,
      ...(options.path !== undefined ? { path: options.path } : {}),
      ...(options.agent !== undefined ? { agent: options.agent } : {}),
      ...(options.setHost !== undefined ? { setHost: options.setHost } : {}),
    });
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)), options.timeoutMs);
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
      });
    });
    req.end(options.body);
  });
}

/** Waits `ms`, or less when the signal aborts (never rejects). */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
