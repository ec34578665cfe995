import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

export const BIN = fileURLToPath(new URL('../../bin/hookctl.js', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  input?: string | Uint8Array;
  timeoutMs?: number;
}

/** Environment for a spawned CLI: no colour, no inherited HOOKCTL_* settings. */
export function cliEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('HOOKCTL_') && key !== 'FORCE_COLOR') env[key] = value;
  return { ...env, NO_COLOR: '1', ...extra };
}

/** Runs the real CLI to completion. */
export async function runCli(args: string[], options: RunOptions = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: cliEnv(options.env),
    cwd: options.cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  if (options.input !== undefined) child.stdin.end(options.input);
  else child.stdin.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  clearTimeout(timer);
  return { code, signal, stdout, stderr };
}

/** A long-running CLI (listen) with helpers to wait for output lines. */
export class CliProcess {
  readonly child: ChildProcess;
  readonly stdoutLines: string[] = [];
  readonly stderrLines: string[] = [];
  private waiters: Array<() => void> = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(args: string[], options: RunOptions = {}) {
    this.child = spawn(process.execPath, [BIN, ...args], { env: cliEnv(options.env), cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    createInterface({ input: this.child.stdout! }).on('line', (line) => this.push(this.stdoutLines, line));
    createInterface({ input: this.child.stderr! }).on('line', (line) => this.push(this.stderrLines, line));
    this.exited = once(this.child, 'close').then(([code, signal]) => ({ code, signal }) as { code: number | null; signal: NodeJS.Signals | null });
    this.exited.then(() => this.wake());
  }

  private push(lines: string[], line: string): void {
    lines.push(line);
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Waits until a stdout (or stderr) line satisfies the predicate; rejects on exit or timeout. */
  async waitForLine(predicate: (line: string) => boolean, { stream = 'stdout', timeoutMs = 15_000 }: { stream?: 'stdout' | 'stderr'; timeoutMs?: number } = {}): Promise<string> {
    const lines = stream === 'stdout' ? this.stdoutLines : this.stderrLines;
    const deadline = Date.now() + timeoutMs;
    let seen = 0;
    for (;;) {
      for (; seen < lines.length; seen++) if (predicate(lines[seen]!)) return lines[seen]!;
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`process exited before the line appeared\nstdout:\n${this.stdoutLines.join('\n')}\nstderr:\n${this.stderrLines.join('\n')}`);
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`timed out waiting for a line\nstdout:\n${this.stdoutLines.join('\n')}\nstderr:\n${this.stderrLines.join('\n')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits for an NDJSON record on stdout. */
  async waitForRecord<T = Record<string, unknown>>(predicate: (record: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<T> {
    const line = await this.waitForLine((text) => {
      try {
        return predicate(JSON.parse(text));
      } catch {
        return false;
      }
    }, timeoutMs === undefined ? {} : { timeoutMs });
    return JSON.parse(line) as T;
  }

  records(): Array<Record<string, unknown>> {
    return this.stdoutLines.flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  }

  /** Sends a signal and waits for exit. Idempotent. */
  async stop(signal: NodeJS.Signals = 'SIGINT'): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}
