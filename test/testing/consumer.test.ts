import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv } from '../helpers/cli.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CONSUMER = fileURLToPath(new URL('./consumer/', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/**
 * The tools and provider libraries the consumer's own devDependencies would hold. They are this
 * repository's dev dependencies already, linked in rather than downloaded again; hookctl itself
 * (and its runtime dependencies) is installed from the packed tarball, as a user installs it.
 */
const LINKED = ['vitest', 'jest', 'typescript', 'tsx', 'stripe', 'express', '@types', '@octokit', 'standardwebhooks', 'hono', 'fastify'];

let work: string;
let project: string;

/** The environment of a child test runner: none of this vitest's own variables leak into it. */
function env(): NodeJS.ProcessEnv {
  const base = cliEnv();
  for (const key of Object.keys(base)) if (key.startsWith('VITEST') || key === 'NODE_OPTIONS' || key === 'TEST') delete base[key];
  return base;
}

async function inProject(command: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  try {
    return await run(command, args, { cwd: project, env: env(), maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed:\n${failed.stdout ?? ''}\n${failed.stderr ?? failed.message}`);
  }
}

/** `npm pack` (of the build `npm test` made first), then a project of its own installing the tarball. */
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'hookctl-consumer-'));
  const { stdout } = await run(npm, ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: ROOT, env: cliEnv() });
  const [packed] = JSON.parse(stdout) as Array<{ filename: string }>;
  project = join(work, 'project');
  await mkdir(project);
  await writeFile(
    join(project, 'package.json'),
    `${JSON.stringify({ name: 'webhook-consumer', private: true, type: 'module', dependencies: { hookctl: `file:../${packed!.filename}` } }, null, 2)}\n`,
  );
  // From the npm cache (warm from this checkout's own install), as the pack test does.
  await run(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], { cwd: project, env: cliEnv() });
  for (const name of LINKED) await symlink(join(ROOT, 'node_modules', name), join(project, 'node_modules', name), 'dir');
  for (const entry of await readdir(CONSUMER)) await cp(join(CONSUMER, entry), join(project, entry), { recursive: true });
}, 180_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('hookctl/testing in a project of its own, installed from the tarball', () => {
  it('vitest: Express + Stripe, Next.js route handlers (GitHub, Standard Webhooks), a receiver', async () => {
    const { stdout } = await inProject(process.execPath, [join(project, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--reporter=verbose', '--exclude', '**/*.jest.test.cjs']);
    expect(stdout).toMatch(/Test Files\s+3 passed \(3\)/);
    expect(stdout).toMatch(/Tests\s+7 passed \(7\)/);
    expect(stdout).toContain('refuses a body that was re-serialized after signing');
  }, 120_000);

  it("jest: Hono, the matchers, jest's fake clock", async () => {
    // Jest's own bin, its default config (no transform for a .cjs file); the path pattern keeps it off the vitest files.
    const jest = join(project, 'node_modules', 'jest', 'bin', 'jest.js');
    const { stderr } = await inProject(process.execPath, [jest, '--ci', '--verbose', '--cacheDirectory', join(work, 'jest-cache'), 'test/hono.jest.test.cjs']);
    expect(stderr).toMatch(/Tests:\s+3 passed, 3 total/);
    expect(stderr).toContain("jest's fake clock signs and verifies alike");
  }, 120_000);

  it('node --test: the same checks, and Fastify', async () => {
    const { stdout } = await inProject(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', 'test/webhooks.node-test.ts']);
    expect(stdout).toMatch(/ℹ pass 4\b/);
    expect(stdout).toMatch(/ℹ fail 0\b/);
  }, 120_000);

  it("CommonJS: require('hookctl/testing') on this Node, without a flag", async () => {
    const { stdout } = await inProject(process.execPath, ['require.cjs']);
    expect(stdout).toContain('require(hookctl/testing): ok');
    // The same from TypeScript compiled to CommonJS (tsx runs a .cts as CommonJS).
    const typed = await inProject(process.execPath, ['--import', 'tsx', 'test/require-types.cts']);
    expect(typed.stdout).toContain('require-types.cts: github verified');
  }, 60_000);

  it('tsc --noEmit with strict passes on the consumer files (the types are proven too), under module nodenext and node16', async () => {
    const tsc = join(project, 'node_modules', 'typescript', 'bin', 'tsc');
    await inProject(process.execPath, [tsc, '-p', 'tsconfig.json']);
    // node16 refuses a CommonJS file importing an ES module's types unless the package says how: its .d.cts does.
    await inProject(process.execPath, [tsc, '-p', 'tsconfig.json', '--module', 'node16', '--moduleResolution', 'node16']);
    // A control: the same compiler, with the same settings, refuses a misuse of the library's types.
    await writeFile(join(project, 'misuse.ts'), "import { sign } from 'hookctl/testing';\nsign({ scheme: 'stripe', body: '{}' });\n");
    await writeFile(join(project, 'tsconfig.misuse.json'), JSON.stringify({ extends: './tsconfig.json', include: ['misuse.ts'] }));
    await expect(inProject(process.execPath, [tsc, '-p', 'tsconfig.misuse.json'])).rejects.toThrow(/misuse\.ts.*secret/s);
  }, 120_000);
});
