import { displayUrl } from '../../text/url.js';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fsErrorText } from '../../capture/file-ops.js';
import { FixtureFileWriter } from '../../capture/files.js';
import type { Attempt } from '../../delivery/deliver.js';
import { schemeNamed } from '../../delivery/forward-request.js';
import { forwardsInCapture } from '../../outbox/reconcile.js';
import { findRecords, REQUEUE_FILE, takeRequests, type OutboxEntry, type OutboxLoad, type OutboxLog } from '../../outbox/index.js';
import { decodeBody, type DeliveryRecord } from '../../records/record.js';
import { attemptError, deadReason } from '../../routes/outcome.js';
import type { Route } from '../../routes/route.js';
import type { SchemeOptions } from '../../schemes/types.js';
import { Answers } from '../answers.js';
import { commitThen, type OwnedClaim } from '../claim.js';
import type { ForwardItem, ForwardJob, Forwarder } from '../forward.js';
import type { Answer } from '../http-answer.js';
import { headersForApp } from '../redact.js';
import { routesFor } from '../routes.js';
import type { OutboxReport, QueuedForward } from '../types.js';
import { forwardItem } from './app-in-line.js';
import { type Accepted, type HandOn, type HandOnParts } from './index.js';
import { ProcessedOnStore } from './processed.js';

/** How often a running listener looks for `hookctl queue requeue` requests. */
const REQUEUE_POLL_MS = 500;

export interface OutboxSetting {
  outbox: OutboxLog;
  /** The capture folder (the outbox and the delivery records are in it). */
  dir: string;
  /** Captures are fixture files (--capture-files), not the journal. */
  files: boolean;
  /** Whether the idempotency ledger holds a key: tells a delivery whose record was lost from one never acknowledged. */
  committed(key: string): boolean;
  schemeOptions: SchemeOptions;
}

/**
 * --ack-first with a capture folder: the durable outbox. A new delivery is answered 2xx only once
 * its record is in the capture and a pending forward per matching route is in the outbox (both on
 * disk with --durable); only then is its id committed (a crash before that leaves the id open, so
 * the sender's retry is processed again — never a duplicate that nobody forwards). Each attempt's
 * outcome goes to the outbox (attempts, next attempt at, last status or error), then delivered, or
 * dead when the schedule runs out. A restarted listener resumes every pending forward on its
 * schedule; Ctrl-C waits only for attempts in flight (the rest stay pending). The app receives
 * each delivery at least once, always with the same Idempotency-Key.
 */
export class AppOutbox implements HandOn {
  private readonly processed: ProcessedOnStore;
  private readonly byName: Map<string, Route>;
  private poller: NodeJS.Timeout | undefined;
  private polling: Promise<unknown> | undefined;
  private closed = false;

  constructor(
    private readonly parts: HandOnParts,
    private readonly forwarder: Forwarder,
    private readonly routes: readonly Route[],
    private readonly setting: OutboxSetting,
  ) {
    this.processed = new ProcessedOnStore(parts);
    this.byName = new Map(routes.map((route) => [route.name, route]));
    setting.outbox.onWarning = (message) => parts.observers.warning(message);
  }

  /** Applies waiting requeue requests, then resumes every pending forward of a route this listener has. */
  async start(load: OutboxLoad): Promise<OutboxReport> {
    const { outbox } = this.setting;
    const report: OutboxReport = { path: outbox.path, resumed: 0, otherRoutes: 0, lost: 0, unacknowledged: 0, dead: 0, requeued: 0, tornTail: load.tornTail, damagedLines: load.skipped, nulBytes: load.nulBytes, empty: load.bytes === 0, recreated: 0 };
    report.requeued = await this.applyRequeues(false);
    report.recreated = await this.reconcile();
    const pending = [...outbox.entries()].filter((entry) => entry.state === 'pending');
    const mine = pending.filter((entry) => this.byName.has(entry.route));
    report.otherRoutes = pending.length - mine.length;
    const resumed = await this.resume(mine);
    report.resumed = resumed.resumed;
    report.lost = resumed.lost;
    report.unacknowledged = resumed.unacknowledged;
    report.dead = [...outbox.entries()].filter((entry) => entry.state === 'dead').length;
    this.poller = setInterval(() => {
      this.polling ??= this.pollRequeues().finally(() => (this.polling = undefined));
    }, REQUEUE_POLL_MS);
    this.poller.unref();
    return report;
  }

