/**
 * `hookctl relay serve|channel …|status|dead|requeue`: flags → the relay core (src/relay/) → output.
 * Serving opens the store, starts the server and waits for Ctrl-C; the rest call a relay's admin API.
 */
import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandContext } from '../cli/context.js';
import { onInterrupt } from '../cli/interrupt.js';
import { table, type Output } from '../cli/output.js';
import { readSecretFile } from '../cli/queue-options.js';
import { fsErrorText, PRIVATE_DIR_MODE } from '../capture/file-ops.js';
import { FolderLockedError } from '../capture/lock.js';
import { parseRetrySchedule } from '../delivery/policy.js';
import { EXIT, failure, usageError } from '../errors.js';
import { isLoopbackHost } from '../options/hosts.js';
import { parseDuration, parseInteger, parsePositiveDuration, parseSize, parseUrl } from '../options/units.js';
import { RelayAdminClient, RelayAdminError } from '../relay/admin-client.js';
import type { ChannelInfo, RespondMode } from '../relay/protocol.js';
import type { RelayEvent } from '../relay/server.js';
import type { ChannelStatus, RelayStore, RelayStoreOptions } from '../relay/store.js';
import { newAdminToken } from '../relay/tokens.js';
import { formatBytes } from '../text/bytes.js';
import { formatDuration } from '../text/duration.js';
import { printable } from '../text/printable.js';
import { displayUrl, hideUrlPasswords } from '../text/url.js';

type Options = CommandContext['options'];

const ADMIN_TOKEN_ENV = 'HOOKCTL_RELAY_ADMIN_TOKEN';

