import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { safeFileSlug, toFixtureFile, type DeliveryRecord } from '../records/record.js';
import { foldOutcome, outcomeFrom, type DeliveryOutcome } from '../records/outcome.js';
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
  private readonly folding = new Map<string, Promise<void>>();

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
   * Folds an outcome into a fixture already written (read, changed, written whole again by the
   * same temp-and-rename as `write`). Outcomes of one file are applied one after another. `place`
   * is the file's path when known; otherwise it is found by its capture id (a forward resumed
   * after a restart).
   */
  fold(id: string, outcome: DeliveryOutcome, place: string | null): Promise<void> {
    const key = place ?? id;
    const previous = this.folding.get(key) ?? Promise.resolve();
    const next = previous.then(() => this.foldNow(id, outcome, place));
    const settled = next.catch(() => {});
    this.folding.set(key, settled);
    void settled.then(() => {
      if (this.folding.get(key) === settled) this.folding.delete(key);
    });
    return next;
  }

  private async foldNow(id: string, outcome: DeliveryOutcome, place: string | null): Promise<void> {
    const path = place ?? (await this.find(id));
    if (!path) throw new Error(`no fixture file for ${id} in ${this.dir}`);
    const record = JSON.parse(await readFile(path, 'utf8')) as DeliveryRecord;
    record.outcome = foldOutcome(outcomeFrom(record.outcome), outcome);
    await this.write(record);
  }

  private async find(id: string): Promise<string | undefined> {
    const name = (await readdir(this.dir)).find((file) => file === `${id}.json` || (file.startsWith(`${id}_`) && file.endsWith('.json')));
    return name === undefined ? undefined : join(this.dir, name);
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

  async flushed(): Promise<void> {
    while (this.folding.size > 0) await Promise.all(this.folding.values());
    if (this.inFlight === 0) return;
    return new Promise((resolve) => this.idle.push(resolve));
  }
}
