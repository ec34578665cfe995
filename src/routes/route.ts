/**
 * Routes: where a delivery is forwarded. Each has a target URL and filters on the event type and/or
 * the request path; a delivery goes to every route that matches, and each route keeps its own
 * delivery state (attempts, retries, dead letter). `--forward-to URL` is the route that matches
 * everything.
 *
 * `--route 'FILTERS=URL'`: FILTERS is a comma-separated list of globs (`*`, `?`); a bare glob or
 * `type:GLOB` filters the event type, `path:GLOB` the path (without the query string). Globs of
 * one kind are alternatives; both kinds must match. An empty filter or `*` matches everything.
 *   payment_intent.*=http://127.0.0.1:3000/pay
 *   invoice.*,customer.*=http://127.0.0.1:3000/billing
 *   path:/github/*=http://127.0.0.1:4000/hooks
 *   type:push,path:/github/*=http://127.0.0.1:4000/push
 * Matching is linear in the event type and path (glob.ts); an event type longer than 256
 * characters or a path longer than 4 KiB matches no filter (an unfiltered route still takes it).
 */
import { hasNoPath } from '../delivery/forward-request.js';
import { usageError } from '../errors.js';
import { displayUrl } from '../text/url.js';
import { globMatcher, LONGEST_MATCHED_EVENT_TYPE, LONGEST_MATCHED_PATH, type GlobMatcher } from './glob.js';

export interface Route {
  /** The route as given; retries and dead letters name their route by it. */
  name: string;
  url: string;
  /** The URL names no path: each delivery goes to the path it was posted to. */
  keepPath: boolean;
  /** Event-type globs, any of which may match; empty: any type (or none). */
  types: string[];
  /** Path globs, any of which may match; empty: any path. */
  paths: string[];
}

export interface Routable {
  eventType: string | null;
  path: string;
}

const URL_START = /=(?=https?:\/\/)/i;

function checkUrl(text: string, flag: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usageError(`${flag}: "${text}" is not a valid URL (expected e.g. http://127.0.0.1:3000/webhooks)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw usageError(`${flag}: only http:// and https:// targets are supported, got "${text}"`);
  return url.href;
}

export function parseRoute(spec: string, flag = '--route'): Route {
  const text = spec.trim();
  const split = URL_START.exec(text);
  if (!split) throw usageError(`${flag}: "${spec}" is not FILTER=URL (e.g. 'payment_intent.*=http://127.0.0.1:3000/pay')`);
  const filters = text.slice(0, split.index).trim();
  const given = text.slice(split.index + 1).trim();
  const url = checkUrl(given, flag);
  const types: string[] = [];
  const paths: string[] = [];
  for (const term of filters.split(',').map((part) => part.trim())) {
    if (term === '' || term === '*') continue;
    const [kind, glob] = term.startsWith('path:') ? ['path', term.slice(5)] : term.startsWith('type:') ? ['type', term.slice(5)] : ['type', term];
    if (glob === '') throw usageError(`${flag}: "${term}" has an empty glob (e.g. path:/github/* or type:invoice.*)`);
    if (/\s/.test(glob)) throw usageError(`${flag}: "${term}" contains a space (globs are event types or paths)`);
    (kind === 'path' ? paths : types).push(glob);
  }
  // The name is shown, stored in the outbox and in Redis: never with the URL's password.
  return { name: `${filters}=${displayUrl(url)}`, url, keepPath: hasNoPath(given), types, paths };
}

/**
 * Where a route sends a delivery, for people: the URL, or for a target that names no path its
 * origin and `<path>` (each delivery goes to the path it was posted to).
 */
export function describeTarget(url: string, keepPath: boolean): string {
  return keepPath ? `${displayUrl(url.replace(/\/+$/, ''))}/<each delivery's path>` : displayUrl(url);
}

/** `--forward-to URL`: every delivery. */
export function catchAllRoute(url: string, flag = '--forward-to'): Route {
  const href = checkUrl(url, flag);
  return { name: displayUrl(href), url: href, keepPath: hasNoPath(url), types: [], paths: [] };
}

/** The routes from --forward-to and --route, checked: at least one, none given twice. */
export function routesFrom(forwardTo: string | undefined, specs: readonly string[] = []): Route[] {
  const routes = [...(forwardTo !== undefined ? [catchAllRoute(forwardTo)] : []), ...specs.map((spec) => parseRoute(spec))];
  const seen = new Set<string>();
  for (const route of routes) {
    if (seen.has(route.name)) throw usageError(`--route: "${route.name}" is given twice`);
    seen.add(route.name);
  }
  return routes;
}

const compiled = new WeakMap<Route, { types: GlobMatcher[]; paths: GlobMatcher[] }>();

function matchers(route: Route): { types: GlobMatcher[]; paths: GlobMatcher[] } {
  let found = compiled.get(route);
  if (!found) {
    found = { types: route.types.map((glob) => globMatcher(glob, { longest: LONGEST_MATCHED_EVENT_TYPE })), paths: route.paths.map((glob) => globMatcher(glob, { longest: LONGEST_MATCHED_PATH })) };
    compiled.set(route, found);
  }
  return found;
}

export function routeMatches(route: Route, delivery: Routable): boolean {
  const { types, paths } = matchers(route);
  if (types.length > 0 && (delivery.eventType === null || !types.some((matches) => matches(delivery.eventType!)))) return false;
  if (paths.length > 0) {
    const query = delivery.path.indexOf('?');
    const path = query < 0 ? delivery.path : delivery.path.slice(0, query);
    if (!paths.some((matches) => matches(path))) return false;
  }
  return true;
}

/** Every route the delivery should go to, in the order given. */
export function matchRoutes(routes: readonly Route[], delivery: Routable): Route[] {
  return routes.filter((route) => routeMatches(route, delivery));
}