  accept(accepted: Accepted, claim: OwnedClaim): Answer | Promise<Answer> {
    const { parts } = this;
    const { delivery } = accepted;
    const routes = routesFor(this.routes, accepted);
    if (routes.length === 0) {
      delivery.note = 'no route matches';
      parts.stats.unroutedDelivery();
      return this.processed.accept(accepted, claim);
    }
    const entries = routes.map((route) => this.newEntry(accepted, route));
    // The record itself says which forwards are owed: the capture is the log the outbox is checked against at start.
    delivery.outcome = { forwards: entries.map((entry) => ({ route: entry.route, target: entry.target, state: 'pending', status: null, ms: 0, error: null, attempts: 0 })) };
    const stored = parts.store.store(delivery, accepted.receivedAt);
    const inOutbox = this.setting.outbox.add(entries).then(
      () => true,
      (error: unknown) => {
        parts.stats.captureFailed();
        parts.observers.warning(`the outbox could not be written (${fsErrorText(error)}); answering 503 so the sender retries`);
        return false;
      },
    );
    return Promise.all([stored, inOutbox]).then(([ok, kept]) => {
      if (!ok || !kept) {
        claim.release();
        // Never acknowledged: nothing to forward (a restart would find no record and drop them anyway).
        if (kept) for (const entry of entries) this.setting.outbox.update(entry.id, { state: 'cancelled' }).catch(() => {});
        return Answers.unavailable(delivery);
      }
      const item = forwardItem(accepted);
      routes.forEach((route, index) => this.forwarder.enqueue(this.job(entries[index]!, item, route)));
      delivery.forwardQueued = true;
      // In the outbox: forwarded whatever the ledger says next (a 503 here means the sender's retry is forwarded too).
      return commitThen(parts, claim, delivery, () => parts.answers.ok(delivery, false));
    });
  }

  private newEntry({ delivery }: Accepted, route: Route): OutboxEntry {
    const now = Date.now();
    const entry: OutboxEntry = { id: this.setting.outbox.newId(now), capture: delivery.id, event: delivery.eventId, type: delivery.eventType, route: route.name, target: displayUrl(route.url), state: 'pending', attempts: 0, due: now, at: now };
    if (this.setting.files) entry.file = FixtureFileWriter.fileName({ id: delivery.id, eventType: delivery.eventType, eventId: delivery.eventId } as DeliveryRecord);
    if (delivery.idempotencyKey !== null && delivery.idempotencyKey !== delivery.eventId) entry.key = delivery.idempotencyKey;
    const secret = delivery.verification?.secretIndex;
    if (secret !== undefined) entry.secret = secret;
    return entry;
  }

  /** The forward of one entry, recording each attempt's outcome in the outbox. */
  private job(entry: OutboxEntry, item: ForwardItem, route: Route): ForwardJob {
    const { outbox } = this.setting;
    const warn = (error: unknown) => this.parts.observers.warning(`the outbox could not record a forward of ${entry.event ?? entry.capture} (${fsErrorText(error)}); if the listener stops now it is forwarded again on the next start`);
    return {
      item,
      target: route,
      attemptsMade: entry.attempts,
      dueAt: entry.due,
      kept: true,
      keptWhenDead: true,
      onAttempt: (attempt: Attempt, number: number, nextAt: number | undefined) => {
        // The last attempt is recorded by onSettled.
        if (nextAt !== undefined) outbox.update(entry.id, { state: 'pending', attempts: number, due: nextAt, status: attempt.status, error: attemptError(attempt) }).catch(warn);
      },
      onSettled: (forward: QueuedForward, last: Attempt | undefined) => {
        // Delivered: written with others shortly after (a crash before that forwards it again).
        if (forward.delivered) return outbox.delivered(entry.id);
        const change = { state: 'dead' as const, attempts: forward.attempts, status: forward.status, error: last ? attemptError(last) : (forward.error ?? 'gave up'), reason: deadReason(forward.status) };
        outbox.update(entry.id, change).catch(warn);
      },
    };
  }

