import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { headerId } from '../schemes/headers.js';
import { getScheme } from '../schemes/registry.js';
import type { Scheme, SchemeOptions } from '../schemes/types.js';

export interface Identity {
  eventId: string | null;
  /** null when not asked for (nobody looks at it) or not carried. */
  eventType: string | null;
  /** What idempotency is decided on: the event id, or a hash of the body. */
  key: string;
}

/** Which event a delivery is: its id, its type, and the key its duplicates share. */
export class IdentifyStage {
  /** Ids and types of deliveries no scheme claims: the generic scheme reads X-Event-Id and a JSON "id". */
  private readonly fallbackScheme: Scheme;

  constructor(
    schemeOptions: SchemeOptions,
    private readonly idHeader: string | undefined,
  ) {
    this.fallbackScheme = getScheme('hmac', schemeOptions);
  }

  identify(headers: IncomingHttpHeaders, body: Buffer, scheme: Scheme | undefined, withType: boolean): Identity {
    const idScheme = scheme ?? this.fallbackScheme;
    const eventId = (this.idHeader ? headerId(headers, this.idHeader) : undefined) ?? idScheme.eventId(headers, body) ?? null;
    return {
      eventId,
      eventType: withType ? (idScheme.eventType(headers, body) ?? null) : null,
      key: eventId ?? bodyHash(body),
    };
  }
}

function bodyHash(body: Uint8Array): string {
  return `sha256:${createHash('sha256').update(body).digest('hex')}`;
}
