/** hookctl init: the capture folder is private (0700), and Ctrl-C at its prompt cancels cleanly (130), on a real terminal. */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { drive, hasPty } from '../helpers/pty.js';

const CTRL_C = '\u0003';
let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('hookctl init', () => {
  it('creates the capture folder 0700, as listen wants it', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hookctl-init-mode-'));
    const result = await runCli(['init', '--yes', '--scheme', 'stripe'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(statSync(join(dir, 'fixtures', 'captured')).mode & 0o777).toBe(0o700);
  });

  it.skipIf(!hasPty)('Ctrl-C at the first prompt: "cancelled", exit 130, nothing written', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hookctl-init-pty-'));
    const result = await drive([{ wait: 'Which provider' }, { send: CTRL_C }, { wait: 'cancelled' }], ['init'], {}, { cwd: dir });
    expect(result.failed, result.output).toBeNull();
    expect(result.code, result.output).toBe(130);
    expect(result.output).toMatch(/cancelled; nothing written/);
    expect(result.output).not.toMatch(/unexpected error/);
    expect(readdirSync(dir)).toEqual([]);
  });
});
