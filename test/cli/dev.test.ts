/**
 * `npm run dev -- <command>` (README, Development) runs the CLI from source: it did nothing and
 * exited 0, because nothing called main().
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { cliEnv } from '../helpers/cli.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const running: Array<() => void> = [];
afterEach(() => {
  for (const kill of running.splice(0)) kill();
});

/** `npm run --silent dev -- args…` in its own process group, as a terminal would run it. */
function dev(args: string[]) {
  const child = spawn('npm', ['run', '--silent', 'dev', '--', ...args], { cwd: ROOT, env: cliEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  };
  running.push(() => killGroup('SIGKILL'));
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const lines = createInterface({ input: child.stdout });
  const exited = once(child, 'close').then(([code]) => code as number | null);
  return { lines, exited, killGroup, stderr: () => stderr };
}

describe('npm run dev', () => {
  it('runs the command from source and exits with its code', async () => {
    const version = dev(['--version']);
    const out: string[] = [];
    version.lines.on('line', (line) => out.push(line));
    expect(await version.exited).toBe(0);
    expect(out).toEqual([expect.stringMatching(/^\d+\.\d+\.\d+/)]);

    const usage = dev(['send']);
    expect(await usage.exited).toBe(2);
    expect(usage.stderr()).toMatch(/^hookctl: missing required argument 'url'/m);
  });

  it('listen --port 0 listens, prints its URL, and stops on Ctrl-C with its summary', async () => {
    const listen = dev(['listen', '--port', '0', '--no-capture', '--json']);
    const records: Array<Record<string, unknown>> = [];
    const listening = new Promise<Record<string, unknown>>((resolve, reject) => {
      listen.lines.on('line', (line) => {
        const record = JSON.parse(line) as Record<string, unknown>;
        records.push(record);
        if (record.type === 'listening') resolve(record);
      });
      void listen.exited.then((code) => reject(new Error(`exited ${code} before listening: ${listen.stderr()}`)));
    });
    const { url } = await listening;
    expect(String(url)).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    const answer = await fetch(String(url), { method: 'POST', body: '{}' });
    expect(answer.status).toBeLessThan(300);
    // Ctrl-C on a terminal reaches npm, tsx and the CLI alike; npm itself dies of it, so the
    // listener's own exit shows in its summary, printed on its normal stop.
    listen.killGroup('SIGINT');
    await listen.exited;
    expect(records.at(-1)).toMatchObject({ type: 'summary', received: 1 });
  });
});
