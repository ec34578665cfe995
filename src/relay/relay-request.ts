import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface SimpleResponse {
  status: number;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export interface SimpleRequest {
  method: string;
  headers: OutgoingHttpHeaders;
  body?: string | Buffer;
  /** The whole exchange, connecting to the last byte of the answer. */
  timeoutMs: number;
  signal?: AbortSignal;
}

/** One request to the relay, its answer read whole; rejects on a network error, a timeout or the signal. */
export function requestOnce(url: URL, options: SimpleRequest): Promise<SimpleResponse> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method: options.method, headers: options.headers, signal: options.signal });
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
