import { readFileSync } from 'node:fs';

/**
 * Running out of file descriptors. A listener holds one per connection and, with --capture-files,
 * one per fixture being written; past the limit the kernel refuses accept() and libuv closes the
 * waiting connections at once: valid deliveries are reset, and nothing says why. These helpers
 * let the listener say so once, with the limit and how to raise it.
 */

export interface OpenFilesLimit {
  soft: number;
  hard: number;
}

/** The limit on open files of this process (`ulimit -n`), from /proc/self/limits; undefined where that does not exist. */
export function openFilesLimit(limitsText?: string): OpenFilesLimit | undefined {
  let text = limitsText;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/limits', 'utf8');
    } catch {
      return undefined;
    }
  }
  const match = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(text);
  if (!match) return undefined;
  const number = (value: string) => (value === 'unlimited' ? Infinity : Number(value));
  return { soft: number(match[1]!), hard: number(match[2]!) };
}

/** Whether an error is the process (EMFILE) or the system (ENFILE) being out of file descriptors. */
export function isOutOfFileDescriptors(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException)?.code;
  return code === 'EMFILE' || code === 'ENFILE';
}

/** One line for the user: what ran out, the limit, and how to raise it. */
export function outOfFileDescriptorsMessage(limit: OpenFilesLimit | undefined = openFilesLimit()): string {
  const now = limit && Number.isFinite(limit.soft) ? ` (the limit is ${limit.soft}` + (limit.hard > limit.soft ? `, and may be raised to ${Number.isFinite(limit.hard) ? limit.hard : 'unlimited'} without privileges` : '') + ')' : '';
  const to = limit && limit.hard > limit.soft && Number.isFinite(limit.hard) ? limit.hard : 65536;
  return `out of file descriptors${now}: connections are being reset without an answer; raise the limit before starting hookctl (ulimit -n ${to}), or lower the number of concurrent connections`;
}
