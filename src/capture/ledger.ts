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
  private readonly inFlight = new Map<string, Promise<boolean>>();
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
   * (then it waits for that one's outcome): the common case costs no promise hops.
   */
  claim(eventId: string): Claim | Promise<Claim> {
    if (this.done.has(eventId)) return DUPLICATE;
    const pending = this.inFlight.get(eventId);
    if (pending) return pending.then(() => this.claim(eventId));
    let settle!: (committed: boolean) => void;
    this.inFlight.set(eventId, new Promise<boolean>((resolve) => (settle = resolve)));
    let settled = false;
    const finish = (committed: boolean) => {
      if (settled) return;
      settled = true;
      if (committed) this.done.add(eventId);
      this.inFlight.delete(eventId);
      settle(committed);
    };
    const log = this.log;
    return {
      duplicate: false,
      commit: (captureId?: string) => {
        if (!log) {
          finish(true);
          return undefined;
        }
        return log.append(JSON.stringify({ eventId, at: new Date().toISOString(), ...(captureId ? { capture: captureId } : {}) })).then(
          () => finish(true),
          (error: unknown) => {
            finish(false);
            throw error;
          },
        );
      },
      release: () => finish(false),
    };
  }

  async close(): Promise<void> {
    await this.log?.close();
  }
}
