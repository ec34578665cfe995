import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const cleanups: Array<() => unknown> = [];

/** Runs what the test registered, last first (pass to afterEach). */
export async function cleanup(): Promise<void> {
  while (cleanups.length > 0) await cleanups.pop()!();
}

export function onCleanup(fn: () => unknown): void {
  cleanups.push(fn);
}

/** A fresh folder under the system's temp folder, removed after the test. */
export function tempDir(prefix = 'hookctl-capture-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
