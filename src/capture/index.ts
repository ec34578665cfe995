import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { toJournalLine, type DeliveryRecord } from '../records/record.js';
import { toOutcomeLine, type DeliveryOutcome } from '../records/outcome.js';
import { AppendLog } from './append-log.js';
import { fsErrorText, realFileOps, type FileOps } from './file-ops.js';
import { FixtureFileWriter } from './files.js';
import { IdempotencyLedger, LEDGER_FILE, LedgerReadError, type LedgerLoad } from './ledger.js';
import { FolderLock, FolderLockedError } from './lock.js';

export { DEFAULT_DEDUPE_WINDOW_MS, IdempotencyLedger, LEDGER_FILE, LedgerReadError, ledgerKey, MAX_REMEMBERED_ID_LENGTH } from './ledger.js';
export type { Claim, LedgerLoad, LedgerOptions } from './ledger.js';
export { AppendLog } from './append-log.js';
export { FixtureFileWriter } from './files.js';
export { FolderLock, FolderLockedError, LOCK_FILE } from './lock.js';
export { realFileOps, fsErrorText, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from './file-ops.js';
export type { FileOps } from './file-ops.js';

/** The journal's file name in the capture folder. */
export const JOURNAL_FILE = 'deliveries.ndjson';

export interface CaptureOptions {
  /** Capture folder; undefined turns capture off (the ledger then lives in memory only). */
  dir?: string;
  /** One fixture file per delivery instead of the journal. */
  files?: boolean;
  /** Records (and ledger entries) are on disk before a write resolves. */
  durable?: boolean;
  /** How long the ledger remembers a processed id (default a week); older ids are forgotten. */
  dedupeWindowMs?: number;
  /** The ledger's clock, injectable for tests: Unix milliseconds. */
  now?: () => number;
  /** Problems met while running that do not stop it (a failed ledger compaction). */
  onWarning?: (message: string) => void;
  ops?: FileOps;
}

/** Where deliveries are recorded. `write` resolves with the journal or file path. */
export interface CaptureSink {
  readonly dir: string | undefined;
  readonly ledger: IdempotencyLedger;
  readonly ledgerLoad: LedgerLoad;
  /** The journal's path (journal mode). */
  readonly journalPath: string | undefined;
  readonly journal: AppendLog | undefined;
  /** A torn last journal line found at start-up (a previous crash). */
  readonly tornJournal: boolean;
  /** Things to tell the user at start-up: the capture folder is readable by others, damaged ledger lines. */
  readonly warnings: readonly string[];
  write(record: DeliveryRecord): Promise<string | null>;
  /**
   * What came of a recorded delivery (the answer, a forward's outcome): an outcome line after the
   * record in the journal, or folded into its fixture file (`place`: the path `write` gave, when known).
   * Nothing waits for it (no promise per line): `failed` hears of a write that failed.
   */
  outcome(of: string, outcome: DeliveryOutcome, place: string | null, failed: (error: unknown) => void): void;
  close(): Promise<void>;
}

export class CaptureSetupError extends Error {}

/**
 * Opens the capture folder (created private: 0700, files 0600), takes its lock (one listener per
 * folder), the journal (or checks fixture files can be created) and the idempotency ledger. Any
 * problem fails here, once, with a message naming the folder or file and the real cause.
 */
export async function openCapture(options: CaptureOptions): Promise<CaptureSink> {
  const durable = options.durable ?? false;
  const ops = options.ops ?? realFileOps;
  const ledgerOptions = {
    durable,
    ops,
    ...(options.dedupeWindowMs !== undefined ? { dedupeWindowMs: options.dedupeWindowMs } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.onWarning ? { onWarning: options.onWarning } : {}),
  };
  if (options.dir === undefined) {
    const ledger = new IdempotencyLedger(undefined, ledgerOptions);
    return {
      dir: undefined,
      ledger,
      ledgerLoad: await ledger.open(),
      journalPath: undefined,
      journal: undefined,
      tornJournal: false,
      warnings: [],
      write: async () => null,
      outcome: () => {},
      close: async () => {},
    };
  }
  const dir = resolve(options.dir);
  const warnings: string[] = [];
  let lock: FolderLock;
  try {
    await ops.mkdir(dir);
    lock = await FolderLock.acquire(dir);
  } catch (error) {
    if (error instanceof FolderLockedError) throw new CaptureSetupError(`--capture: ${error.message}`);
    throw new CaptureSetupError(`--capture: cannot write to ${options.dir} (${fsErrorText(error)}); pick another folder with --capture DIR, or --no-capture`);
  }
  if (lock.takenOver) warnings.push(lock.takenOver);
  const exposed = await exposure(dir);
  if (exposed) warnings.push(exposed);

  let journal: AppendLog | undefined;
  let files: FixtureFileWriter | undefined;
  const ledger = new IdempotencyLedger(join(dir, LEDGER_FILE), ledgerOptions);
  let ledgerLoad: LedgerLoad;
  try {
    try {
      if (options.files) {
        files = new FixtureFileWriter(dir, { durable, ops });
        await files.open();
      } else {
        journal = new AppendLog(join(dir, JOURNAL_FILE), { durable, ops });
        await journal.open();
      }
    } catch (error) {
      throw new CaptureSetupError(`--capture: cannot write to ${options.dir} (${fsErrorText(error)}); pick another folder with --capture DIR, or --no-capture`);
    }
    try {
      ledgerLoad = await ledger.open();
    } catch (error) {
      if (error instanceof LedgerReadError) throw new CaptureSetupError(`--capture: ${error.message}`);
      throw new CaptureSetupError(`--capture: cannot write the idempotency ledger ${join(dir, LEDGER_FILE)} (${fsErrorText(error)}); pick another folder with --capture DIR, or --no-capture`);
    }
  } catch (error) {
    await journal?.close().catch(() => {});
    await ledger.close().catch(() => {});
    await lock.release().catch(() => {});
    throw error;
  }
  const damaged = ledgerLoad.skipped - (ledgerLoad.tornTail ? 1 : 0);
  if (damaged > 0) warnings.push(`the idempotency ledger had ${damaged} damaged line${damaged === 1 ? '' : 's'}; they were skipped`);
  const journalPath = journal?.path;
  let closed: Promise<void> | undefined;
  return {
    dir,
    ledger,
    ledgerLoad,
    journalPath,
    journal,
    tornJournal: journal?.tornTail ?? false,
    warnings,
    write: files
      ? (record) => files.write(record)
      : (record) => journal!.append(toJournalLine(record)).then(() => journalPath!),
    outcome: files ? (of, outcome, place, failed) => void files.fold(of, outcome, place).catch(failed) : (of, outcome, _place, failed) => journal!.appendDetached(toOutcomeLine(of, outcome), failed),
    close() {
      closed ??= Promise.all([journal?.close(), files?.flushed(), ledger.close()]).then(
        () => lock.release(),
        async (error: unknown) => {
          await lock.release();
          throw error;
        },
      );
      return closed;
    },
  };
}

/**
 * A warning when other users can read or enter the capture folder. Captures hold signatures that
 * verify forever (schemes without a timestamp), so a new folder is created 0700; one that exists
 * is the user's to decide about, and left as it is.
 */
async function exposure(dir: string): Promise<string | undefined> {
  if (process.platform === 'win32') return undefined;
  const mode = (await stat(dir)).mode & 0o777;
  if ((mode & 0o077) === 0) return undefined;
  return `the capture folder ${dir} is readable by other users (mode ${mode.toString(8).padStart(3, '0')}): captured signatures can be replayed; chmod 700 it`;
}