  /**
   * Every forward the capture records as acknowledged and still owed (pending, or dead) has an
   * outbox entry: one the outbox lost is recreated (pending: due now; dead: a dead letter again).
   * Returns how many. A mark whose key the ledger never committed was not acknowledged (its sender
   * retried, and the retry has its own record and entry), and a key+route the outbox already holds
   * under another capture is the same forward.
   */
  private async reconcile(): Promise<number> {
    const { outbox, dir, files } = this.setting;
    const owed = await forwardsInCapture(dir, files);
    if (owed.length === 0) return 0;
    const known = new Set<string>();
    for (const entry of outbox.entries()) {
      known.add(`${entry.capture}\n${entry.route}`);
      const key = entry.key ?? entry.event;
      if (key !== null) known.add(`key:${key}\n${entry.route}`);
    }
    const now = Date.now();
    const recreated: OutboxEntry[] = [];
    for (const mark of owed) {
      const key = mark.key ?? mark.event;
      if (known.has(`${mark.capture}\n${mark.route}`) || (key !== null && known.has(`key:${key}\n${mark.route}`))) continue;
      if (key === null || !this.setting.committed(key)) continue;
      known.add(`${mark.capture}\n${mark.route}`).add(`key:${key}\n${mark.route}`);
      const dead = mark.forward.state === 'dead';
      const entry: OutboxEntry = { id: outbox.newId(now), capture: mark.capture, event: mark.event, type: mark.type, route: mark.route, target: mark.target, state: dead ? 'dead' : 'pending', attempts: dead ? (mark.forward.attempts ?? 0) : 0, due: now, at: now };
      if (mark.file !== undefined) entry.file = mark.file;
      if (mark.key !== undefined) entry.key = mark.key;
      if (dead) Object.assign(entry, { status: mark.forward.status, error: mark.forward.error, reason: deadReason(mark.forward.status) });
      recreated.push(entry);
    }
    if (recreated.length > 0) await outbox.add(recreated);
    return recreated.length;
  }

  /** Finds the records of these entries in the capture and forwards them; entries whose record is gone are settled. */
  private async resume(entries: OutboxEntry[]): Promise<{ resumed: number; lost: number; unacknowledged: number }> {
    const counts = { resumed: 0, lost: 0, unacknowledged: 0 };
    if (entries.length === 0) return counts;
    const { outbox, dir, schemeOptions } = this.setting;
    const records = await findRecords(dir, new Map(entries.map((entry) => [entry.capture, entry.file])));
    const items = new Map<string, ForwardItem>();
    const writes: Array<Promise<void>> = [];
    for (const entry of entries) {
      const record = records.get(entry.capture);
      if (!record) {
        const key = entry.key ?? entry.event;
        if (key !== null && this.setting.committed(key)) {
          // Acknowledged, and its bytes are gone from the capture folder (a journal removed or cut by hand).
          counts.lost++;
          writes.push(outbox.update(entry.id, { state: 'dead', reason: 'lost', status: null, error: `its delivery record ${entry.capture} is no longer in ${dir}` }));
        } else {
          // The listener stopped between writing the entry and answering: never acknowledged, and the sender retried.
          counts.unacknowledged++;
          writes.push(outbox.update(entry.id, { state: 'cancelled' }));
        }
        continue;
      }
      let item = items.get(entry.capture);
      if (!item) {
        item = { id: record.id, eventId: record.eventId, idempotencyKey: entry.key ?? record.idempotencyKey ?? null, method: record.method, path: record.path, headers: headersForApp(record.headers), body: decodeBody(record), scheme: schemeNamed(record.scheme, schemeOptions), secretIndex: entry.secret, verified: record.verified };
        items.set(entry.capture, item);
      }
      this.forwarder.enqueue(this.job(entry, item, this.byName.get(entry.route)!));
      counts.resumed++;
    }
    await Promise.all(writes);
    return counts;
  }

  /** `hookctl queue requeue DIR`: the dead letters asked for go back to pending, attempt 0, due now. */
  private async applyRequeues(forward: boolean): Promise<number> {
    const { outbox, dir } = this.setting;
    const taken = await takeRequests(dir);
    const back: OutboxEntry[] = [];
    const now = Date.now();
    for (const id of new Set(taken.requests.flatMap((request) => request.ids))) {
      const entry = outbox.get(id);
      if (entry?.state !== 'dead') continue;
      await outbox.update(id, { state: 'pending', attempts: 0, due: now, status: null, error: null, at: now });
      back.push(outbox.get(id)!);
    }
    if (forward) await this.resume(back.filter((entry) => this.byName.has(entry.route)));
    await taken.done();
    return back.length;
  }

  private async pollRequeues(): Promise<void> {
    if (this.closed) return;
    try {
      await stat(join(this.setting.dir, REQUEUE_FILE));
    } catch {
      return;
    }
    try {
      const count = await this.applyRequeues(true);
      if (count > 0) this.parts.observers.warning(`${count} dead letter${count === 1 ? '' : 's'} put back by hookctl queue requeue: forwarding again`);
    } catch (error) {
      this.parts.observers.warning(`could not apply a requeue request (${fsErrorText(error)}); it stays for the next try`);
    }
  }

  /** Ctrl-C: waits for attempts in flight (or due now), not for scheduled retries: those stay pending in the outbox. */
  drain(timeoutMs: number): Promise<number> {
    return this.forwarder.drain(timeoutMs, { dueOnly: true });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.poller);
    await this.polling;
    await this.forwarder.close();
    await this.setting.outbox.close();
  }
}
