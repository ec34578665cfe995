/** The sample catalog is read only by the commands that need it: never at `hookctl --version`. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, cliEnv } from '../helpers/cli.js';

const TRACER = fileURLToPath(new URL('../helpers/trace-imports.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'hookctl-samples-trace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every module the CLI loads for these arguments (the only code that opens data/samples/ is sample-catalog). */
async function modulesFor(args: string[]): Promise<string[]> {
  const traceFile = join(dir, `${args.join('_').replace(/\W+/g, '-')}.txt`);
  const child = spawn(process.execPath, ['--import', TRACER, BIN, ...args], { env: cliEnv({ HOOKCTL_TRACE_FILE: traceFile }), stdio: ['ignore', 'ignore', 'pipe'] });
  const [code] = (await once(child, 'close')) as [number | null];
  expect(code).toBe(0);
  return readFileSync(traceFile, 'utf8').split('\n').filter(Boolean);
}

const loadsCatalog = (modules: string[]) => modules.some((url) => url.endsWith('/records/sample-catalog.js'));

describe('the sample catalog loads lazily', () => {
  it.each([[['--version']], [['--help']], [['samples', '--help']], [['sign', '--scheme', 'github', '--secret', 's', '--data', '{}']]])('hookctl %s does not load it', async (args) => {
    const modules = await modulesFor(args);
    expect(modules.some((url) => url.endsWith('/cli/main.js'))).toBe(true); // the trace is live
    expect(loadsCatalog(modules)).toBe(false);
  });

  it('control: hookctl samples stripe loads it', async () => {
    expect(loadsCatalog(await modulesFor(['samples', 'stripe']))).toBe(true);
  });
});
