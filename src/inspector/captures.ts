/**
 * Opens saved deliveries for the inspector: journals (indexed by offset, never read whole),
 * fixture files and folders of either, in the order replay uses. The last journal can be
 * followed, so `hookctl inspect` over a running listener's capture folder stays live.
 */
import { stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { isJournalPath, orderedFiles, readFixtures, type FixtureProblem } from '../records/reader.js';
import { JournalIndex } from './journal-index.js';
import { JournalSegment } from './segments/journal.js';
import { RecordSegment } from './segments/records.js';
import type { DeliveryStore } from './store.js';

export interface OpenedCaptures {
  /** Files read, as shown to people. */
  files: string[];
  /** Paths that do not exist. */
  missing: FixtureProblem[];
  /** Folders with nothing to read, and unreadable folders. */
  problems: FixtureProblem[];
  /** Journals that end in an incomplete line (a write in progress, or torn by a crash): not shown. */
  incomplete: string[];
  /** The journal being followed, if any. */
  following: string | null;
  /** Stops following. Idempotent. */
  stop(): void;
}

export interface OpenCapturesOptions {
  cwd?: string;
  /** Watch the last journal for appended deliveries. */
  follow?: boolean;
  /** How often a followed journal is checked, ms. */
  pollMs?: number;
}

function display(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

export async function openCaptures(store: DeliveryStore, paths: readonly string[], options: OpenCapturesOptions = {}): Promise<OpenedCaptures> {
  const cwd = options.cwd ?? process.cwd();
  const missing: FixtureProblem[] = [];
  const problems: FixtureProblem[] = [];
  const files: string[] = [];
  for (const given of paths) {
    const path = resolve(cwd, given);
    let info;
    try {
      info = await stat(path);
    } catch {
      missing.push({ kind: 'problem', source: given, missing: true, message: 'no such file or folder' });
      continue;
    }
    if (info.isDirectory()) {
      const listed = await orderedFiles(path);
      problems.push(...listed.problems.map((problem) => ({ ...problem, source: display(problem.source, cwd) })));
      if (listed.files.length === 0 && listed.problems.length === 0) problems.push({ kind: 'problem', source: given, empty: true, message: 'the folder holds no fixtures (.json) or journals (.ndjson)' });
      files.push(...listed.files);
    } else if (info.isFile()) files.push(path);
    else missing.push({ kind: 'problem', source: given, missing: true, message: 'not a file or folder' });
  }

  const incomplete: string[] = [];
  let fixtures: RecordSegment | undefined;
  let lastJournal: JournalSegment | undefined;
  for (const file of files) {
    const source = display(file, cwd);
    if (isJournalPath(file)) {
      fixtures = undefined;
      const index = new JournalIndex(file);
      try {
        await index.scan();
      } catch (error) {
        // An unreadable journal is reported and skipped, like an unreadable fixture.
        await index.close();
        problems.push({ kind: 'problem', source, message: `cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` });
        lastJournal = undefined;
        continue;
      }
      if (index.pendingBytes > 0) incomplete.push(source);
      lastJournal = store.append((base) => new JournalSegment(index, source, base));
    } else {
      lastJournal = undefined;
      fixtures ??= store.append((base) => new RecordSegment(base));
      for await (const item of readFixtures([file], { cwd })) fixtures.add(item);
    }
  }

  let timer: NodeJS.Timeout | undefined;
  const followed = options.follow ? lastJournal : undefined;
  if (followed) {
    let checking = false;
    timer = setInterval(() => {
      if (checking) return;
      checking = true;
      const outcomesBefore = followed.index.outcomeLines;
      followed.index
        .scan()
        .then((added) => {
          // An outcome line changes a row already shown (the app refused it): the page asks again.
          if (added > 0 || followed.index.outcomeLines !== outcomesBefore) store.grew();
        })
        // A journal replaced or truncated under us stops growing here; what was read stays.
        .catch(() => clearInterval(timer))
        .finally(() => (checking = false));
    }, options.pollMs ?? 250);
    timer.unref();
  }
  return {
    files: files.map((file) => display(file, cwd)),
    missing,
    problems,
    incomplete,
    following: followed ? followed.source : null,
    stop: () => clearInterval(timer),
  };
}
