import { displayUrl, hideUrlPasswords } from '../../text/url.js';
import type { Output } from '../../cli/output.js';
import type { Subscriber } from '../../listen/observe.js';
import type { Delivery, QueuedForward } from '../../listen/types.js';
import { isoTime } from './text.js';

/** Text JSON can hold between quotes as it is: printable ASCII but `"` and `\`. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** A JSON string or null; ids, paths and types are usually plain, and quoting them is cheaper than JSON.stringify. */
function str(value: string | null): string {
  if (value === null) return 'null';
  return PLAIN.test(value) ? `"${value}"` : JSON.stringify(value);
}

/**
 * The contract's `delivery` record, serialized by hand: JSON.stringify of a fresh object per
 * delivery costs more than the listener's own work on a small delivery. Field order and
 * values are those of JSON.stringify of the record; the additions beyond the contract follow it.
 */
export function deliveryRecord(delivery: Delivery, verbose: boolean): string {
  let text = `{"type":"delivery","id":${str(delivery.id)},"eventId":${str(delivery.eventId)},"eventType":${str(delivery.eventType)},"method":${str(delivery.method)},"path":${str(delivery.path)},"scheme":${str(delivery.scheme)},"verified":${delivery.verified},"reason":${str(delivery.reason)},"duplicate":${delivery.duplicate},"status":${delivery.status},"bytes":${delivery.bytes},"capture":${str(delivery.capture)},"forward":${delivery.forward ? JSON.stringify(delivery.forward) : 'null'}`;
  if (delivery.forwardQueued) text += ',"forwardQueued":true';
  if (delivery.via) text += `,"via":"${delivery.via}"`;
  if (delivery.reset) text += ',"reset":true';
  if (delivery.note) text += `,"note":${str(delivery.note)}`;
  const v = delivery.verification;
  if (v && !v.verified) text += `,"message":${str(v.message)},"diagnosis":${str(v.diagnosis ?? null)}`;
  text += `,"ms":${delivery.ms},"receivedAt":"${isoTime(delivery.receivedAt)}"`;
  if (verbose) {
    const asText = delivery.body.length > 0 && !delivery.body.toString('utf8').includes('\ufffd');
    text += `,"headers":${JSON.stringify(delivery.headers)},"body":${JSON.stringify(delivery.body.toString(asText ? 'utf8' : 'base64'))}`;
  }
  return `${text}}`;
}

/** NDJSON on stdout: a `delivery` record per request, a `forward` record per queued forward as it ends. */
export class NdjsonRenderer implements Subscriber {
  readonly needsHeaders: boolean;

  constructor(
    private readonly output: Output,
    private readonly verbose: boolean,
  ) {
    this.needsHeaders = verbose;
  }

  delivery(delivery: Delivery): void {
    this.output.recordText(deliveryRecord(delivery, this.verbose));
  }

  forward(forward: QueuedForward): void {
    this.output.record({
      type: 'forward',
      id: forward.id,
      eventId: forward.eventId,
      delivered: forward.delivered,
      status: forward.status,
      attempts: forward.attempts,
      ms: forward.ms,
      error: forward.error,
      ...(forward.route !== undefined ? { route: hideUrlPasswords(forward.route), target: forward.target === undefined ? undefined : displayUrl(forward.target) } : {}),
      ...(forward.kept ? { kept: true } : {}),
      ...(forward.dead ? { dead: true } : {}),
      ...(forward.app ? { app: forward.app } : {}),
      ...(forward.hint ? { hint: forward.hint } : {}),
    });
  }
}
