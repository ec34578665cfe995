/**
 * The replay plan: every delivery that will be sent, in order, with how it will be sent. A dry run
 * prints the plan; a real run executes it. Files that cannot be read are steps that already failed,
 * so they are reported and counted beside the rest.
 */
import { decodeBody } from '../records/record.js';
import type { FixtureEntry, FixtureProblem } from '../records/reader.js';
import type { AddressOverrides } from '../queue/address.js';
import { readSources } from '../records/sources.js';
import { detectScheme, getScheme } from '../schemes/registry.js';
import type { Scheme, SchemeOptions } from '../schemes/types.js';
import { messageOf } from '../errors.js';
import type { TypeMatcher } from './glob.js';
import { asIsRequest, resignedRequest, withHeaderOverrides, type ReplayRequest } from './request.js';

export interface PlanSettings {
  /** Target URL; absent only for a dry run. */
  to?: string;
  asIs: boolean;
  /** --scheme: re-sign every delivery with this scheme instead of the captured one. */
  scheme?: string;
  schemeOptions?: SchemeOptions;
  /** The signing secret; absent only for --as-is or a dry run. */
  secret?: string;
  newIds: boolean;
  /** --url: the public URL a URL-signing scheme (Twilio) signs. */
  publicUrl?: string;
  /** --header values, set last on every request (a name matching one there, any case, replaces it). */
  headerOverrides?: ReadonlyArray<readonly [string, string]>;
  /** --keep-path: append each delivery's captured path and query to the target's path. */
  keepPath?: boolean;
  filter?: TypeMatcher;
  /** Only records captured at or after this time (Unix ms). */
  sinceMs?: number;
  /** Only records captured at or before this time (Unix ms). */
  untilMs?: number;
  /** For redis:// paths: --stream and the password from --redis-password-file. */
  queue?: AddressOverrides;
  cwd?: string;
  now?: () => number;
}

/** One delivery to send. */
export interface PlanStep {
  kind: 'send';
  index: number;
  source: string;
  line?: number;
  entry: FixtureEntry;
  /** Signing scheme, or null for --as-is. */
  scheme: string | null;
  eventId: string | null;
  eventType: string | null;
  method: string;
  url: string | null;
  bytes: number;
  /** --new-ids changed an id inside the body (Stripe, Slack keep it there). */
  bodyChanged: boolean;
  /** Absent in a dry run without a secret: nothing would be signed. */
  request?: ReplayRequest;
}

/** A file or line that cannot be replayed: counts as a failed delivery. */
export interface PlanInvalid {
  kind: 'invalid';
  index: number;
  source: string;
  line?: number;
  eventId: string | null;
  eventType: string | null;
  message: string;
}

export type PlanItem = PlanStep | PlanInvalid;

export interface Plan {
  items: PlanItem[];
  /** Paths that do not exist: the caller decides how loud that is. */
  missing: FixtureProblem[];
  /** Folders with nothing to replay in them. */
  empty: FixtureProblem[];
  skipped: { filter: number; since: number; until: number };
}

/** `http://app:3000/base` + `/webhooks/stripe?x=1` -> `http://app:3000/base/webhooks/stripe?x=1`. */
export function withCapturedPath(to: string, path: string): string {
  const url = new URL(to);
  const base = url.pathname.replace(/\/+$/, '');
  const rest = path.startsWith('/') ? path : `/${path}`;
  return `${url.origin}${base}${rest}`;
}

function resolveScheme(entry: FixtureEntry, settings: PlanSettings): { scheme: Scheme; captured?: Scheme } | string {
  const options = settings.schemeOptions ?? {};
  let captured: Scheme | undefined;
  if (entry.record.scheme) {
    try {
      captured = getScheme(entry.record.scheme, options);
    } catch {
      // An unknown captured scheme only matters when nothing else names one.
    }
  }
  captured ??= detectScheme(entry.record.headers, options);
  if (settings.scheme) return { scheme: getScheme(settings.scheme, options), ...(captured ? { captured } : {}) };
  if (captured) return { scheme: captured, captured };
  if (entry.record.scheme) return `the fixture's scheme "${entry.record.scheme}" is unknown: pass --scheme (or --as-is)`;
  return entry.bare ? 'a bare body has no scheme to re-sign with: pass --scheme (or --as-is)' : 'no scheme recorded or detectable to re-sign with: pass --scheme (or --as-is)';
}

