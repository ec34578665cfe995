/** Routing and fan-out: which targets a delivery goes to, and the request that forwards it there. */
export { catchAllRoute, describeTarget, matchRoutes, parseRoute, routeMatches, routesFrom } from './route.js';
export type { Routable, Route } from './route.js';
export { forwardRequest, IDEMPOTENCY_HEADER, schemeNamed } from '../delivery/forward-request.js';
export type { ForwardSigning, ForwardSource, ForwardTarget } from '../delivery/forward-request.js';
