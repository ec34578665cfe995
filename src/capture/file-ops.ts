import * as fs from 'node:fs';

/**
 * The few file-system calls the capture writers make, as promises over the callback API (cheaper
 * than fs/promises FileHandles on the hot path). Injectable so tests can make a disk fail mid-run.
 */
export interface FileOps {
  open(path: string, flags: string | number, mode?: number): Promise<number>;
  /** Writes the whole buffer (loops over short writes). */
  writeAll(fd: number, data: Uint8Array, position?: number | null): Promise<void>;
  /** The same, on the calling thread: for page-cache appends, cheaper than a thread-pool round trip. */
  writeAllSync(fd: number, data: Uint8Array): void;
  fsync(fd: number): Promise<void>;
  close(fd: number): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  mkdir(path: string): Promise<void>;
  /** Size of an open file. */
  size(fd: number): Promise<number>;
  /**
   * Cuts an open file back to `size` bytes if it grew by at most `grewBy` since (undoes a partial
   * append); synchronous, so no other append can land in between. Optional for injected ops.
   */
  cutBackSync?(fd: number, size: number, grewBy: number): void;
  read(fd: number, length: number, position: number): Promise<Buffer>;
}

function call<T>(fn: (cb: (error: NodeJS.ErrnoException | null, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((error, value) => (error ? reject(error) : resolve(value as T))));
}

export const realFileOps: FileOps = {
  open: (path, flags, mode = 0o644) => call<number>((cb) => fs.open(path, flags, mode, cb)),
  async writeAll(fd, data, position = null) {
    let offset = 0;
    while (offset < data.length) {
      const written = await call<number>((cb) =>
        fs.write(fd, data, offset, data.length - offset, position === null ? null : position + offset, (error, n) => cb(error, n)),
      );
      if (written === 0) throw Object.assign(new Error('short write'), { code: 'EIO' });
      offset += written;
    }
  },
  writeAllSync(fd, data) {
    let offset = 0;
    while (offset < data.length) {
      const written = fs.writeSync(fd, data, offset, data.length - offset);
      if (written === 0) throw Object.assign(new Error('short write'), { code: 'EIO' });
      offset += written;
    }
  },
  fsync: (fd) => call<void>((cb) => fs.fsync(fd, cb)),
  close: (fd) => call<void>((cb) => fs.close(fd, cb)),
  rename: (from, to) => call<void>((cb) => fs.rename(from, to, cb)),
  unlink: (path) => call<void>((cb) => fs.unlink(path, cb)),
  mkdir: (path) => call<void>((cb) => fs.mkdir(path, { recursive: true }, (error) => cb(error))),
  size: (fd) => call<fs.Stats>((cb) => fs.fstat(fd, cb)).then((stats) => stats.size),
  cutBackSync(fd, size, grewBy) {
    const now = fs.fstatSync(fd).size;
    if (now > size && now - size <= grewBy) fs.ftruncateSync(fd, size);
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
    default:
      return err?.code ?? err?.message ?? String(error);
  }
}
