/**
 * What the inspector shows, independent of where deliveries come from (journals, fixture files, a
 * live listener). These shapes are the JSON the page receives; nothing here carries a secret.
 * Self-contained (no imports), so the page's code can share them.
 */

/** The shape of schemes/explain.ts's SignatureExplanation, as the page receives it. */
export interface ExplanationView {
  header: string;
  signed: { prefix: string; includesBody: boolean; suffix: string } | null;
  timestamp: number | null;
  received: string[];
  computed: Array<{ secretIndex: number; signature: string | null; matches: boolean; note?: string }>;
  note?: string;
}

/** What came of passing a delivery on to the app (the listener's forward, or a queued one). */
export interface ForwardSummary {
  status: number | null;
  ms: number;
  error: string | null;
  attempts: number | null;
  /** Queued (--ack-first) and not finished yet. */
  pending: boolean;
}

/** One row of the list: no headers, no body. */
export interface DeliverySummary {
  /** Position in the inspector's list, from 0; stable while it runs. */
  seq: number;
  /** Capture id. */
  id: string;
  /** ISO time it arrived (or was captured); '' when unknown. */
  time: string;
  method: string;
  path: string;
  scheme: string | null;
  eventType: string | null;
  eventId: string | null;
  verified: boolean | null;
  reason: string | null;
  duplicate: boolean;
  /** Status the listener answered; null when unknown (captures do not record it) or dropped. */
  status: number | null;
  /** An injected fault (--fail-first, --fail-rate, --status, --reset-rate), in a few words. */
  fault: string | null;
  bytes: number;
  forward: ForwardSummary | null;
  /** `file:line`, `file`, or `live`. */
  source: string;
  /** Set for a line or file that could not be read: every other field is a placeholder. */
  problem?: string;
}

/** The verification panel. */
export interface VerificationView {
  scheme: string | null;
  schemeTitle: string | null;
  /** 'received': as the listener judged it on arrival; 'rechecked': verified now with --secret, as of its capture time; 'recorded': only what the capture says. */
  basis: 'received' | 'rechecked' | 'recorded';
  verified: boolean | null;
  reason: string | null;
  message: string | null;
  diagnosis: string | null;
  /** 0-based index of the secret that verified; never the secret. */
  secretIndex: number | null;
  secretCount: number;
  /** Signed timestamp, Unix seconds, and its distance from the arrival time (positive: ahead). */
  timestamp: number | null;
  skewSeconds: number | null;
  toleranceSeconds: number;
  explanation: ExplanationView | null;
  /** The body the sender signed, when a small change (newline, line endings, re-serialized JSON) explains the mismatch. */
  signedBody: { text: string; cause: string } | null;
}

export interface BodyView {
  encoding: 'utf8' | 'base64';
  /** The body (base64 for binary), cut at the display limit. */
  data: string;
  bytes: number;
  truncated: boolean;
  /** Parts equal to a configured secret were replaced before display. */
  redacted: boolean;
}

export interface AttemptView {
  attempt: number;
  status: number | null;
  error: string | null;
  ms: number;
  snippet: string | null;
  /** The headers that tell what answered (content type, server, framework), when the app refused. */
  headers?: Array<[string, string]>;
  /** When the refusal looks like the app's own signature check failing: the likely cause and the fix. */
  hint?: string | null;
}

export interface DeliveryDetail {
  summary: DeliverySummary;
  /** Headers as captured (credentials and the listener's secret already redacted), in order. */
  headers: Array<[string, string]>;
  body: BodyView | null;
  verification: VerificationView;
  /** Attempts passing it on to the app, when the source knows them. */
  forwardAttempts: AttemptView[];
  /** Why there is no body (evicted from memory, file gone). */
  bodyMissing: string | null;
}

/** Rows per request of the list: the page asks for the last PAGE_ROWS first. */
export const PAGE_ROWS = 100;

export type StateFilter = 'all' | 'verified' | 'failed' | 'duplicate' | 'fault' | 'unverified';

export interface ListQuery {
  state: StateFilter;
  scheme: string | null;
  /** Event-type glob (`invoice.*`, a comma-separated list). */
  type: string | null;
  /** Path substring; a leading `/` anchors it at the start. */
  path: string | null;
  /** Text search over headers and body, case-insensitive. */
  q: string | null;
}

export interface ListPage {
  /** Deliveries matching the query. */
  total: number;
  /** Every delivery, unfiltered. */
  all: number;
  offset: number;
  rows: DeliverySummary[];
  /** Reading and indexing large captures; filters wait for it. */
  indexing: { done: number; total: number } | null;
}

/** `GET /api/info`: what the page needs to know about this run. */
export interface InfoView {
  mode: 'inspect' | 'listen';
  subject: string;
  version: string | null;
  /** A secret is configured: re-signed replays, edit-and-replay and curl are possible. */
  canSign: boolean;
  secretCount: number;
  scheme: string;
  schemes: readonly string[];
  defaultTarget: string | null;
  /** The default target has no path of its own: each delivery goes to the path it arrived on (as the listener forwards). */
  defaultTargetKeepsPath: boolean;
  toleranceSeconds: number;
  total: number;
  indexing: { done: number; total: number } | null;
}

/** A delivery edited on the page, to be re-signed and sent. */
export interface EditView {
  method?: string;
  headers: Array<[string, string]>;
  body: string;
  bodyEncoding: 'utf8' | 'base64';
}

/** What a replay from the page did. */
export interface ReplayOutcomeView {
  ok: boolean;
  status: number | null;
  ms: number;
  error: string | null;
  attempts: AttemptView[];
  sent: { url: string; method: string; headers: Array<[string, string]>; bytes: number };
}
