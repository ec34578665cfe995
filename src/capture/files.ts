import { join } from 'node:path';
import { safeFileSlug, toFixtureFile, type DeliveryRecord } from '../records/record.js';
import { realFileOps, type FileOps } from './file-ops.js';

/**
 * One fixture file per delivery. Each is written to a temp file and renamed into place, so a
 * reader (or a crash) never sees half a fixture. Names start with the capture id so they sort by
 * arrival; the event type and id come from the sender, so they are reduced to a safe slug.
 *
 * Durable: the file is fsynced before the rename, and the folder after it (so the name survives
 * a crash too); folder fsyncs are shared by all files renamed meanwhile (group commit).
 */
export class FixtureFileWriter {
  readonly dir: string;
  private readonly durable: boolean;
  private readonly ops: FileOps;
  private dirSync: Promise<void> | undefined;
  private dirSyncQueued: Promise<void> | undefined;
  private inFlight = 0;
  private idle: Array<() => void> = [];

  constructor(dir: string, options: { durable?: boolean; ops?: FileOps } = {}) {
    this.dir = dir;
    this.durable = options.durable ?? false;
    this.ops = options.ops ?? realFileOps;
  }

  static fileName(record: DeliveryRecord): string {
    const parts = [record.id];
    if (record.eventType) parts.push(safeFileSlug(record.eventType, 40));
    if (record.eventId) parts.push(safeFileSlug(record.eventId, 40));
    return `${parts.join('_')}.json`;
  }

  /** Checks at start-up that fixtures can be created here, by creating and removing one. */
  async open(): Promise<void> {
    await this.ops.mkdir(this.dir);
    const probe = join(this.dir, `.hookctl-probe-${process.pid}.tmp`);
    const fd = await this.ops.open(probe, 'w');
    await this.ops.close(fd);
    await this.ops.unlink(probe);
  }

  /** Writes one fixture; resolves with its path once it is in place (and on disk when durable). */
  async write(record: DeliveryRecord): Promise<string> {
    this.inFlight++;
    try {
      const name = FixtureFileWriter.fileName(record);
      const path = join(this.dir, name);
      const temp = join(this.dir, `.${name}.tmp`);
      let fd: number;
      try {
        fd = await this.ops.open(temp, 'w');
      } catch (error) {
        // The folder may have been removed mid-run: recreate it and try once more.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        await this.ops.mkdir(this.dir);
        fd = await this.ops.open(temp, 'w');
      }
      try {
        await this.ops.writeAll(fd, Buffer.from(toFixtureFile(record), 'utf8'), 0);
        if (this.durable) await this.ops.fsync(fd);
      } catch (error) {
        await this.ops.close(fd).catch(() => {});
        await this.ops.unlink(temp).catch(() => {});
        throw error;
      }
      await this.ops.close(fd);
      try {
        await this.ops.rename(temp, path);
      } catch (error) {
        await this.ops.unlink(temp).catch(() => {});
        throw error;
      }
      if (this.durable) await this.syncDir();
      return path;
    } finally {
      if (--this.inFlight === 0) {
        const idle = this.idle;
        this.idle = [];
        for (const wake of idle) wake();
      }
    }
  }

  /**
   * fsync of the folder, shared: a rename that lands while a sync runs waits for the next one
   * (which covers it), and every rename waiting for that next one shares it.
   */
  private syncDir(): Promise<void> {
    if (!this.dirSync) {
      this.dirSync = this.runDirSync().finally(() => (this.dirSync = undefined));
      return this.dirSync;
    }
    this.dirSyncQueued ??= this.dirSync
      .catch(() => {})
      .then(() => {
        this.dirSyncQueued = undefined;
        return this.syncDir();
      });
    return this.dirSyncQueued;
  }

  private async runDirSync(): Promise<void> {
    const fd = await this.ops.open(this.dir, 'r');
    try {
      await this.ops.fsync(fd);
    } finally {
      await this.ops.close(fd).catch(() => {});
    }
  }

  flushed(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }
}
