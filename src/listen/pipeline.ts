import type { IncomingMessage, ServerResponse } from 'node:http';
import { newCaptureId } from '../records/record.js';
import { Answers } from './answers.js';
import type { Claim, Ledger } from './claim.js';
import type { Faults } from './faults.js';
import type { HandOn } from './hand-on/index.js';
import { writeAnswer, type Answer } from './http-answer.js';
import type { IdentifyStage } from './identify.js';
import type { Observers } from './observe.js';
import { receivedHeaders, type Redactor } from './redact.js';
import type { StoreStage } from './store.js';
import type { Delivery } from './types.js';
import type { VerifyStage } from './verify.js';
import type { Scheme } from '../schemes/types.js';
import { findHandshake, type Handshake } from '../schemes/handshakes/index.js';

/** The stages a delivery goes through once its body is read, in order. */
export interface Stages {
  verify: VerifyStage;
  /** The provider URL challenges this listener answers (handshakes.ts); empty when none. */
  handshakes: readonly Handshake[];
  identify: IdentifyStage;
  ledger: Ledger;
  store: StoreStage;
  faults: Faults;
  answers: Answers;
  handOn: HandOn;
  observers: Observers;
  redactor: Redactor;
}

export interface PipelineSettings {
  /** The public URL providers post to (Twilio signs it); else built from Host. */
  publicBase: string | undefined;
  /** host:port the listener is bound to, for requests without a Host header. */
  boundHost(): string;
  /** Build each delivery's type, capture id and time (see Assembly.detailed). */
  detailed: boolean;
  /** Copy and redact each delivery's headers (see Assembly.withHeaders). */
  withHeaders: boolean;
  /** Whether the server is closing: answers then ask the client to close the connection. */
  closing(): boolean;
}

/** One delivery in flight through the stages. */
interface InFlight {
  req: IncomingMessage;
  /** Path and query as requested (the app gets this; `delivery.path` is redacted). */
  requestPath: string;
  res: ServerResponse;
  delivery: Delivery;
  receivedAt: string;
  started: number;
  scheme: Scheme | undefined;
  /** Headers as received, unredacted: for the app behind the listener only. */
  received: Record<string, string>;
}

/** receivedAt of deliveries nobody looks at (quiet, no capture): not worth a Date each. */
const UNSEEN = new Date(0);
const EMPTY_HEADERS: Record<string, string> = Object.freeze({}) as Record<string, string>;

/**
 * The way of a delivery through the listener once its body is read:
 *   verify → identify → (refused: store, 401) | (injected fault: store, fault) |
 *   claim → (duplicate: store, 2xx) | hand on (store, forward or queue, commit) → answer → observe.
 * Each stage answers synchronously when it can: the common case costs no promise.
 */
export class Pipeline {
  constructor(
    private readonly stages: Stages,
    private readonly settings: PipelineSettings,
  ) {}

