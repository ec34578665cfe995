/**
 * Putting dead letters back, while a listener may be running on the folder. `hookctl queue requeue
 * DIR` never writes the outbox itself (the listener owns it, and compacts it by renaming a new file
 * over it): it appends a request to `.hookctl-outbox-requeue`. The listener running on the folder
 * takes requests within a second (it renames the file, waits a moment so a request being written
 * finishes, applies them to its outbox, then deletes the file); if none runs, the next one to
 * start on the folder applies them first. A request applied twice (a crash between applying and
 * deleting) does nothing more: only dead letters are put back.
 */
import { appendFile, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';

export const REQUEUE_FILE = '.hookctl-outbox-requeue';
const TAKING = `${REQUEUE_FILE}.taking-`;

/** Dead-letter ids to put back (named explicitly, so a letter that dies later is not swept along). */
export interface RequeueRequest {
  ids: string[];
}

export async function requestRequeue(dir: string, request: RequeueRequest): Promise<void> {
  await appendFile(join(dir, REQUEUE_FILE), `${JSON.stringify({ ...request, at: new Date().toISOString() })}\n`, { mode: 0o600 });
}

/** True once no request file is waiting (a listener took it). */
export async function requestsTaken(dir: string): Promise<boolean> {
  try {
    await stat(join(dir, REQUEUE_FILE));
    return false;
  } catch {
    return true;
  }
}

function parseRequests(text: string): RequeueRequest[] {
  const requests: RequeueRequest[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const value = JSON.parse(line) as { ids?: unknown };
      if (Array.isArray(value.ids)) requests.push({ ids: value.ids.map(String) });
    } catch {
      // a torn line: its writer failed, and said so
    }
  }
  return requests;
}

async function requestFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((name) => name === REQUEUE_FILE || name.startsWith(TAKING)).map((name) => join(dir, name));
  } catch {
    return [];
  }
}

/** Requests not applied yet (for `queue status`): read, not taken. */
export async function waitingRequests(dir: string): Promise<RequeueRequest[]> {
  const requests: RequeueRequest[] = [];
  for (const path of await requestFiles(dir)) requests.push(...parseRequests(await readFile(path, 'utf8').catch(() => '')));
  return requests;
}

export interface TakenRequests {
  requests: RequeueRequest[];
  /** Deletes the files taken: call once the requests are applied. */
  done(): Promise<void>;
}

/** The listener's side: takes every request waiting (and any a listener that died had taken). */
export async function takeRequests(dir: string, settleMs = 50): Promise<TakenRequests> {
  const files = (await requestFiles(dir)).filter((path) => !path.endsWith(REQUEUE_FILE));
  const taking = join(dir, `${TAKING}${process.pid}-${Date.now()}`);
  try {
    await rename(join(dir, REQUEUE_FILE), taking);
    files.push(taking);
    // A writer that opened the file just before the rename finishes its line in the file taken.
    await new Promise((resolve) => setTimeout(resolve, settleMs));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const requests: RequeueRequest[] = [];
  for (const path of files) requests.push(...parseRequests(await readFile(path, 'utf8').catch(() => '')));
  return { requests, done: async () => void (await Promise.all(files.map((path) => unlink(path).catch(() => {})))) };
}
