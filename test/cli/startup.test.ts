import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, cliEnv } from '../helpers/cli.js';

const TRACER = fileURLToPath(new URL('../helpers/trace-imports.mjs', import.meta.url));
const HEAVY = ['undici', 'ora', '@inquirer', 'hdr-histogram-js', 'redis', '@redis'];
const dir = mkdtempSync(join(tmpdir(), 'hookctl-trace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let runs = 0;

/** Runs node with the import tracer and returns every module URL it resolved. */
async function traced(args: string[], input = ''): Promise<{ code: number | null; modules: string[]; stdout: string; stderr: string }> {
  const traceFile = join(dir, `trace-${++runs}.txt`);
  const child = spawn(process.execPath, ['--import', TRACER, ...args], { env: cliEnv({ HOOKCTL_TRACE_FILE: traceFile }), stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.end(input);
  const [code] = (await once(child, 'close')) as [number | null];
  let modules: string[] = [];
  try {
    modules = readFileSync(traceFile, 'utf8').split('\n').filter(Boolean);
  } catch {
    modules = [];
  }
  return { code, modules, stdout, stderr };
}

/**
 * A long-running command under the tracer: run until stderr says how to stop it (everything it
 * loads to start is loaded by then), then stopped. Its exit is not judged: a signal that arrives
 * as the note is printed may beat its Ctrl-C handler.
 */
async function tracedUntilUp(args: string[]): Promise<{ code: number | null; modules: string[]; stdout: string; stderr: string }> {
  const traceFile = join(dir, `trace-${++runs}.txt`);
  const child = spawn(process.execPath, ['--import', TRACER, ...args], { env: cliEnv({ HOOKCTL_TRACE_FILE: traceFile }), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    if (stderr.includes('Ctrl-C to stop')) child.kill('SIGINT');
  });
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, modules: readFileSync(traceFile, 'utf8').split('\n').filter(Boolean), stdout, stderr };
}

function heavyIn(modules: string[]): string[] {
  return HEAVY.filter((name) => modules.some((url) => url.includes(`/node_modules/${name}/`)));
}

describe('start-up loads only what the command needs', () => {
  it('the tracer sees ESM and CommonJS loads (control: it catches an import of each heavy module)', async () => {
    const script = `await import('undici'); await import('ora'); await import('@inquirer/prompts'); await import('hdr-histogram-js'); await import('redis');`;
    const result = await traced(['--input-type=module', '-e', script]);
    expect(result.code, result.stderr).toBe(0);
    expect(heavyIn(result.modules)).toEqual(HEAVY);
  });

  it.concurrent.each([
    ['--version', ['--version']],
    ['--help', ['--help']],
    ['sign --help', ['sign', '--help']],
    ['sign', ['sign', '--scheme', 'github', '--secret', 's3cret', '--data', '{"a":1}']],
    ['sign --json', ['sign', '--scheme', 'stripe', '--secret', 's3cret', '--data', '{"a":1}', '--json']],
    ['verify', ['verify', '--secret', 's3cret', '-H', 'X-Hub-Signature-256: sha256=00', '--data', '{"a":1}']],
    ['worker --help', ['worker', '--help']],
    ['queue status --help', ['queue', 'status', '--help']],
    ['replay FILE --dry-run', ['replay', 'fixtures/github/push.json', '--dry-run']],
    ['listen --help', ['listen', '--help']],
  ])('hookctl %s loads none of undici, ora, @inquirer, hdr-histogram-js, redis', async (_label, args) => {
    const result = await traced([BIN, ...args]);
    expect([0, 1]).toContain(result.code);
    // The trace is live: the CLI's own entry and commander are in it.
    expect(result.modules.some((url) => url.endsWith('/dist/cli/main.js'))).toBe(true);
    expect(result.modules.some((url) => url.includes('/node_modules/commander/'))).toBe(true);
    expect(heavyIn(result.modules)).toEqual([]);
  });

  it('the Redis client loads only once a command connects: not for a usage error, yes for a connection attempt', async () => {
    const refused = await traced([BIN, 'worker', 'redis://127.0.0.1:1', '--route', 'no-url']);
    expect(refused.code).toBe(2);
    expect(refused.modules.some((url) => url.endsWith('/dist/commands/worker.js'))).toBe(true);
    expect(heavyIn(refused.modules)).not.toContain('redis');
    const connecting = await traced([BIN, 'queue', 'status', 'redis://127.0.0.1:1']);
    expect(connecting.code).toBe(2);
    expect(connecting.stderr).toMatch(/cannot reach Redis/);
    expect(heavyIn(connecting.modules)).toContain('redis');
    // replay loads it for a redis:// PATH only (a file PATH: the list above).
    const replaying = await traced([BIN, 'replay', 'redis://127.0.0.1:1', '--dry-run']);
    expect(replaying.code).toBe(2);
    expect(replaying.stderr).toMatch(/cannot reach Redis/);
    expect(heavyIn(replaying.modules)).toContain('redis');
  });

  it('listen loads the Redis client only with --queue: not while it serves without, yes when --queue connects', async () => {
    const traceFile = join(dir, `trace-${++runs}.txt`);
    const child = spawn(process.execPath, ['--import', TRACER, BIN, 'listen', '--port', '0', '--no-capture', '--forward-to', 'http://127.0.0.1:1/', '--ack-first'], { env: cliEnv({ HOOKCTL_TRACE_FILE: traceFile }), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    await new Promise<void>((resolve) => child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk).includes('listening on') && resolve()));
    child.kill('SIGINT');
    await once(child, 'close');
    const serving = readFileSync(traceFile, 'utf8').split('\n').filter(Boolean);
    expect(serving.some((url) => url.endsWith('/dist/listen/server.js'))).toBe(true);
    expect(heavyIn(serving)).not.toContain('redis');
    const queued = await traced([BIN, 'listen', '--port', '0', '--queue', 'redis://127.0.0.1:1']);
    expect(queued.code).toBe(2);
    expect(queued.stderr).toMatch(/cannot reach Redis/);
    expect(heavyIn(queued.modules)).toContain('redis');
  });

  it('--version and --help load no command module (each is imported only when its command runs)', async () => {
    for (const args of [['--version'], ['--help'], ['sign', '--help']]) {
      const result = await traced([BIN, ...args]);
      expect(result.code).toBe(0);
      expect(result.modules.filter((url) => url.includes('/dist/commands/'))).toEqual([]);
    }
  });
});

describe('the inspector loads only when it is used', () => {
  it.concurrent.each([
    ['inspect --help', ['inspect', '--help']],
    ['listen --help', ['listen', '--help']],
    ['sign', ['sign', '--scheme', 'github', '--secret', 's3cret', '--data', '{"a":1}']],
  ])('hookctl %s loads no inspector module (its server, page and playwright stay out)', async (_label, args) => {
    const result = await traced([BIN, ...args]);
    expect(result.code).toBe(0);
    expect(result.modules.some((url) => url.endsWith('/dist/cli/main.js'))).toBe(true);
    expect(result.modules.filter((url) => url.includes('/dist/inspector/') || url.includes('/node_modules/playwright-core/'))).toEqual([]);
  });

  it('hookctl listen loads the inspector only with --ui', async () => {
    const inspectorModules = (modules: string[]) => modules.filter((url) => url.includes('/dist/inspector/') || url.endsWith('/dist/commands/listen-ui.js'));
    const [plain, withUi] = await Promise.all([
      tracedUntilUp([BIN, 'listen', '--port', '0', '--no-capture']),
      tracedUntilUp([BIN, 'listen', '--port', '0', '--no-capture', '--ui', '--ui-port', '0']),
    ]);
    expect(plain.stdout).toMatch(/^listening on /m);
    expect(plain.modules.some((url) => url.endsWith('/dist/listen/server.js'))).toBe(true);
    expect(inspectorModules(plain.modules)).toEqual([]);
    expect(withUi.stdout).toMatch(/^inspector on /m);
    expect(inspectorModules(withUi.modules)).toContain(withUi.modules.find((url) => url.endsWith('/dist/inspector/index.js')));
    expect(withUi.modules.filter((url) => url.includes('/node_modules/playwright-core/'))).toEqual([]);
  });
});