  /**
   * Handles one read request; returns a promise only when some stage had to wait. `relayedFrom`:
   * the request was relayed (src/relay/), and this is the ingress URL the provider called and signed.
   */
  process(req: IncomingMessage, res: ServerResponse, body: Buffer, started: number, relayedFrom?: string): void | Promise<void> {
    const { stages, settings } = this;
    const detailed = settings.detailed;
    const path = req.url ?? '/';
    const base = relayedFrom ?? settings.publicBase ?? `http://${req.headers.host ?? settings.boundHost()}`;

    const { scheme, verification } = stages.verify.check(req.headers, body, path, base, relayedFrom);
    const identity = stages.identify.identify(req.headers, body, scheme, detailed);
    const received = settings.withHeaders ? receivedHeaders(req) : EMPTY_HEADERS;
    const receivedAt = detailed ? new Date() : UNSEEN;
    const delivery: Delivery = {
      // The capture id only means something to a capture or a display.
      id: detailed ? newCaptureId(receivedAt) : '',
      receivedAt,
      method: req.method ?? 'POST',
      path: detailed ? stages.redactor.path(path) : path,
      headers: settings.withHeaders ? stages.redactor.headers(received) : EMPTY_HEADERS,
      body,
      bytes: body.length,
      scheme: scheme?.name ?? null,
      eventId: identity.eventId,
      eventType: identity.eventType,
      idempotencyKey: identity.key,
      verified: verification ? verification.verified : null,
      reason: verification?.reason ?? null,
      verification,
      duplicate: false,
      status: null,
      reset: false,
      injected: false,
      note: null,
      capture: null,
      forward: null,
      forwardQueued: false,
      ms: 0,
    };
    if (relayedFrom !== undefined) delivery.via = 'relay';
    const flight: InFlight = { req, requestPath: path, res, delivery, receivedAt: base, started, scheme, received };

    // A provider's URL challenge is answered here, never forwarded; a signed one only once verified.
    const shake = stages.handshakes.length === 0 ? undefined : findHandshake(stages.handshakes, { method: delivery.method, url: path, headers: req.headers, body, secrets: stages.verify.secrets });
    let answer: Answer | Promise<Answer>;
    if (shake && (!shake.handshake.signed || verification === null || verification.verified)) {
      delivery.note = shake.reply.note;
      // An unsigned challenge (Meta's GET, Dropbox's) carries no signature by design: not a failed one.
      if (!shake.handshake.signed && 'status' in shake.reply) Object.assign(delivery, { verified: null, reason: null, verification: null });
    }
    if (shake && 'status' in shake.reply && (!shake.handshake.signed || verification === null || verification.verified)) {
      const { status, contentType, body: replyBody, headers: replyHeaders } = shake.reply;
      answer = afterStore(stages.store.store(delivery, base), () => ({ status, headers: { ...replyHeaders, 'content-type': contentType, 'x-content-type-options': 'nosniff' }, body: replyBody }));
    } else if (verification && !verification.verified) {
      answer = afterStore(stages.store.store(delivery, base), () => Answers.signatureRefused(verification));
    } else {
      const fault = stages.faults.decide(identity.key);
      if (fault) {
        delivery.injected = true;
        delivery.note = fault.note;
        answer = afterStore(stages.store.store(delivery, base), () => Answers.injected(fault));
      } else {
        const claim = stages.ledger.claim(identity.key);
        answer = claim instanceof Promise ? claim.then((settled) => this.claimed(flight, settled), (error: unknown) => this.unclaimed(delivery, error)) : this.claimed(flight, claim);
      }
    }
    if (answer instanceof Promise || stages.faults.delayMs > 0) return this.finishLater(flight, answer);
    this.finish(flight, answer);
  }

  private claimed(flight: InFlight, claim: Claim): Answer | Promise<Answer> {
    const { delivery } = flight;
    if (claim.duplicate) {
      delivery.duplicate = true;
      return afterStore(this.stages.store.store(delivery, flight.receivedAt), (ok) => (ok ? this.stages.answers.ok(delivery, true) : Answers.unavailable(delivery)));
    }
    try {
      return this.stages.handOn.accept(flight, claim);
    } catch (error) {
      // A hand-on that throws must not leave the id claimed: its later deliveries would wait forever.
      claim.release();
      throw error;
    }
  }

  /** The ledger could not answer (a shared one out of reach): nothing was processed, so the sender retries. */
  private unclaimed(delivery: Delivery, error: unknown): Answer {
    this.stages.observers.warning(`the idempotency ledger could not be asked about ${delivery.eventId ?? delivery.id} (${(error as Error)?.message ?? error}); answering 503 so the sender retries`);
    return Answers.unavailable(delivery);
  }

  private async finishLater(flight: InFlight, answer: Answer | Promise<Answer>): Promise<void> {
    const resolved = await answer;
    const { delayMs } = this.stages.faults;
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    this.finish(flight, resolved);
  }

  private finish({ req, res, delivery, started }: InFlight, answer: Answer): void {
    if (this.stages.faults.shouldReset()) {
      delivery.reset = true;
      req.socket.destroy();
    } else {
      delivery.status = answer.status;
      writeAnswer(res, answer, this.settings.closing());
    }
    delivery.ms = Math.round(performance.now() - started);
    this.stages.observers.delivery(delivery);
  }
}

function afterStore(stored: boolean | Promise<boolean>, then: (ok: boolean) => Answer): Answer | Promise<Answer> {
  return stored instanceof Promise ? stored.then(then) : then(stored);
}
