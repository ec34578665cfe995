import { readFile } from 'node:fs/promises';
import { AppendLog } from './append-log.js';
import type { FileOps } from './file-ops.js';

/** The ledger's file name in the capture folder: a dotfile without a .json suffix, so replay never takes it for fixtures. */
export const LEDGER_FILE = '.hookctl-ledger';

const DUPLICATE = { duplicate: true } as const;

export type Claim =
  | { duplicate: true }
  | {
      duplicate: false;
      /**
       * The delivery was processed: later deliveries of this id are duplicates. Returns a promise
       * when the entry goes to disk (resolved once written, fsynced when durable), else undefined.
       */
      commit(captureId?: string): Promise<void> | undefined;
      /** The delivery was not processed (failed, refused): the next delivery of this id is processed again. */
      release(): void;
    };

export interface LedgerLoad {
  entries: number;
  /** Lines that were not ledger entries: a torn last line after a crash, or damage. */
  skipped: number;
  tornTail: boolean;
}

/**
 * Which event ids were processed, for idempotency. In memory a map; on disk an append-only file
 * beside the captures, so it survives a restart. Two deliveries of one id that arrive together
 * are processed exactly once: the second waits for the first's outcome, and is a duplicate if the
 * first was committed, or takes over if the first was released.
 */
export class IdempotencyLedger {
  private readonly done = new Set<string>();
  /** Ids being processed, with the deliveries of the same id waiting for the outcome (null: none yet). */
  private readonly inFlight = new Map<string, Array<() => void> | null>();
  private readonly log: AppendLog | undefined;

  /** Without a path the ledger lives in memory only (--no-capture). */
  constructor(path?: string, options: { durable?: boolean; ops?: FileOps } = {}) {
    this.log = path === undefined ? undefined : new AppendLog(path, options);
  }

  get size(): number {
    return this.done.size;
  }

  /** Entries and write batches so far (group commit: batches <= entries). */
  get writes(): { batches: number; lines: number } {
    return { batches: this.log?.batches ?? 0, lines: this.log?.lines ?? 0 };
  }

  /** Reads the existing ledger (a missing file is an empty ledger) and opens it for appending. */
  async open(): Promise<LedgerLoad> {
    const load: LedgerLoad = { entries: 0, skipped: 0, tornTail: false };
    if (!this.log) return load;
    let text = '';
    try {
      text = await readFile(this.log.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const lines = text.split('\n');
    // After the final newline split() yields ''; anything else there is a torn last line.
    const tail = lines.pop();
    if (tail) {
      load.tornTail = true;
      load.skipped++;
    }
    for (const line of lines) {
      if (line === '') continue;
      try {
        const entry = JSON.parse(line) as { eventId?: unknown };
        if (typeof entry.eventId === 'string') {
          this.done.add(entry.eventId);
          load.entries++;
          continue;
        }
      } catch {
        // fall through: counted as skipped
      }
      load.skipped++;
    }
    await this.log.open();
    return load;
  }

  has(eventId: string): boolean {
    return this.done.has(eventId);
  }

  /**
   * Claims an id for processing. Synchronous unless another delivery of the same id is in flight
   * (then it waits for that one's outcome): the common case costs no promise and no closure.
   */
  claim(eventId: string): Claim | Promise<Claim> {
    if (this.done.has(eventId)) return DUPLICATE;
    if (this.inFlight.has(eventId)) {
      return new Promise<void>((resolve) => {
        const waiters = this.inFlight.get(eventId) ?? [];
        waiters.push(resolve);
        this.inFlight.set(eventId, waiters);
      }).then(() => this.claim(eventId));
    }
    this.inFlight.set(eventId, null);
    return new OwnedClaim(this, eventId);
  }

  /** @internal The owner of `eventId` is done with it. */
  settle(eventId: string, committed: boolean): void {
    if (committed) this.done.add(eventId);
    const waiters = this.inFlight.get(eventId);
    this.inFlight.delete(eventId);
    if (waiters) for (const wake of waiters) wake();
  }

  /** @internal */
  append(eventId: string, captureId: string | undefined): Promise<void> | undefined {
    if (!this.log) return undefined;
    return this.log.append(JSON.stringify({ eventId, at: new Date().toISOString(), ...(captureId ? { capture: captureId } : {}) }));
  }

  async close(): Promise<void> {
    await this.log?.close();
  }
}

/** The right to process one event id: commit it (processed) or release it (not processed). */
class OwnedClaim {
  readonly duplicate = false as const;
  private settled = false;
  constructor(
    private readonly ledger: IdempotencyLedger,
    private readonly eventId: string,
  ) {}

  commit(captureId?: string): Promise<void> | undefined {
    const writing = this.ledger.append(this.eventId, captureId);
    if (!writing) {
      this.finish(true);
      return undefined;
    }
    return writing.then(
      () => this.finish(true),
      (error: unknown) => {
        this.finish(false);
        throw error;
      },
    );
  }

  release(): void {
    this.finish(false);
  }

  private finish(committed: boolean): void {
    if (this.settled) return;
    this.settled = true;
    this.ledger.settle(this.eventId, committed);
  }
}
