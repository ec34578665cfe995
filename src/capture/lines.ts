import { open } from 'node:fs/promises';

const READ_CHUNK = 1 << 20;

export interface LinesRead {
  /** Lines with a newline after them (blank ones included). */
  lines: number;
  /** Bytes after the last newline: a write a crash cut short. Handed to `onLine` with `torn` set. */
  tornTail: boolean;
  bytes: number;
}

/**
 * Streams a file's lines as byte ranges, a chunk at a time, never holding more than a chunk and the
 * line that spans it: a log of any size (past the largest string) can be read. A missing file is
 * empty. `onLine` gets a buffer it must not keep (copy what it needs).
 */
export async function forEachLine(path: string, onLine: (line: Buffer, torn: boolean, offset: number) => void, options: { missingOk?: boolean } = {}): Promise<LinesRead> {
  const read: LinesRead = { lines: 0, tornTail: false, bytes: 0 };
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (options.missingOk !== false && (error as NodeJS.ErrnoException).code === 'ENOENT') return read;
    throw error;
  }
  try {
    const buffer = Buffer.allocUnsafe(READ_CHUNK);
    let carry: Buffer | undefined;
    let carryAt = 0;
    for (;;) {
      const chunkAt = read.bytes;
      const { bytesRead } = await handle.read(buffer, 0, READ_CHUNK, chunkAt);
      if (bytesRead === 0) break;
      read.bytes += bytesRead;
      let start = 0;
      for (let end = buffer.indexOf(0x0a); end >= 0 && end < bytesRead; start = end + 1, end = buffer.indexOf(0x0a, start)) {
        read.lines++;
        if (carry) {
          onLine(Buffer.concat([carry, buffer.subarray(start, end)]), false, carryAt);
          carry = undefined;
        } else onLine(buffer.subarray(start, end), false, chunkAt + start);
      }
      if (start < bytesRead) {
        if (!carry) carryAt = chunkAt + start;
        carry = carry ? Buffer.concat([carry, buffer.subarray(start, bytesRead)]) : Buffer.from(buffer.subarray(start, bytesRead));
      }
    }
    if (carry && carry.length > 0) {
      read.tornTail = true;
      onLine(carry, true, carryAt);
    }
  } finally {
    await handle.close();
  }
  return read;
}