/** The admin token `relay serve` checks: the file (made with a random token when missing), the environment, or DIR/admin-token. */
function serverAdminToken(options: Options, env: NodeJS.ProcessEnv, output: Output): { token: string; from: string } {
  let file = options.adminTokenFile === undefined ? undefined : String(options.adminTokenFile);
  if (file === undefined && env[ADMIN_TOKEN_ENV]) return { token: env[ADMIN_TOKEN_ENV]!, from: ADMIN_TOKEN_ENV };
  if (file === undefined && options.store !== undefined) {
    file = join(String(options.store), 'admin-token');
    try {
      mkdirSync(String(options.store), { recursive: true, mode: PRIVATE_DIR_MODE });
    } catch (error) {
      throw failure(`--store: cannot create ${String(options.store)} (${fsErrorText(error)})`);
    }
  }
  if (file === undefined) throw usageError(`--admin-token-file: where is the admin token? Give --admin-token-file FILE (made for you if missing) or ${ADMIN_TOKEN_ENV}`);
  try {
    writeFileSync(file, `${newAdminToken()}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600); // the umask cannot widen it, but an odd one could narrow it oddly
    output.note(output.errColor.dim(`admin token: made a new one in ${file} (mode 0600)`));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw usageError(`--admin-token-file: cannot create ${file} (${fsErrorText(error)})`);
    if ((statSync(file).mode & 0o077) !== 0) output.warn(`--admin-token-file: ${file} can be read by other users; chmod 600 it`);
  }
  return { token: readSecretFile(file, '--admin-token-file'), from: file };
}

function clientAdminToken(options: Options, env: NodeJS.ProcessEnv): string {
  if (options.adminTokenFile !== undefined) return readSecretFile(String(options.adminTokenFile), '--admin-token-file');
  const token = env[ADMIN_TOKEN_ENV];
  if (token) return token;
  throw usageError(`--admin-token-file: the relay's admin token? Give --admin-token-file FILE (relay serve made it) or ${ADMIN_TOKEN_ENV}`);
}

function storeOptionsFrom(options: Options): RelayStoreOptions {
  return {
    retainMs: parsePositiveDuration(String(options.retain ?? '7d'), '--retain'),
    backlog: parseInteger(String(options.backlog ?? '10000'), '--backlog', { min: 1, max: 100_000_000 }),
    ackTimeoutMs: parsePositiveDuration(String(options.ackTimeout ?? '60s'), '--ack-timeout'),
    retryScheduleMs: parseRetrySchedule(String(options.retrySchedule ?? '0,5s,30s,5m')).delaysMs,
  };
}

async function openStore(options: Options, storeOptions: RelayStoreOptions): Promise<{ store: RelayStore; description: string }> {
  if (options.store !== undefined && options.redis !== undefined) throw usageError('--store and --redis: give one or the other');
  if (options.redis !== undefined) {
    // Loaded only here: the redis client costs ~300 ms to import. A URL that cannot be reached is one clear line (exit 2).
    const { openRedisStore } = await import('../relay/store-redis.js');
    const store = await openRedisStore(String(options.redis), storeOptions);
    return { store, description: `${store.address.display} (redis)` };
  }
  if (options.store === undefined) throw usageError('--store: where should the relay keep deliveries? Give --store DIR (or --redis URL)');
  const dir = String(options.store);
  const { EmbeddedRelayStore } = await import('../relay/store-embedded.js');
  try {
    return { store: await EmbeddedRelayStore.open(dir, storeOptions), description: `${dir} (embedded)` };
  } catch (error) {
    if (error instanceof FolderLockedError) throw failure(`--store: ${error.message}`);
    throw failure(`--store: cannot open ${dir} (${fsErrorText(error)})`);
  }
}

function clock(): string {
  return new Date().toTimeString().slice(0, 8);
}

function renderEvent(output: Output, event: RelayEvent, quiet: boolean): void {
  if (event.type === 'error') {
    output.warn(event.message);
    return;
  }
  output.record(event);
  if (output.json || quiet) return;
  const c = output.color;
  if (event.type === 'ingress') {
    const ok = event.status >= 200 && event.status < 300;
    const status = ok ? c.green(String(event.status)) : c.red(String(event.status));
    output.line([c.dim(clock()), '←', event.method.padEnd(6), c.cyan(event.channel), formatBytes(event.bytes), status, event.seq ? c.dim(`#${event.seq}`) : '', event.error ? c.red(event.error) : ''].filter(Boolean).join('  '));
    return;
  }
  output.line([c.dim(clock()), event.state === 'connected' ? c.green('⇄') : c.dim('×'), c.cyan(event.channel), printable(event.consumer === event.member ? event.member : `${event.member} (group ${event.consumer})`, 80), event.state, event.waiting ? `${event.waiting} waiting` : ''].filter(Boolean).join('  '));
}

async function serve({ options, output, env }: CommandContext): Promise<number> {
  const port = parseInteger(String(options.port ?? '8788'), '--port', { max: 65_535 });
  const host = String(options.host ?? '127.0.0.1');
  const publicUrl = options.publicUrl === undefined ? undefined : parseUrl(String(options.publicUrl), '--public-url').toString();
  const maxBodyBytes = parseSize(String(options.maxBody ?? '10mb'), '--max-body');
  const heartbeatMs = parsePositiveDuration(String(options.heartbeat ?? '15s'), '--heartbeat');
  const waitTimeoutMs = parseDuration(String(options.waitTimeout ?? '10s'), '--wait-timeout');
  const storeOptions = storeOptionsFrom(options);
  const admin = serverAdminToken(options, env, output);
  const { store, description } = await openStore(options, storeOptions);
  // A Redis without AOF or with an eviction policy loses what the relay acknowledged: say so at start.
  const storeWarnings = 'warnings' in store && typeof store.warnings === 'function' ? await (store.warnings as () => Promise<string[]>)() : [];
  for (const warning of storeWarnings) output.warn(warning);
  const quiet = Boolean(options.quiet);
  const { startRelay } = await import('../relay/server.js');
  let handle;
  try {
    handle = await startRelay({
      store,
      port,
      host,
      publicUrl,
      adminToken: admin.token,
      maxBodyBytes,
      heartbeatMs,
      ackTimeoutMs: storeOptions.ackTimeoutMs,
      waitTimeoutMs,
      trimEveryMs: Math.min(60_000, Math.max(1_000, Math.floor(storeOptions.retainMs / 10))),
      onEvent: (event) => renderEvent(output, event, quiet),
    });
  } catch (error) {
    await store.close().catch(() => {});
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw failure(`--port: ${port} is in use on ${host} (--port 0 picks a free one)`);
    if (code === 'EACCES') throw failure(`--port: not allowed to bind ${host}:${port}`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw failure(`--host: ${host} is not an address of this machine`);
    throw error;
  }
  const ec = output.errColor;
  const interrupt = onInterrupt(() => output.note(ec.dim('stopping: finishing deliveries being stored (Ctrl-C again to quit at once)')));
  output.record({ type: 'relay', url: handle.url, publicUrl: handle.publicUrl, store: options.redis !== undefined ? 'redis' : 'embedded' });
  output.line(`hookctl relay on ${output.color.bold(handle.url)}${handle.publicUrl !== handle.url ? ` (public ${displayUrl(handle.publicUrl)})` : ''}`);
  output.note(ec.dim(`store: ${hideUrlPasswords(description)}; retain ${formatDuration(storeOptions.retainMs)}; backlog ${storeOptions.backlog} per channel; max body ${formatBytes(maxBodyBytes)}`));
  output.note(ec.dim(`admin token: ${admin.from}. Make a channel: hookctl relay channel create --server ${handle.url} --admin-token-file ${admin.from === ADMIN_TOKEN_ENV ? 'FILE' : admin.from}`));
  if (!isLoopbackHost(host)) output.warn(`--host ${host}: the relay is reachable from the network without TLS; keep it on 127.0.0.1 behind a TLS proxy unless you mean it`);
  output.note(ec.dim('Ctrl-C to stop'));
  output.streamStdout();
  await new Promise((resolve) => interrupt.signal.addEventListener('abort', resolve, { once: true }));
  await handle.close();
  await store.close();
  interrupt.dispose();
  output.endStream();
  await output.flush();
  return EXIT.ok;
}

function adminClient({ options, env }: CommandContext): RelayAdminClient {
  const server = parseUrl(String(options.server), '--server').toString();
  return new RelayAdminClient(server, clientAdminToken(options, env));
}

async function admin<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof RelayAdminError) throw error.status === 401 || error.status === 400 || error.status === 409 ? usageError(error.message) : failure(error.message);
    throw error;
  }
}

