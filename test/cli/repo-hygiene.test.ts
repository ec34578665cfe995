/** What a run of the documented commands leaves behind stays out of git and out of the package. */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

describe('generated files', () => {
  it('the bench report docs/bench.md writes (bench.html, also in docs/) is git-ignored and not packed', async () => {
    for (const path of ['docs/bench.html', 'bench.html']) {
      // exit 0: ignored (the file need not exist with --no-index)
      await expect(run('git', ['check-ignore', '--no-index', '-q', path], { cwd: ROOT }), path).resolves.toBeDefined();
    }
    const { files } = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { files: string[] };
    expect(files).toContain('!docs/bench.html');
  });
});
