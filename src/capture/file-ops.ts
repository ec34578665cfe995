import * as fs from 'node:fs';
import { dirname } from 'node:path';

/**
 * The few file-system calls the capture writers make, as promises over the callback API (cheaper
 * than fs/promises FileHandles on the hot path). Injectable so tests can make a disk fail mid-run.
 */
export interface FileOps {
  open(path: string, flags: string | number, mode?: number): Promise<number>;
  /**
   * Writes the whole buffer (loops over short writes). A failure after part of it was written
   * carries `bytesWritten` (see writtenBefore), so a cut-back removes exactly those bytes.
   */
  writeAll(fd: number, data: Uint8Array, position?: number | null): Promise<void>;
  /** The same, on the calling thread: for page-cache appends, cheaper than a thread-pool round trip. */
  writeAllSync(fd: number, data: Uint8Array): void;
  fsync(fd: number): Promise<void>;
  close(fd: number): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** Creates a capture folder (0700) and its parents (as the umask makes them); an existing one is left as it is. */
  mkdir(path: string): Promise<void>;
  /** fsync of a folder, so the names created or renamed in it survive a power cut. Optional for injected ops. */
  fsyncDir?(path: string): Promise<void>;
  /** Size of an open file. */
  size(fd: number): Promise<number>;
  /**
   * Cuts an open file back to `size` bytes if it is exactly `size + wrote` bytes long: it undoes
   * the `wrote` bytes of a failed append and nothing else (any other length means someone else
   * wrote too, and their bytes are not ours to remove). Synchronous, so no other append of ours
   * lands in between. Optional for injected ops.
   */
  cutBackSync?(fd: number, size: number, wrote: number): void;
  read(fd: number, length: number, position: number): Promise<Buffer>;
}

/** Files that hold deliveries are private to the user: created 0600, in folders created 0700. */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/** How many bytes a failed writeAll had written before it failed: 0 when it does not say. */
export function writtenBefore(error: unknown): number {
  const written = (error as { bytesWritten?: unknown })?.bytesWritten;
  return typeof written === 'number' ? written : 0;
}

function withWritten(error: unknown, bytesWritten: number): unknown {
  if (error && typeof error === 'object') Object.assign(error, { bytesWritten });
  return error;
}

function call<T>(fn: (cb: (error: NodeJS.ErrnoException | null, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((error, value) => (error ? reject(error) : resolve(value as T))));
}

export const realFileOps: FileOps = {
  open: (path, flags, mode = PRIVATE_FILE_MODE) => call<number>((cb) => fs.open(path, flags, mode, cb)),
  async writeAll(fd, data, position = null) {
    let offset = 0;
    try {
      while (offset < data.length) {
        const written = await call<number>((cb) =>
          fs.write(fd, data, offset, data.length - offset, position === null ? null : position + offset, (error, n) => cb(error, n)),
        );
        if (written === 0) throw Object.assign(new Error('short write'), { code: 'EIO' });
        offset += written;
      }
    } catch (error) {
      throw withWritten(error, offset);
    }
  },
  writeAllSync(fd, data) {
    let offset = 0;
    try {
      while (offset < data.length) {
        const written = fs.writeSync(fd, data, offset, data.length - offset);
        if (written === 0) throw Object.assign(new Error('short write'), { code: 'EIO' });
        offset += written;
      }
    } catch (error) {
      throw withWritten(error, offset);
    }
  },
  fsync: (fd) => call<void>((cb) => fs.fsync(fd, cb)),
  close: (fd) => call<void>((cb) => fs.close(fd, cb)),
  rename: (from, to) => call<void>((cb) => fs.rename(from, to, cb)),
  unlink: (path) => call<void>((cb) => fs.unlink(path, cb)),
  async mkdir(path) {
    // Parents as the user's umask makes them; the capture folder itself private. An existing folder is left as it is.
    await call<void>((cb) => fs.mkdir(dirname(path), { recursive: true }, (error) => cb(error)));
    await call<void>((cb) => fs.mkdir(path, PRIVATE_DIR_MODE, (error) => cb(error?.code === 'EEXIST' ? null : error)));
  },
  fsyncDir: async (path) => {
    const fd = await call<number>((cb) => fs.open(path, 'r', cb));
    try {
      await call<void>((cb) => fs.fsync(fd, cb));
    } finally {
      await call<void>((cb) => fs.close(fd, cb)).catch(() => {});
    }
  },
  size: (fd) => call<fs.Stats>((cb) => fs.fstat(fd, cb)).then((stats) => stats.size),
  cutBackSync(fd, size, wrote) {
    if (wrote > 0 && fs.fstatSync(fd).size === size + wrote) fs.ftruncateSync(fd, size);
  },
  async read(fd, length, position) {
    const buffer = Buffer.alloc(length);
    const n = await call<number>((cb) => fs.read(fd, buffer, 0, length, position, (error, bytes) => cb(error, bytes)));
    return buffer.subarray(0, n);
  },
};

/** A short description of a file-system error: the code, or the message. */
export function fsErrorText(error: unknown): string {
  const err = error as NodeJS.ErrnoException;
  switch (err?.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return 'no such file or folder';
    case 'ENOTDIR':
      return 'a path component is a file, not a folder';
    case 'EEXIST':
      return 'a file is in the way';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EISDIR':
      return 'it is a folder';
    case 'EMFILE':
    case 'ENFILE':
      return `out of file descriptors (${err.code})`;
    default:
      return err?.code ?? err?.message ?? String(error);
  }
}