function renderChannel(output: Output, info: ChannelInfo): void {
  output.record({ type: 'channel', ...info });
  if (output.json) return;
  const c = output.color;
  const rows = [
    ['channel', c.bold(info.name)],
    ['ingress', `${info.ingressUrl}   ${c.dim('(give this URL to the provider; it can only write)')}`],
    ['subscribe', `${info.subscribeUrl}   ${c.dim('(hookctl listen --relay URL)')}`],
    ['respond', info.respond === 'wait' ? "wait (providers get the listener's answer)" : 'stored (providers get 200 once stored)'],
  ];
  if (info.token !== undefined) rows.push(['token', `${info.token}   ${c.yellow('shown once: save it to a file for listen --relay-token-file')}`]);
  output.line(table(rows));
}

function renderStatus(output: Output, status: ChannelStatus): void {
  output.record({ type: 'status', ...status });
  if (output.json) return;
  const c = output.color;
  const rows: string[][] = [
    ['channel', status.channel],
    ['stored', `${status.stored} deliver${status.stored === 1 ? 'y' : 'ies'}${status.oldestAt ? `; oldest ${status.oldestAt}` : ''}`],
  ];
  if (status.consumers.length === 0) rows.push(['subscribers', c.dim('none yet (the first one gets everything stored)')]);
  for (const consumer of status.consumers) {
    rows.push([
      printable(consumer.consumer, 40),
      `${consumer.waiting} waiting, ${consumer.inFlight} in flight, ${consumer.retrying} retrying, ${consumer.dead > 0 ? c.red(`${consumer.dead} dead`) : '0 dead'}; ${consumer.members.length ? `connected: ${consumer.members.map((member) => printable(member, 40)).join(', ')}` : c.dim(`not connected${consumer.lastSeenAt ? ` (last seen ${consumer.lastSeenAt})` : ''}`)}`,
    ]);
  }
  output.line(table(rows));
}

