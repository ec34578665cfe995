import { catchAllRoute, matchRoutes, type Route } from '../routes/route.js';
import type { Accepted } from './hand-on/index.js';
import type { ForwardOptions } from './types.js';

/** The listener's routes: --forward-to (matching everything) first, then each --route, in order. */
export function listenerRoutes(forward: ForwardOptions): Route[] {
  const routes: Route[] = [];
  if (forward.url !== undefined) routes.push({ ...catchAllRoute(forward.url), keepPath: forward.keepPath ?? false });
  routes.push(...(forward.routes ?? []));
  return routes;
}

/** The routes a new delivery goes to: filters on its event type and the path it was posted to. */
export function routesFor(routes: readonly Route[], { delivery, requestPath }: Accepted): Route[] {
  if (routes.length === 1 && routes[0]!.types.length === 0 && routes[0]!.paths.length === 0) return [routes[0]!];
  return matchRoutes(routes, { eventType: delivery.eventType, path: requestPath });
}
