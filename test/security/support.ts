/**
 * Hostile-client helpers: a spawned `hookctl listen` with a secret, raw sockets for requests no
 * well-behaved client would send, and the check every security case ends with — the listener
 * still verifies and answers a valid delivery correctly.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { CliProcess } from '../helpers/cli.js';

export const SECRET = 'sec-listener-secret-7f3a9c';

const cleanups: Array<() => unknown> = [];

export async function cleanup(): Promise<void> {
  while (cleanups.length > 0) await cleanups.pop()!();
}

export function onCleanup(fn: () => unknown): void {
  cleanups.push(fn);
}

export function tempDir(prefix = 'hookctl-sec-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface Listener {
  cli: CliProcess;
  url: string;
  port: number;
}

/** `hookctl listen --port 0 --json` plus args; killed after the test. */
export async function spawnListener(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<Listener> {
  const cli = new CliProcess(['listen', '--port', '0', '--json', ...args], options);
  onCleanup(() => cli.stop('SIGKILL'));
  const { url } = await cli.waitForRecord<{ url: string }>((r) => r.type === 'listening');
  return { cli, url, port: Number(new URL(url).port) };
}

/** A GitHub-style delivery signed with `secret` (HMAC-SHA256 of the raw body, hex). */
export function githubHeaders(body: string | Buffer, secret = SECRET, id = `gh-${randomUUID()}`, event = 'issues'): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-github-event': event,
    'x-github-delivery': id,
    'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
  };
}

export interface RawAnswer {
  status: number;
  text: string;
}

/** A POST through fetch (undici), body byte for byte. */
export async function post(url: string, body: string | Uint8Array, headers: Record<string, string> = {}): Promise<RawAnswer & { json: Record<string, unknown> }> {
  const response = await fetch(url, { method: 'POST', body, headers });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON
  }
  return { status: response.status, text, json };
}

/**
 * Every case ends here: a fresh, correctly signed delivery is answered 200, verified, not a
 * duplicate, and reported as such on stdout.
 */
export async function expectStillServes(listener: Listener): Promise<void> {
  const id = `still-${randomUUID()}`;
  const body = JSON.stringify({ action: 'opened', probe: id });
  const answer = await post(listener.url, body, githubHeaders(body, SECRET, id));
  expect(answer.status, answer.text).toBe(200);
  expect(answer.json).toMatchObject({ ok: true, eventId: id, duplicate: false });
  const record = await listener.cli.waitForRecord((r) => r.type === 'delivery' && r.eventId === id);
  expect(record).toMatchObject({ verified: true, status: 200, scheme: 'github', duplicate: false });
}

/** A raw TCP client: write anything, read the whole answer until the server closes (or `until` matches). */
export interface RawClient {
  socket: Socket;
  /** Everything received so far. */
  received(): string;
  /** Resolves with all bytes once the connection is closed by the server. */
  closed: Promise<string>;
  /** Resolves once the received text matches. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

export function rawClient(port: number): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let waiters: Array<() => void> = [];
    const wake = () => {
      const pending = waiters;
      waiters = [];
      for (const fn of pending) fn();
    };
    const closed = new Promise<string>((done) => {
      socket.on('close', () => {
        wake();
        done(Buffer.concat(chunks).toString('latin1'));
      });
    });
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      wake();
    });
    // Resets are expected from a server cutting a hostile client off.
    socket.on('error', () => {});
    onCleanup(() => socket.destroy());
    const client: RawClient = {
      socket,
      received: () => Buffer.concat(chunks).toString('latin1'),
      closed,
      async waitFor(pattern, timeoutMs = 10_000) {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const text = client.received();
          if (pattern.test(text)) return text;
          if (socket.destroyed || socket.readableEnded) throw new Error(`connection closed without ${pattern}: ${JSON.stringify(text.slice(0, 300))}`);
          const remaining = deadline - Date.now();
          if (remaining <= 0) throw new Error(`timed out waiting for ${pattern}: ${JSON.stringify(text.slice(0, 300))}`);
          await new Promise<void>((wakeUp) => {
            const timer = setTimeout(wakeUp, remaining);
            waiters.push(() => {
              clearTimeout(timer);
              wakeUp();
            });
          });
        }
      },
    };
    socket.once('connect', () => resolve(client));
    socket.once('error', reject);
  });
}

/** Every regular file under `dir`, as absolute paths. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name));
}

/** Everything written under a folder, concatenated (for "this value never reached the disk"). */
export function allText(dir: string): string {
  return filesUnder(dir)
    .map((file) => readFileSync(file, 'latin1'))
    .join('\n');
}
