/**
 * What the inspector's buttons do, on top of the replay and delivery cores: replay a delivery (or
 * an edited copy) to a URL, re-signed or as captured; build the signed curl command; and the
 * fixture file for download. No terminal, no HTTP server here.
 */
import { deliver, type Attempt, type RetryPolicy } from '../delivery/index.js';
import { appSide, forwardedAs, type ForwardedAs, type SentRequest } from '../delivery/app-refusal.js';
import { failureReason } from '../replay/execute.js';
import { asIsRequest, resignedRequest, type ReplayRequest } from '../replay/request.js';
import { encodeBody, safeFileSlug, toFixtureFile, type DeliveryRecord } from '../records/record.js';
import { curlCommand } from '../shell/curl.js';
import { displayUrl } from '../text/url.js';
import { detectScheme, getScheme, isSchemeName } from '../schemes/registry.js';
import type { Scheme } from '../schemes/types.js';
import type { LoadedDelivery } from './segment.js';
import type { AttemptView, EditView, ReplayOutcomeView } from './types.js';
import { schemeFor, type VerificationSettings } from './verification.js';

/** A refusal the page shows as is (bad URL, nothing to sign with): a 4xx, not a bug. */
export class ActionError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export type Edit = EditView;

export interface ReplayAsk {
  to: string;
  /** `resign` (a fresh timestamp and signature) or `as-is` (the captured headers unchanged). */
  mode: 'resign' | 'as-is';
  edit?: Edit;
}

export type ReplayOutcome = ReplayOutcomeView;

