import { execFile, spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv } from '../helpers/cli.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

let work: string;
let tarball: string;
let files: string[];
let bin: string;
let installOutput: string;
let checkout: string;
let manifestBefore: string;

/** What a fresh clone holds (no dist/, no captures), with this checkout's node_modules. */
const NOT_IN_A_CLONE = /^(node_modules|dist|coverage|test|\.git|fixtures\/captured)(\/|$)|\.tgz$/;

/**
 * What users get: `npm pack` with its lifecycle scripts, as `npm publish` runs them, then a global
 * install of the tarball into an empty prefix. Packed from a copy of the checkout: the pack builds
 * dist/ there, not under the other suites' feet.
 */
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'hookctl-pack-'));
  checkout = join(work, 'checkout');
  await cp(ROOT, checkout, { recursive: true, filter: (path) => !NOT_IN_A_CLONE.test(relative(ROOT, path)) });
  await symlink(join(ROOT, 'node_modules'), join(checkout, 'node_modules'));
  manifestBefore = await readFile(join(checkout, 'package.json'), 'utf8');
  const { stdout } = await run(npm, ['pack', '--json', '--pack-destination', work], { cwd: checkout, env: cliEnv() });
  const [packed] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = join(work, packed!.filename);
  files = packed!.files.map((file) => file.path);
  const prefix = join(work, 'global');
  // From the npm cache where it can (warm from this checkout's own install); npm still needs the
  // registry for what `npm ci` never cached (the packuments it resolves a tarball's dependencies
  // with, or other versions a newer Node's npm picks), exactly as a user's install would.
  const cacheMode = '--prefer-offline';
  // Warnings kept: what npm says to someone installing the tarball is part of the package.
  const installed = await run(npm, ['install', '--global', '--prefix', prefix, cacheMode, '--no-audit', '--no-fund', '--loglevel=warn', tarball], {
    cwd: work,
    env: cliEnv(),
  });
  installOutput = installed.stdout + installed.stderr;
  bin = join(prefix, 'bin', 'hookctl');
}, 120_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the published package', () => {
  it('ships only what users need', () => {
    expect(files).toContain('bin/hookctl.js');
    expect(files).toContain('dist/cli/main.js');
    expect(files).toContain('README.md');
    expect(files).toContain('LICENSE');
    expect(files).toContain('package.json');
    expect(files.some((file) => file.startsWith('fixtures/'))).toBe(true);
    // The sample catalog, compressed, with the NOTICE that names its sources and licences.
    for (const file of ['NOTICE', 'data/samples/index.json', 'data/samples/github/pull_request.json.gz', 'data/samples/stripe.json.gz']) expect(files).toContain(file);
    // The inspector's page, built and bundled: nothing is fetched when it runs.
    for (const file of ['index.html', 'favicon.svg', 'LICENSES.txt']) expect(files).toContain(`dist/inspector/ui/${file}`);
    expect(files.some((file) => file.endsWith('.png'))).toBe(false);
    expect(files).not.toContain('package.json.prepack');
    for (const file of files) {
      expect(file).not.toMatch(/^(src|test|scripts|node_modules|\.ci)\//);
      expect(file).not.toMatch(/\.map$/);
      expect(file).not.toMatch(/^fixtures\/captured\//);
    }
  });

  it('installs with no install script for npm to approve; a clone still builds on npm install', async () => {
    // npm 11 lists packages with install scripts, `prepare` included for a tarball or git source.
    expect(installOutput).not.toMatch(/install-scripts|allowScripts|prepare/);
    const { stdout } = await run('tar', ['-xzOf', tarball, 'package/package.json']);
    const packed = JSON.parse(stdout) as { scripts?: Record<string, string> };
    expect(packed.scripts?.prepare).toBeUndefined();
    // The checkout keeps its manifest byte for byte: `npm install` on a clone builds dist/ (README's first command).
    expect(await readFile(join(checkout, 'package.json'), 'utf8')).toBe(manifestBefore);
    expect((JSON.parse(manifestBefore) as { scripts: Record<string, string> }).scripts.prepare).toBe('npm run build');
  });

  it('installs globally with a working hookctl and no dev dependencies', async () => {
    const version = await run(bin, ['--version'], { env: cliEnv() });
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const installed = join(work, 'global', 'lib', 'node_modules', 'hookctl', 'node_modules');
    const { stdout } = await run('ls', [installed]).catch(() => ({ stdout: '' }));
    for (const dev of ['vitest', 'typescript', 'tsx', 'stripe', 'fast-check']) expect(stdout.split('\n')).not.toContain(dev);
    expect(stdout.split('\n')).not.toContain('@octokit');
    // The catalog is found from a global install, read from the package's own data/ folder.
    const samples = await run(bin, ['samples', 'github', 'pull', 'opened', '--json'], { env: cliEnv() });
    expect(samples.stdout).toContain('"event":"pull_request.opened"');
  });

  it('serves the inspector page from the installed package', async () => {
    const child = spawn(bin, ['inspect', join(ROOT, 'fixtures', 'stripe'), '--ui-port', '0', '--json'], { env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          out += chunk;
          if (out.includes('\n')) resolve(out.split('\n')[0]!);
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}`)));
      });
      const { uiUrl } = JSON.parse(line) as { uiUrl: string };
      const origin = new URL(uiUrl).origin;
      for (const path of ['/', '/assets/favicon.svg']) expect((await fetch(`${origin}${path}`)).status, path).toBe(200);
      // The page holds its scripts (the browser runs them only by the hashes the CSP lists).
      expect(await (await fetch(`${origin}/`)).text()).toMatch(/<script>.+<\/script>/s);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('signs with the installed binary', async () => {
    const { stdout } = await run(bin, ['sign', '--scheme', 'github', '--secret', "It's a Secret to Everybody", '--data', 'Hello, World!'], { env: cliEnv() });
    expect(stdout).toContain('X-Hub-Signature-256: sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17');
  });
});