export type PlanStats = Omit<Plan, 'items'>;

export function emptyStats(): PlanStats {
  return { missing: [], empty: [], skipped: { filter: 0, since: 0, until: 0 } };
}

/**
 * The plan as a stream, one item at a time as the files are read, so a large journal is never
 * held in memory; `stats` fills in as it goes (skipped, missing and empty paths).
 */
export async function* planItems(paths: readonly string[], settings: PlanSettings, stats: PlanStats = emptyStats()): AsyncGenerator<PlanItem> {
  let index = 0;
  const sources = readSources(paths, {
    ...(settings.cwd ? { cwd: settings.cwd } : {}),
    ...(settings.queue ? { queue: settings.queue } : {}),
    ...(settings.sinceMs !== undefined ? { sinceMs: settings.sinceMs } : {}),
    ...(settings.untilMs !== undefined ? { untilMs: settings.untilMs } : {}),
  });
  for await (const item of sources) {
    if (item.kind === 'problem') {
      if (item.missing) stats.missing.push(item);
      else if (item.empty) stats.empty.push(item);
      else yield { kind: 'invalid', index: index++, source: item.source, ...(item.line !== undefined ? { line: item.line } : {}), eventId: null, eventType: null, message: item.message };
      continue;
    }
    const { record } = item;
    if (settings.filter && !settings.filter(record.eventType)) {
      stats.skipped.filter++;
      continue;
    }
    if (settings.sinceMs !== undefined || settings.untilMs !== undefined) {
      const captured = Date.parse(record.capturedAt);
      if (settings.sinceMs !== undefined && (Number.isNaN(captured) || captured < settings.sinceMs)) {
        stats.skipped.since++;
        continue;
      }
      if (settings.untilMs !== undefined && (Number.isNaN(captured) || captured > settings.untilMs)) {
        stats.skipped.until++;
        continue;
      }
    }
    const where = { source: item.source, ...(item.line !== undefined ? { line: item.line } : {}) };
    const to = settings.to !== undefined && settings.keepPath ? withCapturedPath(settings.to, record.path) : settings.to;
    const body = decodeBody(record);
    let request: ReplayRequest | undefined;
    let schemeName: string | null = null;
    try {
      if (settings.asIs) {
        request = to ? withHeaderOverrides(asIsRequest(record, body, to), settings.headerOverrides ?? []) : undefined;
      } else {
        const resolved = resolveScheme(item, settings);
        if (typeof resolved === 'string') {
          yield { kind: 'invalid', index: index++, ...where, eventId: record.eventId, eventType: record.eventType, message: resolved };
          continue;
        }
        schemeName = resolved.scheme.name;
        if (settings.secret !== undefined && to !== undefined) {
          request = resignedRequest(record, body, {
            scheme: resolved.scheme,
            secret: settings.secret,
            url: to,
            newIds: settings.newIds,
            ...(settings.publicUrl ? { publicUrl: settings.publicUrl } : {}),
            ...(resolved.captured && resolved.captured.name !== resolved.scheme.name ? { capturedScheme: resolved.captured } : {}),
            ...(settings.now ? { now: settings.now } : {}),
          });
          request = withHeaderOverrides(request, settings.headerOverrides ?? []);
        }
      }
    } catch (error) {
      // A scheme that cannot sign this delivery (e.g. a malformed secret for it) fails this step only.
      yield { kind: 'invalid', index: index++, ...where, eventId: record.eventId, eventType: record.eventType, message: messageOf(error) };
      continue;
    }
    const first = request?.prepare(1);
    yield {
      kind: 'send',
      index: index++,
      ...where,
      entry: item,
      scheme: schemeName,
      eventId: request?.eventId ?? record.eventId,
      eventType: request?.eventType ?? record.eventType,
      method: record.method,
      url: first ? first.url : (to ?? null),
      bytes: (request?.body ?? body).length,
      bodyChanged: request?.bodyChanged ?? false,
      ...(request ? { request } : {}),
    };
  }
}

/** The whole plan at once, for a picker or a test. */
export async function buildPlan(paths: readonly string[], settings: PlanSettings): Promise<Plan> {
  const stats = emptyStats();
  const items: PlanItem[] = [];
  for await (const item of planItems(paths, settings, stats)) items.push(item);
  return { items, ...stats };
}
