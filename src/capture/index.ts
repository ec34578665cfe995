import { join, resolve } from 'node:path';
import { toJournalLine, type DeliveryRecord } from '../records/record.js';
import { AppendLog } from './append-log.js';
import { fsErrorText, type FileOps } from './file-ops.js';
import { FixtureFileWriter } from './files.js';
import { IdempotencyLedger, LEDGER_FILE, type LedgerLoad } from './ledger.js';

export { IdempotencyLedger, LEDGER_FILE } from './ledger.js';
export type { Claim, LedgerLoad } from './ledger.js';
export { AppendLog } from './append-log.js';
export { FixtureFileWriter } from './files.js';
export { realFileOps, fsErrorText } from './file-ops.js';
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
  write(record: DeliveryRecord): Promise<string | null>;
  close(): Promise<void>;
}

export class CaptureSetupError extends Error {}

/**
 * Opens the capture folder, the journal (or checks fixture files can be created) and the
 * idempotency ledger. An unwritable folder fails here, once, with a clear message.
 */
export async function openCapture(options: CaptureOptions): Promise<CaptureSink> {
  const durable = options.durable ?? false;
  const ops = options.ops ? { ops: options.ops } : {};
  if (options.dir === undefined) {
    const ledger = new IdempotencyLedger();
    return {
      dir: undefined,
      ledger,
      ledgerLoad: await ledger.open(),
      journalPath: undefined,
      journal: undefined,
      tornJournal: false,
      write: async () => null,
      close: async () => {},
    };
  }
  const dir = resolve(options.dir);
  let journal: AppendLog | undefined;
  let files: FixtureFileWriter | undefined;
  const ledger = new IdempotencyLedger(join(dir, LEDGER_FILE), { durable, ...ops });
  let ledgerLoad: LedgerLoad;
  try {
    if (options.files) {
      files = new FixtureFileWriter(dir, { durable, ...ops });
      await files.open();
    } else {
      journal = new AppendLog(join(dir, JOURNAL_FILE), { durable, ...ops });
      await journal.open();
    }
    ledgerLoad = await ledger.open();
  } catch (error) {
    await journal?.close().catch(() => {});
    throw new CaptureSetupError(`--capture: cannot write to ${options.dir} (${fsErrorText(error)}); pick another folder with --capture DIR, or --no-capture`);
  }
  const journalPath = journal?.path;
  return {
    dir,
    ledger,
    ledgerLoad,
    journalPath,
    journal,
    tornJournal: journal?.tornTail ?? false,
    write: files
      ? (record) => files.write(record)
      : (record) => journal!.append(toJournalLine(record)).then(() => journalPath!),
    async close() {
      await Promise.all([journal?.close(), files?.flushed(), ledger.close()]);
    },
  };
}
