import { newEventId } from '../events/ids.js';
import type { OutgoingHeaders, Scheme } from '../schemes/types.js';
import type { PreparedRequest } from '../delivery/index.js';

/** One body to send, before it becomes an event with its own id. */
export interface EventTemplate {
  body: Buffer;
  /** Sent unless the scheme's headers or --header set one. */
  contentType: string | undefined;
  /** The body's own Content-Type, which wins over the scheme's (a sample of Slack's interactivity is a form, not JSON). */
  ownContentType?: boolean;
  /** For the provider's headers (X-GitHub-Event, X-Shopify-Topic) and for records. */
  eventType: string | undefined;
  /** What the provider's event-type header says when it is not `eventType` (a sample's GitHub `pull_request`, Linear `Issue`). */
  headerEventType?: string;
  /** The event id the template already carries (a fixture's, or one in the body). */
  eventId: string | undefined;
  /** An id inside the body (Stripe's `id`, Slack's `event_id`), swapped out when the event gets a new id. */
  bodyEventId: string | undefined;
  /** A sample may be rewritten with a fresh id; a body the user gave is sent as given unless asked. */
  rewritable: boolean;
  /** Fresh ids in the shape of the sample's own (src/send/id-like.ts), instead of the scheme's. */
  newId?: () => string;
  method: string;
  /** Where it came from, for messages: "--data", a file path, "sample stripe/payment_intent.succeeded". */
  source: string;
}

/** One event ready to be signed for each attempt. */
export interface OutgoingEvent {
  /** The id given to the provider's headers and signature (X-GitHub-Delivery, webhook-id). */
  id: string;
  /**
   * The event id the receiving app reads from what is sent, as hookctl listen would: from the
   * provider's headers, or from the body for schemes that carry it there (Stripe, Slack).
   * Undefined when what is sent carries none (e.g. a --data body without an id, for Stripe).
   */
  eventId: string | undefined;
  type: string | undefined;
  body: Buffer;
  /** The URL to post to (Twilio adds bodySHA256 for JSON bodies). */
  postUrl: string;
  template: EventTemplate;
}

/** Everything about signing and addressing that is the same for every event of a run. */
export interface SendPlan {
  scheme: Scheme;
  secret: string;
  /** Where requests go. */
  url: string;
  /** The public URL a URL-signing scheme (Twilio) signs; defaults to `url`. */
  signingUrl?: string;
  /** --header values, applied last; a name matching a generated header (any case) replaces it. */
  headerOverrides: Array<[string, string]>;
}

// Short ids ("1", "42") could match unrelated text in the body; real provider ids are long.
const MIN_SWAPPABLE_ID = 6;

/**
 * Where the receiving app finds the event id in what is sent: in a provider header (GitHub,
 * Standard Webhooks, Shopify, Twilio), only in the body (Stripe, Slack, generic HMAC), or a
 * fixed value that a --header put in the id header.
 */
export type IdPlacement = { kind: 'header' } | { kind: 'body' } | { kind: 'fixed'; id: string };

const PROBE_ID = 'hookctl-id-probe-000000';

/** Asks the scheme itself, on headers signed for a probe id and an empty body, where it reads the id. */
export function idPlacement(plan: SendPlan): IdPlacement {
  const { scheme } = plan;
  const headers: Record<string, string> = {
    ...scheme.deliveryHeaders({ id: PROBE_ID }),
    ...scheme.sign({ body: new Uint8Array(0), secret: plan.secret, timestamp: 0, id: PROBE_ID, url: plan.signingUrl ?? plan.url }),
  };
  for (const [name, value] of plan.headerOverrides) {
    for (const key of Object.keys(headers)) if (key.toLowerCase() === name.toLowerCase()) delete headers[key];
    headers[name] = value;
  }
  const seen = scheme.eventId(headers, new Uint8Array(0));
  if (seen === PROBE_ID) return { kind: 'header' };
  return seen === undefined ? { kind: 'body' } : { kind: 'fixed', id: seen };
}

/**
 * Builds events from a template. A body hookctl made (a sample, a minimal event) gets each new id
 * swapped in without reparsing; a body the user gave (--data, --file, a fixture) is sent byte for
 * byte, except in load mode, whose events need distinct ids (`fresh`).
 */
export class EventFactory {
  private readonly pieces: string[] | undefined;
  readonly placement: IdPlacement;

