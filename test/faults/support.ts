/**
 * Fault-test helpers: spawned CLIs cleaned up after each test, a signed-delivery load driver that
 * records exactly which ids were answered 2xx, and readers for captures that tolerate (and count)
 * a torn last line the way the contract allows.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliProcess } from '../helpers/cli.js';

export const SECRET = 'faults-secret-31c0';

const cleanups: Array<() => unknown> = [];

export async function cleanup(): Promise<void> {
  while (cleanups.length > 0) await cleanups.pop()!();
}

export function onCleanup(fn: () => unknown): void {
  cleanups.push(fn);
}

export function tempDir(prefix = 'hookctl-faults-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface Spawned {
  cli: CliProcess;
  url: string;
  pid: number;
}

export async function spawnListener(args: string[]): Promise<Spawned> {
  const cli = new CliProcess(['listen', '--port', '0', '--json', ...args]);
  onCleanup(() => cli.stop('SIGKILL'));
  const { url } = await cli.waitForRecord<{ url: string }>((r) => r.type === 'listening');
  return { cli, url, pid: cli.child.pid! };
}

export function signed(id: string, extra = ''): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify({ action: 'created', id, pad: extra });
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'issues',
      'x-github-delivery': id,
      'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
    },
  };
}

export interface LoadResult {
  /** Ids answered 2xx (the sender may forget them). */
  acked: Set<string>;
  /** Ids answered something else, or nothing. */
  unacked: Set<string>;
  statuses: Map<number | string, number>;
}

/**
 * `workers` loops each posting fresh signed deliveries until `stop()` returns true. A request that
 * gets no answer (the listener died) counts as unacked, never as delivered.
 */
export async function drive(url: string, { workers, stop, pad = 200 }: { workers: number; stop: (result: LoadResult) => boolean; pad?: number }): Promise<LoadResult> {
  const result: LoadResult = { acked: new Set(), unacked: new Set(), statuses: new Map() };
  const filler = 'p'.repeat(pad);
  const count = (key: number | string) => result.statuses.set(key, (result.statuses.get(key) ?? 0) + 1);
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (!stop(result)) {
        const id = `k-${randomUUID()}`;
        const { body, headers } = signed(id, filler);
        try {
          const response = await fetch(url, { method: 'POST', body, headers });
          await response.arrayBuffer();
          count(response.status);
          if (response.status >= 200 && response.status < 300) result.acked.add(id);
          else result.unacked.add(id);
        } catch {
          count('no answer');
          result.unacked.add(id);
          // The listener is gone: no point hammering a closed port.
          return;
        }
      }
    }),
  );
  return result;
}

export interface JournalRead {
  records: Array<{ eventId: string | null; duplicate: boolean; body: string; bodyEncoding: string }>;
  /** Lines that are not JSON, with their 1-based number. */
  broken: number[];
  lines: number;
  endsWithNewline: boolean;
}

export function readJournal(path: string): JournalRead {
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const out: JournalRead = { records: [], broken: [], lines: lines.length, endsWithNewline: text === '' || text.endsWith('\n') };
  lines.forEach((line, index) => {
    try {
      out.records.push(JSON.parse(line));
    } catch {
      out.broken.push(index + 1);
    }
  });
  return out;
}

/**
 * The event ids the ledger holds. It remembers idempotency keys: a GitHub delivery id is not
 * signed, so its key binds the signature (`<id>|sig:<signature>`, src/listen/identify.ts); these
 * ids never contain `|`.
 */
export function readLedger(dir: string): { ids: string[]; broken: number[] } {
  const path = join(dir, '.hookctl-ledger');
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const ids: string[] = [];
  const broken: number[] = [];
  text.split('\n').forEach((line, index) => {
    if (line === '') return;
    try {
      ids.push((JSON.parse(line) as { eventId: string }).eventId.split('|')[0]!);
    } catch {
      broken.push(index + 1);
    }
  });
  return { ids, broken };
}

export function fixtureFiles(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.endsWith('.json') && !name.startsWith('.'));
}