/** The UI's replays are one attempt each: a person clicks again rather than waits for a schedule. */
const ONE_ATTEMPT: RetryPolicy = { delaysMs: [0], timeoutMs: 10_000, timeScale: 1 };

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function checkTarget(to: unknown): string {
  if (typeof to !== 'string' || to.trim() === '') throw new ActionError('give the URL to send to');
  let url: URL;
  try {
    url = new URL(to.trim());
  } catch {
    throw new ActionError(`not a URL: ${JSON.stringify(to).slice(0, 80)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ActionError(`only http:// and https:// URLs can be replayed to, not ${url.protocol}`);
  return url.href;
}

/** The delivery with the page's edits applied; ids and type are read again from the edited request. */
function edited(record: DeliveryRecord, edit: Edit): { record: DeliveryRecord; body: Buffer } {
  if (!Array.isArray(edit.headers)) throw new ActionError('headers must be a list of [name, value] pairs');
  const headers = Object.create(null) as Record<string, string>;
  for (const pair of edit.headers) {
    if (!Array.isArray(pair) || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') throw new ActionError('headers must be a list of [name, value] pairs');
    const name = pair[0].trim();
    if (!TOKEN.test(name)) throw new ActionError(`"${name.slice(0, 40)}" is not a header name`);
    if (/[\r\n\0]/.test(pair[1])) throw new ActionError(`header ${name}: a value cannot hold a line break`);
    headers[name.toLowerCase()] = pair[1];
  }
  if (typeof edit.body !== 'string') throw new ActionError('body must be a string');
  if (edit.bodyEncoding !== 'utf8' && edit.bodyEncoding !== 'base64') throw new ActionError('bodyEncoding must be "utf8" or "base64"');
  const body = Buffer.from(edit.body, edit.bodyEncoding === 'base64' ? 'base64' : 'utf8');
  const method = edit.method === undefined ? record.method : String(edit.method).toUpperCase();
  if (!/^[A-Z]+$/.test(method)) throw new ActionError(`"${method.slice(0, 20)}" is not an HTTP method`);
  return { record: { ...record, method, headers, ...encodeBody(body), eventId: null, eventType: null }, body };
}

function capturedScheme(record: DeliveryRecord, settings: VerificationSettings): Scheme | undefined {
  if (record.scheme && isSchemeName(record.scheme)) return getScheme(record.scheme, settings.schemeOptions);
  return detectScheme(record.headers, settings.schemeOptions);
}

/** The request a replay sends: re-signed with the first secret, or the captured headers as they are. */
export function replayRequest(loaded: LoadedDelivery, ask: ReplayAsk, settings: VerificationSettings): ReplayRequest {
  const to = checkTarget(ask.to);
  if (!loaded.body) throw new ActionError(loaded.bodyMissing ?? 'the body of this delivery is not available', 409);
  const { record, body } = ask.edit ? edited(loaded.record, ask.edit) : { record: loaded.record, body: loaded.body };
  if (ask.mode === 'as-is') {
    if (ask.edit) throw new ActionError('an edited delivery is always re-signed: its old signature no longer matches');
    return asIsRequest(record, body, to);
  }
  const [secret] = settings.secrets;
  if (secret === undefined) throw new ActionError('nothing to sign with: start hookctl with --secret (or send as captured)', 409);
  const scheme = schemeFor(record, settings) ?? schemeFor(loaded.record, settings);
  if (!scheme) throw new ActionError('no scheme recorded or detectable to re-sign with: start hookctl with --scheme', 409);
  const captured = capturedScheme(loaded.record, settings);
  try {
    return resignedRequest(record, body, {
      scheme,
      secret,
      url: to,
      newIds: false,
      ...(settings.publicUrl ? { publicUrl: settings.publicUrl } : {}),
      ...(captured && captured.name !== scheme.name ? { capturedScheme: captured } : {}),
    });
  } catch (error) {
    // A secret the scheme cannot use: the message names the format problem, never the secret.
    throw new ActionError(error instanceof Error ? error.message : String(error), 409);
  }
}

function attemptViews(attempts: readonly Attempt[], how: ForwardedAs, sent: SentRequest): AttemptView[] {
  return attempts.map((attempt) => {
    // The app's answer and, when it reads like a failed signature check, the hint (as the listener shows it).
    const { app, hint } = appSide(attempt, how, sent);
    return { attempt: attempt.attempt, status: attempt.status, error: attempt.error, ms: attempt.ms, snippet: attempt.responseSnippet ?? null, ...(app ? { headers: Object.entries(app.headers) } : {}), ...(hint ? { hint } : {}) };
  });
}

export async function replay(loaded: LoadedDelivery, ask: ReplayAsk, settings: VerificationSettings): Promise<ReplayOutcome> {
  const request = replayRequest(loaded, ask, settings);
  const prepared = request.prepare(1);
  const outcome = await deliver(() => prepared, ONE_ATTEMPT);
  const last = outcome.attempts[outcome.attempts.length - 1];
  return {
    ok: outcome.delivered,
    status: outcome.status,
    ms: last?.ms ?? 0,
    error: failureReason(outcome, prepared.body.length),
    attempts: attemptViews(outcome.attempts, ask.mode === 'as-is' ? forwardedAs(false, loaded.record.verified) : 'signed', { headers: prepared.headers, body: prepared.body }),
    // The page is told where it went, never the password in the URL.
    sent: { url: displayUrl(prepared.url), method: prepared.method ?? 'POST', headers: Object.entries(prepared.headers), bytes: prepared.body.length },
  };
}

/**
 * A curl command that sends the (possibly edited) delivery, signed with a fresh timestamp; and the
 * body it sends. A password in the target URL is not in it: curl reads it from HOOKCTL_TARGET_PASSWORD.
 */
export function curlFor(loaded: LoadedDelivery, ask: ReplayAsk, settings: VerificationSettings): { command: string; body: Uint8Array } {
  const prepared = replayRequest(loaded, ask, settings).prepare(1);
  return { command: curlCommand({ url: prepared.url, method: prepared.method ?? 'POST', headers: prepared.headers, body: prepared.body }), body: prepared.body };
}

/** The delivery as a fixture file, and a file name for it. */
export function fixtureFor(loaded: LoadedDelivery): { name: string; text: string } {
  if (!loaded.body) throw new ActionError(loaded.bodyMissing ?? 'the body of this delivery is not available', 409);
  const { record } = loaded;
  return { name: `${safeFileSlug(record.eventType ?? record.eventId ?? record.id, 60)}.json`, text: toFixtureFile({ ...record, ...encodeBody(loaded.body) }) };
}
