/**
 * Where send and replay read deliveries from: fixture files, journals and folders (src/records/reader.ts),
 * and Redis streams named by a redis:// URL (src/queue/reader.ts). Both yield the same
 * FixtureItems, since the stream, the outbox and the journal carry the same delivery record. The
 * Redis client is imported only when a queue is named, so reading files never loads it.
 */
import { isUserError } from '../errors.js';
import { isRedisUrl, parseQueueAddress, type AddressOverrides } from '../options/queue-url.js';
import { readFixtures, type FixtureItem } from './reader.js';

export interface SourceOptions {
  cwd?: string;
  /** For queues: --stream and the password from --redis-password-file. */
  queue?: AddressOverrides;
  /** For queues, read by the stream's own clock (when each entry was added): Unix ms, inclusive. */
  sinceMs?: number;
  untilMs?: number;
}

export const isQueueSource = isRedisUrl;

/** Checks a queue source's URL before anything is read or asked (a usage error names it). */
export function checkQueueSource(path: string, options: SourceOptions = {}): void {
  parseQueueAddress(path, options.queue ?? {}, 'PATH');
}

async function* readQueue(url: string, options: SourceOptions): AsyncGenerator<FixtureItem> {
  const { readQueueRecords } = await import('../queue/reader.js');
  const address = parseQueueAddress(url, options.queue ?? {});
  try {
    yield* readQueueRecords(url, {
      ...options.queue,
      ...(options.sinceMs !== undefined ? { since: options.sinceMs } : {}),
      ...(options.untilMs !== undefined ? { until: options.untilMs } : {}),
    });
  } catch (error) {
    // Unreachable at the start is the user's to fix (exit 2); a connection lost while reading
    // ends this source only, like an unreadable file: reported in place, the rest goes on.
    if (isUserError(error)) throw error;
    yield { kind: 'problem', source: address.display, message: `stopped reading: ${(error as Error).message}` };
  }
}

/** Every delivery from the given paths and queues, in the order given. */
export async function* readSources(paths: readonly string[], options: SourceOptions = {}): AsyncGenerator<FixtureItem> {
  for (const path of paths) {
    if (isQueueSource(path)) yield* readQueue(path, options);
    else yield* readFixtures([path], options.cwd ? { cwd: options.cwd } : {});
  }
}
