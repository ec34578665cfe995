import { displayUrl } from '../../text/url.js';
import { isSuccess } from '../faults.js';
import { commitThen, type OwnedClaim } from '../claim.js';
import { json, type Answer } from '../http-answer.js';
import type { ForwardItem, Forwarder } from '../forward.js';
import { storeThen, type Accepted, type HandOn, type HandOnParts } from './index.js';

export function forwardItem({ delivery, received, requestPath, scheme }: Accepted): ForwardItem {
  return { id: delivery.id, eventId: delivery.eventId, method: delivery.method, path: requestPath, headers: received, body: delivery.body, scheme, secretIndex: delivery.verification?.secretIndex, verified: delivery.verified };
}

/**
 * The app answers in line: each new delivery is forwarded once, and the app's answer is ours. Only
 * a 2xx from the app commits the id; otherwise the sender's retry must reach the app again.
 */
export class AppInLine implements HandOn {
  constructor(
    private readonly parts: HandOnParts,
    private readonly forwarder: Forwarder,
    /** The app's URL, named in the 502 when it cannot be reached. */
    private readonly appUrl: string,
  ) {}

  accept(accepted: Accepted, claim: OwnedClaim): Answer | Promise<Answer> {
    return storeThen(this.parts, accepted, claim, () => this.forward(accepted, claim));
  }

  private forward(accepted: Accepted, claim: OwnedClaim): Promise<Answer> {
    const { delivery } = accepted;
    return this.forwarder.once(forwardItem(accepted)).then((result) => {
      delivery.forward = { status: result.status, ms: result.ms, error: result.error ?? null, ...(result.app ? { app: result.app } : {}), ...(result.hint ? { hint: result.hint } : {}) };
      if (result.status !== null && isSuccess(result.status)) {
        return commitThen(this.parts, claim, delivery, () => {
          const ok = this.parts.answers.ok(delivery, false);
          if (result.status !== 200) ok.status = result.status!;
          return ok;
        });
      }
      claim.release();
      if (result.status === null) {
        delivery.note = `forward failed: ${result.error}`;
        return { status: 502, body: json({ error: `could not reach your app at ${displayUrl(this.appUrl)}: ${result.error}`, reason: 'forward_failed' }) };
      }
      delivery.note = `your app answered ${result.status}`;
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
