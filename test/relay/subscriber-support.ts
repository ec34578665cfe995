/**
 * Real processes for the subscriber's tests: `hookctl relay serve` on port 0 with an embedded
 * store, channels made with `hookctl relay channel create`, and `hookctl listen --relay` feeding
 * an app. Everything is closed after each test (`cleanup`).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliProcess, runCli } from '../helpers/cli.js';

const cleanups: Array<() => unknown> = [];

export async function cleanup(): Promise<void> {
  while (cleanups.length > 0) await cleanups.pop()!();
}

export function onCleanup(fn: () => unknown): void {
  cleanups.push(fn);
}

/** For what a whole file shares (one relay for several tests): closed by `cleanupShared` in afterAll. */
const shared: Array<() => unknown> = [];

export async function cleanupShared(): Promise<void> {
  while (shared.length > 0) await shared.pop()!();
}

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hookctl-relay-sub-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface Relay {
  cli: CliProcess;
  url: string;
  adminTokenFile: string;
  storeDir: string;
  args: string[];
}

/** `hookctl relay serve --port 0 --store DIR`; `heartbeat` shortens the heartbeat (the watchdog tests). */
export async function startRelay(options: { heartbeat?: string; port?: number; storeDir?: string; adminTokenFile?: string; extra?: string[]; shared?: boolean } = {}): Promise<Relay> {
  const list = options.shared ? shared : cleanups;
  const dir = mkdtempSync(join(tmpdir(), 'hookctl-relay-sub-'));
  list.push(() => rmSync(dir, { recursive: true, force: true }));
  const storeDir = options.storeDir ?? join(dir, 'store');
  const adminTokenFile = options.adminTokenFile ?? join(dir, 'admin-token');
  const args = ['relay', 'serve', '--port', String(options.port ?? 0), '--store', storeDir, '--admin-token-file', adminTokenFile, '--json', ...(options.heartbeat ? ['--heartbeat', options.heartbeat] : []), ...(options.extra ?? [])];
  const cli = new CliProcess(args);
  list.push(() => cli.stop('SIGKILL'));
  const ready = await cli.waitForRecord<{ url: string }>((record) => record.type === 'relay');
  return { cli, url: ready.url.replace(/\/$/, ''), adminTokenFile, storeDir, args };
}

export interface Channel {
  name: string;
  ingressUrl: string;
  subscribeUrl: string;
  token: string;
  tokenFile: string;
}

export async function createChannel(relay: Relay, name: string, extra: string[] = []): Promise<Channel> {
  const result = await runCli(['relay', 'channel', 'create', '--server', relay.url, '--admin-token-file', relay.adminTokenFile, '--name', name, '--json', ...extra]);
  if (result.code !== 0) throw new Error(`channel create failed: ${result.stderr}`);
  const channel = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as Omit<Channel, 'tokenFile'>;
  const tokenFile = join(tempDir(), 'token');
  writeFileSync(tokenFile, `${channel.token}\n`, { mode: 0o600 });
  return { ...channel, tokenFile };
}

export interface Subscriber {
  cli: CliProcess;
  url: string;
}

/** `hookctl listen --relay SUBSCRIBE_URL --json` with these listen flags; resolves once `listening` is out. */
export async function startSubscriber(channel: Channel, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Subscriber> {
  const cli = new CliProcess(['listen', '--port', '0', '--relay', channel.subscribeUrl, '--relay-token-file', channel.tokenFile, '--json', ...args], { env });
  cleanups.push(() => cli.stop('SIGKILL'));
  const listening = await cli.waitForRecord<{ url: string }>((record) => record.type === 'listening');
  return { cli, url: listening.url };
}

/** A provider's request to the ingress: raw bytes and headers exactly as given. */
export function deliver(url: string, body: Uint8Array | string, headers: Record<string, string> | string[], method = 'POST'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    // A raw header list goes out as given: Node adds nothing to it, not even Host.
    const raw = Array.isArray(headers) ? ['Host', new URL(url).host, ...headers, 'Content-Length', String(Buffer.byteLength(body))] : undefined;
    const req = request(url, { method, headers: raw ?? { ...headers, 'content-length': String(Buffer.byteLength(body)) } });
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.end(body);
  });
}
