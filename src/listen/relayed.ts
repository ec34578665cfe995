import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * The header the relay subscriber (src/relay/subscriber.ts) adds to each relayed delivery it hands
 * to this listener over loopback: `<per-run marker> <ingress URL the provider called>`. Only a
 * request carrying this run's marker counts as relayed; the header is taken off before any stage
 * sees the request, so it is never verified, stored, shown or forwarded.
 */
export const RELAY_ENTRY_HEADER = 'hookctl-relay-entry';

export function relayEntryHeaderValue(marker: string, ingressUrl: string): string {
  return `${marker} ${ingressUrl}`;
}

/** Recognises this run's relayed deliveries at the door. */
export class RelayDoor {
  private readonly marker: Buffer;

  constructor(marker: string) {
    this.marker = Buffer.from(marker);
  }

  /** The ingress URL when the request came from this run's subscriber; strips the header either way. */
  take(req: IncomingMessage): string | undefined {
    const value = req.headers[RELAY_ENTRY_HEADER];
    if (value === undefined) return undefined;
    delete req.headers[RELAY_ENTRY_HEADER];
    const raw = req.rawHeaders;
    for (let i = raw.length - 2; i >= 0; i -= 2) if (raw[i]!.toLowerCase() === RELAY_ENTRY_HEADER) raw.splice(i, 2);
    if (typeof value !== 'string') return undefined;
    const space = value.indexOf(' ');
    if (space < 0) return undefined;
    const given = Buffer.from(value.slice(0, space));
    if (given.length !== this.marker.length || !timingSafeEqual(given, this.marker)) return undefined;
    return value.slice(space + 1);
  }
}
