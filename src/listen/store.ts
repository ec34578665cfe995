import { fsErrorText } from '../capture/file-ops.js';
import type { DeliveryRecord } from '../records/record.js';
import type { DeliveryOutcome } from '../records/outcome.js';
import { toRecord } from './delivery.js';
import type { Observers } from './observe.js';
import type { StatsCounter } from './stats.js';
import type { Delivery } from './types.js';

/**
 * A place deliveries are recorded: the capture journal, fixture files, and next the outbox and a
 * Redis stream. `write` resolves with where the record went (a path, a stream entry id) once it is
 * as safe as the sink promises (on disk when durable), and rejects when it could not be stored.
 */
export interface Sink {
  write(record: DeliveryRecord): Promise<string | null>;
  /** What came of a delivery this sink recorded (`place`: where `write` put it). */
  outcome?(of: string, outcome: DeliveryOutcome, place: string | null, failed: (error: unknown) => void): void;
  close(): Promise<void>;
}

/**
 * Records each delivery in every sink: true once all have it, false (and a warning) when one
 * refused, so the listener answers 503 and the sender retries. Synchronously true without sinks.
 */
export class StoreStage {
  constructor(
    private readonly sinks: readonly Sink[],
    private readonly stats: StatsCounter,
    private readonly observers: Observers,
  ) {}

  get active(): boolean {
    return this.sinks.length > 0;
  }

  store(delivery: Delivery, receivedAt: string): boolean | Promise<boolean> {
    const { sinks } = this;
    if (sinks.length === 0) return true;
    const record = toRecord(delivery, receivedAt);
    const written = sinks.length === 1 ? sinks[0]!.write(record) : Promise.all(sinks.map((sink) => sink.write(record))).then((places) => places.find((place) => place !== null) ?? null);
    return written.then(
      (place) => {
        delivery.capture = place;
        this.stats.captured();
        return true;
      },
      (error: unknown) => {
        this.stats.captureFailed();
        this.observers.warning(`capture failed for ${delivery.id} (${fsErrorText(error)}); answering 503 so the sender retries`);
        return false;
      },
    );
  }

  /** Records an outcome with the delivery in every sink that keeps them; a failure is a warning, never the delivery's. */
  outcome(of: string, outcome: DeliveryOutcome, place: string | null): void {
    for (const sink of this.sinks) {
      sink.outcome?.(of, outcome, place, (error: unknown) => this.observers.warning(`the outcome of ${of} could not be recorded (${fsErrorText(error)})`));
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.sinks.map((sink) => sink.close()));
  }
}