async function channel(context: CommandContext): Promise<number> {
  const { command, options, output, args } = context;
  const client = adminClient(context);
  switch (command.name()) {
    case 'create':
      renderChannel(output, await admin(client.createChannel(options.name === undefined ? undefined : String(options.name), String(options.respond ?? 'stored') as RespondMode)));
      return EXIT.ok;
    case 'list': {
      const channels = await admin(client.listChannels());
      for (const info of channels) output.record({ type: 'channel', ...info });
      if (output.json) return EXIT.ok;
      if (channels.length === 0) output.line('no channels (hookctl relay channel create makes one)');
      else output.line(table([['name', 'respond', 'created', 'ingress'].map((title) => output.color.bold(title)), ...channels.map((info) => [info.name, info.respond, info.createdAt, info.ingressUrl])]));
      return EXIT.ok;
    }
    case 'delete': {
      const name = String(args[0]);
      await admin(client.deleteChannel(name));
      output.record({ type: 'deleted', name });
      output.line(`channel ${name} deleted, with every delivery it held`);
      return EXIT.ok;
    }
    case 'rotate-token':
      renderChannel(output, await admin(client.rotateToken(String(args[0]))));
      return EXIT.ok;
    default:
      throw new Error(`relay channel: no subcommand ${command.name()}`);
  }
}

async function deliveries(context: CommandContext): Promise<number> {
  const { command, options, output, args } = context;
  const client = adminClient(context);
  const name = String(options.channel);
  const consumer = options.consumer === undefined ? undefined : String(options.consumer);
  switch (command.name()) {
    case 'status':
      renderStatus(output, await admin(client.status(name)));
      return EXIT.ok;
    case 'dead': {
      const limit = parseInteger(String(options.limit ?? '100'), '--limit', { min: 1, max: 1_000_000 });
      const { total, dead } = await admin(client.dead(name, consumer, limit));
      for (const letter of dead) {
        const { record } = letter.entry;
        output.record({ type: 'dead', seq: letter.seq, consumer: letter.consumer, attempts: letter.attempts, error: letter.error, deadAt: letter.deadAt, method: record.method, path: record.path, bytes: record.bytes, capturedAt: record.capturedAt });
      }
      output.record({ type: 'summary', dead: total, shown: dead.length });
      if (output.json) return EXIT.ok;
      const c = output.color;
      if (dead.length === 0) {
        output.line('no dead letters');
        return EXIT.ok;
      }
      const rows = [['seq', 'died', 'subscriber', 'request', 'attempts', 'why'].map((title) => c.bold(title))];
      for (const letter of dead) {
        const { record } = letter.entry;
        rows.push([letter.seq, letter.deadAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'), printable(letter.consumer, 32), printable(`${record.method} ${record.path.split('?')[0]}`, 48), String(letter.attempts), c.red(printable(letter.error, 100))]);
      }
      output.line(table(rows));
      if (total > dead.length) output.line(c.dim(`… and ${total - dead.length} more (--limit)`));
      return EXIT.ok;
    }
    case 'requeue': {
      const seqs = args;
      if (seqs.length > 0 && options.all) throw usageError('--all: give dead-letter seqs or --all, not both');
      if (seqs.length === 0 && !options.all) throw usageError('requeue: which dead letters? Give their seqs (hookctl relay dead lists them) or --all');
      for (const seq of seqs) if (!/^\d+$/.test(seq)) throw usageError(`requeue: "${printable(seq, 40)}" is not a dead-letter seq (they are numbers, from hookctl relay dead)`);
      const count = await admin(client.requeue(name, options.all ? undefined : seqs, consumer));
      output.record({ type: 'requeued', count, requested: options.all ? 'all' : seqs.length });
      output.line(`${count} dead letter${count === 1 ? '' : 's'} put back; connected subscribers get them now`);
      if (seqs.length > count) output.warn(`${seqs.length - count} of the seqs given are not dead letters (already requeued?)`);
      return EXIT.ok;
    }
    default:
      throw new Error(`relay: no subcommand ${command.name()}`);
  }
}

export async function run(context: CommandContext): Promise<number> {
  const parent = context.command.parent?.name();
  if (context.command.name() === 'serve') return serve(context);
  if (parent === 'channel') return channel(context);
  return deliveries(context);
}
