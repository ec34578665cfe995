import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, cliEnv } from '../helpers/cli.js';

const run = promisify(execFile);
const TRACER = fileURLToPath(new URL('../helpers/trace-imports.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'hookctl-testing-trace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function modulesLoadedBy(args: string[], name: string): Promise<string[]> {
  const traceFile = join(dir, `${name}.txt`);
  await run(process.execPath, ['--import', TRACER, ...args], { env: cliEnv({ HOOKCTL_TRACE_FILE: traceFile }) });
  return readFileSync(traceFile, 'utf8').split('\n').filter(Boolean);
}

describe('the test library costs the CLI nothing', () => {
  it('hookctl --version and sign load no module of hookctl/testing (control: importing it does)', async () => {
    for (const args of [['--version'], ['sign', '--scheme', 'github', '--secret', 's', '--data', '{}']]) {
      const modules = await modulesLoadedBy([BIN, ...args], args[0]!.replace(/\W/g, ''));
      expect(modules.length).toBeGreaterThan(0);
      expect(modules.filter((url) => /\/dist\/(testing|cjs)\//.test(url))).toEqual([]);
    }
    const control = await modulesLoadedBy(['--input-type=module', '-e', `await import(${JSON.stringify(new URL('../../dist/testing/index.js', import.meta.url).href)})`], 'control');
    expect(control.some((url) => url.includes('/dist/testing/'))).toBe(true);
  });
});
