import type { IncomingMessage } from 'node:http';
import { encodeBody, isoTime, newCaptureId, RECORD_FORMAT, type DeliveryRecord } from '../records/record.js';
import type { Redactor } from './redact.js';
import { receivedHeaders } from './redact.js';
import type { Delivery } from './types.js';

/** A request refused before (or while) its body was read: what is known of it from the headers. */
export function refusedDelivery(req: IncomingMessage, redactor: Redactor, status: number | null, reason: string, started: number): Delivery {
  return {
    id: newCaptureId(),
    receivedAt: new Date(),
    method: req.method ?? '',
    path: redactor.path(req.url ?? ''),
    headers: redactor.headers(receivedHeaders(req)),
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
    injected: false,
    note: null,
    capture: null,
    forward: null,
    forwardQueued: false,
    ms: Math.round(performance.now() - started),
  };
}

/** The delivery record that sinks store: the same format in every journal, fixture and queue. */
export function toRecord(delivery: Delivery, receivedAt: string): DeliveryRecord {
  return {
    format: RECORD_FORMAT,
    id: delivery.id,
    capturedAt: isoTime(delivery.receivedAt.getTime()),
    receivedAt,
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
    ...(delivery.idempotencyKey !== null && delivery.idempotencyKey !== delivery.eventId ? { idempotencyKey: delivery.idempotencyKey } : {}),
    ...(delivery.via ? { via: delivery.via } : {}),
    ...(delivery.outcome ? { outcome: delivery.outcome } : {}),
  };
}
