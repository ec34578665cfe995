import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ChildMessage, ParentMessage } from './protocol.js';

type Handler = (message: ChildMessage) => void;

/** Where a child entry lives: the compiled .js beside this file, or the .ts when run from source (tsx). */
function entry(name: string): { path: string; execArgv: string[] } {
  const js = fileURLToPath(new URL(`./${name}.js`, import.meta.url));
  if (existsSync(js)) return { path: js, execArgv: [] };
  return { path: fileURLToPath(new URL(`./${name}.ts`, import.meta.url)), execArgv: process.execArgv };
}

/** A bench child process (provider or consumers) driven over IPC, with request/response helpers. */
export class Worker {
  readonly child: ChildProcess;
  private readonly handlers = new Set<Handler>();
  private stderrTail = '';
  private exitError: Error | undefined;
  private readonly exitWaiters = new Set<(error: Error) => void>();

  constructor(readonly name: 'provider' | 'consumer') {
    const { path, execArgv } = entry(name === 'provider' ? 'provider-process' : 'consumer-process');
    // stdout is never inherited: it belongs to the command's data (and --json). Detached: in a
    // process group of its own, so a Ctrl-C typed at the terminal reaches only the runner, which
    // then asks the children for their partial numbers; a child still loading its modules would
    // otherwise die of it before it could ignore it. A child leaves when the runner's channel closes.
    this.child = fork(path, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], execArgv, detached: true });
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-2000);
    });
    this.child.on('message', (message: ChildMessage) => {
      for (const handler of [...this.handlers]) handler(message);
    });
    this.child.once('exit', (code, signal) => {
      const detail = this.stderrTail.trim().split('\n').slice(-3).join(' | ');
      this.exitError = new Error(`the ${name} process exited (${signal ?? `code ${code}`})${detail ? `: ${detail}` : ''}`);
      for (const wake of this.exitWaiters) wake(this.exitError);
    });
    this.child.on('error', () => {});
  }

  send(message: ParentMessage): void {
    if (this.child.connected) this.child.send(message);
  }

  on(handler: Handler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  /** Sends a message and resolves with the first reply of `type`; rejects on a child error, exit or timeout. */
  request<T extends ChildMessage['type']>(message: ParentMessage | null, type: T, timeoutMs = 60_000): Promise<Extract<ChildMessage, { type: T }>> {
    return new Promise((resolve, reject) => {
      if (this.exitError) {
        reject(this.exitError);
        return;
      }
      const done = (error?: Error, reply?: ChildMessage) => {
        clearTimeout(timer);
        off();
        this.exitWaiters.delete(onExit);
        if (error) reject(error);
        else resolve(reply as Extract<ChildMessage, { type: T }>);
      };
      const onExit = (error: Error) => done(error);
      const off = this.on((reply) => {
        if (reply.type === type) done(undefined, reply);
        else if (reply.type === 'error') done(new Error(`${this.name}: ${reply.message}`));
      });
      const timer = setTimeout(() => done(new Error(`the ${this.name} process did not answer "${message?.type ?? type}" within ${Math.round(timeoutMs / 1000)}s`)), timeoutMs);
      this.exitWaiters.add(onExit);
      if (message) this.send(message);
    });
  }

  /** Rejects when the child dies: raced against waits so a crash never hangs the run. */
  died(): Promise<never> {
    return new Promise((_, reject) => {
      if (this.exitError) reject(this.exitError);
      else this.exitWaiters.add(reject);
    });
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

/**
 * Offset of a child's clock from ours, NTP-style over IPC: the reply with the shortest round trip
 * bounds the error by half of it.
 */
export async function clockOffset(worker: Worker, now: () => number): Promise<{ offsetMs: number; uncertaintyMs: number }> {
  let best = { offsetMs: 0, uncertaintyMs: Infinity };
  for (let i = 0; i < 15; i++) {
    const t0 = now();
    const reply = await worker.request({ type: 'clock', t0 }, 'clock', 5_000);
    const t2 = now();
    if ((t2 - t0) / 2 < best.uncertaintyMs) best = { offsetMs: reply.t1 - (t0 + t2) / 2, uncertaintyMs: (t2 - t0) / 2 };
  }
  return best;
}
