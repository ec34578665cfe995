/**
 * Drives the real CLI in a pseudo-terminal (Python's pty module, test/helpers/pty-driver.py) and
 * types into it as a person would: Ctrl-C, arrows, Enter. Where Python has no pty, `hasPty` is
 * false and the suites that need one skip.
 */
import { execFile, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { BIN, cliEnv } from './cli.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DRIVER = fileURLToPath(new URL('./pty-driver.py', import.meta.url));

export const hasPty = spawnSync('python3', ['-c', 'import pty, termios'], { stdio: 'ignore' }).status === 0;
if (!hasPty) {
  const why = 'terminal tests need python3 (with its pty module): apt-get install python3';
  // CI installs everything, so a missing terminal driver there is a failure, not a skip.
  if (process.env.CI === 'true') throw new Error(why);
  console.warn(`skipped: ${why}`);
}

export type Step = { wait: string } | { send: string };

export interface PtyResult {
  /** What the terminal showed, control sequences removed. */
  output: string;
  code: number;
  /** Which wait timed out, if one did. */
  failed: string | null;
}

/**
 * A developer's terminal: no CI variables, which hide spinners and progress bars (ora counts CI
 * as set when the variable exists at all, even empty).
 */
function terminalEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = cliEnv({ TERM: 'xterm-256color', ...extra });
  for (const key of Object.keys(env)) if (key === 'CI' || key === 'CONTINUOUS_INTEGRATION' || key.startsWith('CI_')) delete env[key];
  return env;
}

/** Runs `hookctl args…` on a terminal and plays the steps. */
export async function drive(steps: Step[], args: string[], env: NodeJS.ProcessEnv = {}, { cwd = ROOT }: { cwd?: string } = {}): Promise<PtyResult> {
  const { stdout } = await promisify(execFile)('python3', [DRIVER, JSON.stringify(steps), process.execPath, BIN, ...args], {
    cwd,
    env: terminalEnv(env),
    timeout: 40_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const result = JSON.parse(stdout) as PtyResult;
  // Drop terminal control sequences so assertions read like the screen.
  result.output = result.output.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
  return result;
}
