import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** What the listener answers: a status, and a JSON body unless there is none. */
export interface Answer {
  status: number;
  body?: string;
  headers?: Record<string, string | number>;
}

export function json(value: unknown): string {
  return JSON.stringify(value);
}

/** Writes an answer once; a response already answered (or a socket gone) is left alone. */
export function writeAnswer(res: ServerResponse, answer: Answer, closing: boolean): void {
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
export function refuseUnread(req: IncomingMessage, res: ServerResponse, answer: Answer, closing: boolean): void {
  const hasBody = req.headers['content-length'] !== undefined ? req.headers['content-length'] !== '0' : req.headers['transfer-encoding'] !== undefined;
  if (hasBody && !req.complete) {
    answer.headers = { ...answer.headers, connection: 'close' };
    res.once('finish', () => closeAfterAnswer(req.socket));
  }
  writeAnswer(res, answer, closing);
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

/** A request Node could not parse (or whose headers never finished): one plain answer, then close. */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
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
}