  constructor(
    readonly template: EventTemplate,
    private readonly plan: SendPlan,
  ) {
    const old = template.bodyEventId;
    if (old && old.length >= MIN_SWAPPABLE_ID) {
      const text = template.body.toString('utf8');
      if (text.includes(old)) this.pieces = text.split(old);
    }
    this.placement = idPlacement(plan);
  }

  /** An event with `id`, or a fresh id when `fresh` (samples, load mode), or the template's own. */
  make(options: { id?: string; fresh?: boolean; nextId?: () => string } = {}): OutgoingEvent {
    const { template, plan, placement } = this;
    const fresh = options.fresh ?? template.rewritable;
    const newId = () => (options.nextId ? options.nextId() : template.newId ? template.newId() : newEventId(plan.scheme.name));
    const id = options.id ?? (fresh ? newId() : (template.eventId ?? template.bodyEventId ?? newId()));
    const rewrite = (fresh || template.rewritable) && this.pieces !== undefined && id !== template.bodyEventId;
    const body = rewrite ? Buffer.from(this.pieces!.join(id), 'utf8') : template.body;
    const eventId = placement.kind === 'fixed' ? placement.id : placement.kind === 'header' || rewrite ? id : template.bodyEventId;
    const postUrl = plan.scheme.targetUrl ? plan.scheme.targetUrl(plan.url, body) : plan.url;
    return { id, eventId, type: template.eventType, body, postUrl, template };
  }
}

/** The value a provider puts in its event-type header: GitHub's X-GitHub-Event has no action part. */
function headerType(scheme: Scheme, type: string | undefined): string | undefined {
  if (type === undefined) return undefined;
  return scheme.name === 'github' ? type.split('.')[0] : type;
}

/**
 * Makes `prepare(attempt)` functions for `deliver`: every attempt is signed afresh (new timestamp,
 * same id), with the provider's own headers, a Content-Type, and the user's --header overrides
 * last. This is `signRequest` (src/schemes/sign-request.ts) taken apart so that what is the same
 * for all attempts of an event (the provider's headers, the URL Twilio signs) is worked out once:
 * at load-mode rates its object spreads cost as much as the HMAC. A test holds the two equal.
 */
export function createPreparer(plan: SendPlan): (event: OutgoingEvent) => (attempt: number) => PreparedRequest {
  const { scheme, secret } = plan;
  const signingUrl = plan.signingUrl ?? plan.url;
  const overrides = plan.headerOverrides;
  const overrideNames = new Set(overrides.map(([name]) => name.toLowerCase()));
  return (event) => {
    const type = event.template.headerEventType ?? headerType(scheme, event.type);
    const { method, contentType } = event.template;
    const { body, id } = event;
    const url = scheme.targetUrl ? scheme.targetUrl(signingUrl, body) : signingUrl;
    // The provider's headers, then Content-Type when they lack one, then --header: all fixed per event.
    const fixed: OutgoingHeaders = {};
    const provider = scheme.deliveryHeaders(type ? { id, type } : { id });
    for (const name in provider) fixed[name] = provider[name]!;
    if (contentType !== undefined && event.template.ownContentType) {
      for (const name in fixed) if (name.toLowerCase() === 'content-type') delete fixed[name];
    }
    if (contentType !== undefined && !hasHeader(fixed, 'content-type')) fixed['Content-Type'] = contentType;
    return () => {
      const timestamp = Math.floor(Date.now() / 1000);
      // In-body schemes (Mailgun, SNS) sign by writing into the body, anew for every attempt.
      const sent = scheme.signBody ? Buffer.from(scheme.signBody({ body, secret, timestamp, id, url })) : body;
      const signature = scheme.sign({ body: sent, secret, timestamp, id, url });
      const headers: Record<string, string> = {};
      for (const name in fixed) headers[name] = fixed[name]!;
      // Signature headers win over the provider's on a clash, as in signRequest.
      for (const name in signature) headers[name] = signature[name]!;
      if (overrides.length > 0) {
        for (const name in headers) if (overrideNames.has(name.toLowerCase())) delete headers[name];
        for (const [name, value] of overrides) headers[name] = value;
      }
      return { url: event.postUrl, method, headers, body: sent };
    };
  };
}

function hasHeader(headers: Record<string, string>, lowerName: string): boolean {
  for (const name in headers) if (name.toLowerCase() === lowerName) return true;
  return false;
}
