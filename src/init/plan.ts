import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface InitAnswers {
  scheme: string | undefined;
  port: number | undefined;
  forwardTo: string | undefined;
  secretFile: string;
  fixtures: string;
}

export interface PlannedFile {
  path: string;
  content: string;
  /** 0o600 for secrets. */
  mode?: number;
  /** Kept as is when it already exists (a secret must not be rotated by accident). */
  keepExisting?: boolean;
  /** Append these lines to the file (creating it) unless it already has them: .gitignore. */
  ensureLines?: boolean;
  /** The mode of the folder holding the file: 0o700 for the capture folder, private like its deliveries. */
  dirMode?: number;
}

const SAMPLES_DIR = fileURLToPath(new URL('../../fixtures/', import.meta.url));

/** A test secret in the format the scheme expects (Standard Webhooks/Svix want base64 after whsec_). */
export function generateSecret(scheme: string | undefined): string {
  const bytes = randomBytes(24);
  if (scheme === 'standard' || scheme === 'svix' || scheme === 'stripe') return `whsec_${bytes.toString('base64')}`;
  return bytes.toString('hex');
}

export function configFor(answers: InitAnswers): Record<string, Record<string, unknown>> {
  const shared: Record<string, unknown> = { secretFile: answers.secretFile };
  const listen: Record<string, unknown> = { capture: join(answers.fixtures, 'captured') };
  if (answers.port !== undefined) listen.port = answers.port;
  if (answers.forwardTo) listen.forwardTo = answers.forwardTo;
  const config: Record<string, Record<string, unknown>> = { '*': shared, listen };
  if (answers.scheme) shared.scheme = answers.scheme;
  return config;
}

async function sampleFiles(scheme: string | undefined, fixtures: string): Promise<PlannedFile[]> {
  if (!scheme) return [];
  const provider = scheme === 'svix' ? 'standard' : scheme;
  const from = join(SAMPLES_DIR, provider);
  if (!existsSync(from)) return [];
  const names = (await readdir(from)).filter((name) => name.endsWith('.json')).sort();
  return Promise.all(
    names.map(async (name) => ({ path: join(fixtures, provider, name), content: await readFile(join(from, name), 'utf8'), keepExisting: true })),
  );
}

/** Everything `init` would write, computed before anything is written (so --dry-run is the plan). */
export async function planInit(cwd: string, answers: InitAnswers): Promise<PlannedFile[]> {
  const files: PlannedFile[] = [
    { path: 'hookctl.config.json', content: `${JSON.stringify(configFor(answers), null, 2)}\n` },
    { path: answers.secretFile, content: `${generateSecret(answers.scheme)}\n`, mode: 0o600, keepExisting: true },
    { path: join(answers.fixtures, 'captured', '.gitignore'), content: '*\n!.gitignore\n', keepExisting: true, dirMode: 0o700 },
    // The test secret must never be committed by accident.
    { path: '.gitignore', content: `${answers.secretFile}\n`, ensureLines: true },
    ...(await sampleFiles(answers.scheme, answers.fixtures)),
  ];
  return files.map((file) => ({ ...file, path: relative(cwd, join(cwd, file.path)) || file.path }));
}

/** Writes the plan: each file via a temp file and rename, so nothing is left half-written. */
export async function applyPlan(cwd: string, files: PlannedFile[]): Promise<Array<{ path: string; written: boolean }>> {
  const results: Array<{ path: string; written: boolean }> = [];
  for (const file of files) {
    const target = join(cwd, file.path);
    if (file.dirMode !== undefined) {
      // mkdir's mode is masked by the umask, and a folder made earlier keeps its own: set it.
      await mkdir(dirname(target), { recursive: true, mode: file.dirMode });
      await chmod(dirname(target), file.dirMode);
    }
    if (file.keepExisting && existsSync(target)) {
      results.push({ path: file.path, written: false });
      continue;
    }
    let content = file.content;
    if (file.ensureLines && existsSync(target)) {
      const existing = await readFile(target, 'utf8');
      const have = new Set(existing.split(/\r?\n/).map((line) => line.trim()));
      const missing = file.content.split('\n').filter((line) => line && !have.has(line));
      if (missing.length === 0) {
        results.push({ path: file.path, written: false });
        continue;
      }
      content = `${existing}${existing.endsWith('\n') || existing === '' ? '' : '\n'}${missing.join('\n')}\n`;
    }
    await mkdir(dirname(target), { recursive: true });
    const temp = `${target}.${process.pid}.tmp`;
    await writeFile(temp, content, { mode: file.mode ?? 0o644 });
    await rename(temp, target);
    results.push({ path: file.path, written: true });
  }
  return results;
}
