import type { VerifyResult } from '../schemes/types.js';
import type { FaultDecision, Faults } from './faults.js';
import { json, type Answer } from './http-answer.js';
import type { Delivery } from './types.js';

/** What the listener answers to a delivery it read: accepted, refused, failed on purpose, or not stored. */
export class Answers {
  constructor(private readonly faults: Faults) {}

  ok(delivery: Delivery, duplicate: boolean): Answer {
    return {
      status: this.faults.successStatus(),
      body: `{"ok":true,${delivery.id ? `"id":"${delivery.id}",` : ''}"eventId":${delivery.eventId === null ? 'null' : json(delivery.eventId)},"duplicate":${duplicate}}`,
    };
  }

  static signatureRefused(verification: VerifyResult): Answer {
    return { status: 401, body: json({ error: `signature verification failed: ${verification.message}`, reason: verification.reason }) };
  }

  static injected(fault: FaultDecision): Answer {
    const headers: Record<string, string> = {};
    if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
    return { status: fault.status, headers, body: json({ error: fault.note, reason: 'injected_failure' }) };
  }

  /** The delivery could not be recorded (or its ledger not asked): the sender must retry. */
  static unavailable(delivery: Delivery): Answer {
    delivery.note = 'capture failed';
    return { status: 503, headers: { 'retry-after': '1' }, body: json({ error: 'the delivery could not be recorded; retry', reason: 'capture_failed' }) };
  }
}
