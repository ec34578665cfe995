/**
 * Files that hold deliveries are private to the user, and survive a power cut once acknowledged:
 * captures, the ledger and --capture-files fixtures were 0644 in a 0755 folder (0777 under umask
 * 000), --durable never fsynced the folder after creating the journal or ledger, and the full-disk
 * cut-back trusted a size check that could remove another writer's bytes.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { AppendLog } from '../../src/capture/append-log.js';
import { realFileOps, type FileOps } from '../../src/capture/file-ops.js';
import { JOURNAL_FILE, LEDGER_FILE, openCapture } from '../../src/capture/index.js';
import { BIN, cliEnv } from '../helpers/cli.js';
import { cleanup, onCleanup, tempDir as makeTempDir } from './support.js';

afterEach(cleanup);

const tempDir = () => makeTempDir('hookctl-files-');

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

/** `hookctl listen` under umask 000, the most permissive a user can have; resolves with its URL and a stop(). */
async function listenUnderUmask0(args: string[]): Promise<{ url: string; stderr: string[]; stop: () => Promise<void> }> {
  const child = spawn('/bin/sh', ['-c', 'umask 000 && exec "$0" "$@"', process.execPath, BIN, 'listen', '--port', '0', '--json', ...args], { env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  onCleanup(() => (child.kill('SIGKILL'), exited));
  const stderr: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => stderr.push(line));
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const record = JSON.parse(line) as { type: string; url?: string };
      if (record.type === 'listening') resolve(record.url!);
    });
    child.once('close', () => reject(new Error(`listener exited: ${stderr.join('\n')}`)));
  });
  return { url, stderr, stop: async () => void (child.kill('SIGINT'), await exited) };
}

describe('capture files', () => {
  it('a new capture folder is 0700 and its journal, ledger and fixtures 0600, even under umask 000', async () => {
    const root = tempDir();
    for (const [name, extra] of [
      ['journal', []],
      ['files', ['--capture-files']],
      ['durable', ['--durable']],
    ] as const) {
      const dir = join(root, 'parent', name);
      const listener = await listenUnderUmask0(['--capture', dir, '--id-header', 'x-id', ...extra]);
      const answer = await fetch(listener.url, { method: 'POST', body: '{"a":1}', headers: { 'x-id': `${name}-1` } });
      expect(answer.status).toBe(200);
      await listener.stop();
      expect(mode(dir), name).toBe('700');
      const files = readdirSync(dir);
      expect(files.length).toBeGreaterThanOrEqual(2);
      for (const file of files) expect(`${file} ${mode(join(dir, file))}`).toBe(`${file} 600`);
      expect(files).toContain(LEDGER_FILE);
      if (name !== 'files') expect(files).toContain(JOURNAL_FILE);
    }
    // Parents are the user's folders: made as the umask says.
    expect(mode(join(root, 'parent'))).toBe('777');
  });

  it('an existing folder open to others is left as it is, with a warning', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'shared'), { mode: 0o755 });
    const sink = await openCapture({ dir: join(dir, 'shared') });
    await sink.close();
    expect(mode(join(dir, 'shared'))).toBe('755');
    expect(sink.warnings).toEqual([expect.stringMatching(/capture folder .*shared is readable by other users \(mode 755\).*chmod 700/)]);
    const own = await openCapture({ dir: join(dir, 'own') });
    await own.close();
    expect(own.warnings).toEqual([]);
  });

  it('--durable fsyncs the folder once the journal and the ledger exist (a new file is a name in the folder)', async () => {
    const dir = join(tempDir(), 'captured');
    const synced: string[] = [];
    const ops: FileOps = { ...realFileOps, fsyncDir: (path) => (synced.push(path), realFileOps.fsyncDir!(path)) };
    const sink = await openCapture({ dir, durable: true, ops });
    await sink.close();
    // One for the journal, one for the ledger.
    expect(synced).toEqual([dir, dir]);
    const lazy: string[] = [];
    const relaxed = await openCapture({ dir: join(dir, 'x'), ops: { ...realFileOps, fsyncDir: (path) => (lazy.push(path), realFileOps.fsyncDir!(path)) } });
    await relaxed.close();
    expect(lazy).toEqual([]);
  });

  it('the full-disk cut-back removes exactly the bytes of the failed batch, never bytes someone else appended', async () => {
    const dir = tempDir();
    const path = join(dir, 'log.ndjson');
    let fail: 'partly' | 'after another writer' | undefined;
    // The disk takes half the batch, then is full; in the second case another writer appended meanwhile.
    const halfThenFull = (fd: number, data: Uint8Array) => {
      const half = Math.floor(data.length / 2);
      realFileOps.writeAllSync(fd, data.subarray(0, half));
      if (fail === 'after another writer') {
        const other = openSync(path, 'a');
        writeSync(other, 'OTHER WRITER\n');
        closeSync(other);
      }
      return Object.assign(new Error('no space'), { code: 'ENOSPC', bytesWritten: half });
    };
    const ops: FileOps = {
      ...realFileOps,
      writeAllSync(fd, data) {
        if (!fail) return realFileOps.writeAllSync(fd, data);
        throw halfThenFull(fd, data);
      },
      async writeAll(fd, data, position) {
        if (!fail) return realFileOps.writeAll(fd, data, position);
        throw halfThenFull(fd, data);
      },
    };
    const log = new AppendLog(path, { ops });
    onCleanup(() => log.close());
    await log.open();
    await log.append('{"n":1}');
    fail = 'partly';
    await expect(log.append('{"n":2,"pad":"xxxxxxxxxxxxxxxx"}')).rejects.toThrow(/no space/);
    // Our half-written record is gone.
    expect(readFileSync(path, 'utf8')).toBe('{"n":1}\n');
    fail = 'after another writer';
    const third = '{"n":3,"pad":"xxxxxxxxxxxxxxxx"}\n';
    await expect(log.append(third.trimEnd())).rejects.toThrow(/no space/);
    // Not ours alone any more: nothing is cut, the other writer's bytes stay.
    const kept = `{"n":1}\n${third.slice(0, Math.floor(third.length / 2))}OTHER WRITER\n`;
    expect(readFileSync(path, 'utf8')).toBe(kept);
    fail = undefined;
    await log.append('{"n":4}');
    expect(readFileSync(path, 'utf8')).toBe(`${kept}{"n":4}\n`);
  });
});
