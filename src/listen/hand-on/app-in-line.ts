import type { Route } from '../../routes/route.js';
import { displayUrl } from '../../text/url.js';
import { isSuccess } from '../faults.js';
import { commitThen, type OwnedClaim } from '../claim.js';
import { json, type Answer } from '../http-answer.js';
import type { ForwardItem, Forwarder } from '../forward.js';
import { routesFor } from '../routes.js';
import type { ForwardResult } from '../types.js';
import { storeThen, type Accepted, type HandOn, type HandOnParts } from './index.js';

export function forwardItem({ delivery, received, requestPath, scheme }: Accepted): ForwardItem {
  return { id: delivery.id, eventId: delivery.eventId, idempotencyKey: delivery.idempotencyKey, method: delivery.method, path: requestPath, headers: received, body: delivery.body, scheme, secretIndex: delivery.verification?.secretIndex, verified: delivery.verified };
}

type RouteResult = Omit<ForwardResult, 'route'> & { snippet?: string; route: Route };

/** A failure outranks a success; among failures, no answer (unreachable) outranks a status. */
function worst(results: RouteResult[]): RouteResult {
  return results.find((result) => result.status === null) ?? results.find((result) => !isSuccess(result.status!)) ?? results[0]!;
}

/**
 * The app answers in line: each new delivery is forwarded once to every route it matches (at
 * once), and the answer is theirs: every route 2xx → the first route's status; otherwise the
 * worst answer (an unreachable app → 502). Only when every route took it is the id committed; if
 * any refused, the sender's retry reaches them all again (the ones that took it see the same
 * Idempotency-Key twice). A delivery no route matches is processed: 2xx, nothing to forward.
 */
export class AppInLine implements HandOn {
  constructor(
    private readonly parts: HandOnParts,
    private readonly forwarder: Forwarder,
    private readonly routes: readonly Route[],
  ) {}

  accept(accepted: Accepted, claim: OwnedClaim): Answer | Promise<Answer> {
    return storeThen(this.parts, accepted, claim, () => this.forward(accepted, claim));
  }

  private forward(accepted: Accepted, claim: OwnedClaim): Answer | Promise<Answer> {
    const { delivery } = accepted;
    const routes = routesFor(this.routes, accepted);
    if (routes.length === 0) {
      delivery.note = 'no route matches';
      this.parts.stats.unroutedDelivery();
      return commitThen(this.parts, claim, delivery, () => this.parts.answers.ok(delivery, false));
    }
    const item = forwardItem(accepted);
    return Promise.all(routes.map((route) => this.forwarder.once(item, route).then((result): RouteResult => ({ ...result, route })))).then((results) => {
      const result = worst(results);
      delivery.forward = { status: result.status, ms: result.ms, error: result.error ?? null, ...(result.app ? { app: result.app } : {}), ...(result.hint ? { hint: result.hint } : {}), route: result.route.name, target: displayUrl(result.route.url) };
      delivery.forwards = results.map((each): ForwardResult => ({ status: each.status, ms: each.ms, error: each.error ?? null, attempts: 1, ...(each.app ? { app: each.app } : {}), ...(each.hint ? { hint: each.hint } : {}), route: each.route.name, target: displayUrl(each.route.url) }));
      const someOther = results.length > 1 ? ` (${results.filter((other) => other.status === null || !isSuccess(other.status)).length} of ${results.length} routes)` : '';
      if (result.status !== null && isSuccess(result.status)) {
        return commitThen(this.parts, claim, delivery, () => {
          const ok = this.parts.answers.ok(delivery, false);
          if (result.status !== 200) ok.status = result.status!;
          return ok;
        });
      }
      claim.release();
      if (result.status === null) {
        delivery.note = `forward failed: ${result.error}${someOther}`;
        return { status: 502, body: json({ error: `could not reach your app at ${displayUrl(result.route.url)}: ${result.error}`, reason: 'forward_failed' }) };
      }
      delivery.note = `your app answered ${result.status}${someOther}`;
      return { status: result.status, body: json({ error: `your app answered ${result.status}`, reason: 'forward_status', app: result.snippet ?? '' }) };
    });
  }

  drain(timeoutMs: number): Promise<number> {
    return this.forwarder.drain(timeoutMs);
  }

  close(): Promise<void> {
    return this.forwarder.close();
  }
}
