/**
 * Where a Redis queue lives: `redis://[user:pass@]host:port[/db][?stream=NAME&group=NAME]`
 * (`rediss://` for TLS). The stream and the consumer group have defaults, so most people give
 * only host and port; options (--stream, --group) win over the query parameters. The password is
 * kept for connecting and never shown: `display` has `***` in its place.
 */
import { usageError } from '../errors.js';
import { shellQuote } from '../shell/curl.js';

export const DEFAULT_STREAM = 'hookctl:deliveries';
export const DEFAULT_GROUP = 'hookctl:workers';
const DEFAULT_PORT = 6379;
const QUERY_PARAMETERS = new Set(['stream', 'group']);

export interface QueueAddress {
  tls: boolean;
  host: string;
  port: number;
  db: number;
  username: string | undefined;
  password: string | undefined;
  /** The stream deliveries are added to; every other key of the queue is named after it. */
  stream: string;
  /** The consumer group workers read through. */
  group: string;
  /** `redis://user:***@host:port/db` plus `?stream=…&group=…` when not the defaults: safe to print. */
  display: string;
  /** The file the password was read from (--redis-password-file), so a command printed to run can name it. */
  passwordFile?: string;
}

export interface AddressOverrides {
  stream?: string | undefined;
  group?: string | undefined;
  /** Used when the URL carries no password (e.g. read from --redis-password-file, kept out of `ps`). */
  password?: string | undefined;
  /** Where that password came from. */
  passwordFile?: string | undefined;
}

/** Names are key names: printable, no spaces, so they can be typed back and never collide with the derived keys' separators in surprising ways. */
function checkName(value: string, what: string): string {
  if (!/^[\x21-\x7e]{1,200}$/.test(value)) throw usageError(`${what}: "${value}" is not a usable name (1-200 printable characters, no spaces)`);
  return value;
}

/** The URL with its password replaced by `***`, for messages about a URL that did not parse. */
function masked(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^/?#@]*)@/i, (_match, scheme: string, userInfo: string) => {
    const colon = userInfo.indexOf(':');
    return `${scheme}${colon < 0 ? '***' : `${userInfo.slice(0, colon)}:***`}@`;
  });
}

export function parseQueueAddress(text: string, overrides: AddressOverrides = {}, what = '<redis-url>'): QueueAddress {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // Not echoed: in text that does not parse there is no telling which part is a password.
    throw usageError(`${what}: not a Redis URL (expected redis://[user:password@]host:port[/db])`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw usageError(`${what}: expected a redis:// or rediss:// URL, got "${masked(text)}"`);
  }
  if (!url.hostname) throw usageError(`${what}: "${masked(text)}" names no host (expected e.g. redis://127.0.0.1:6379)`);
  const path = url.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d{1,4}$/.test(path)) throw usageError(`${what}: "/${path}" is not a database number (expected e.g. redis://127.0.0.1:6379/0)`);
  for (const name of url.searchParams.keys()) {
    if (!QUERY_PARAMETERS.has(name)) throw usageError(`${what}: unknown query parameter "${name}" (known: ${[...QUERY_PARAMETERS].join(', ')})`);
  }
  const stream = checkName(overrides.stream ?? url.searchParams.get('stream') ?? DEFAULT_STREAM, overrides.stream !== undefined ? '--stream' : `${what} stream`);
  const group = checkName(overrides.group ?? url.searchParams.get('group') ?? DEFAULT_GROUP, overrides.group !== undefined ? '--group' : `${what} group`);
  const username = url.username ? decodeURIComponent(url.username) : undefined;
  const password = url.password ? decodeURIComponent(url.password) : overrides.password;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = url.port ? Number(url.port) : DEFAULT_PORT;
  const db = path === '' ? 0 : Number(path);
  const address: Omit<QueueAddress, 'display'> = { tls: url.protocol === 'rediss:', host, port, db, username, password, stream, group };
  const fromFile = !url.password && overrides.password !== undefined && overrides.passwordFile !== undefined ? { passwordFile: overrides.passwordFile } : {};
  return { ...address, display: displayAddress(address), ...fromFile };
}

/**
 * The queue as a command printed for the user to run must name it: never `***` (pasted, it fails
 * with WRONGPASS). Without a password: the URL. With one read from a file: the URL and
 * `--redis-password-file` naming that file. With one in the URL: the URL without it and
 * `--redis-password-file FILE`, plus `hint`, which says what FILE is and the variable that can
 * stand for the flag.
 */
export function pastableAddress(address: QueueAddress): { args: string; hint?: string } {
  const plain = displayAddress({ ...address, password: undefined });
  // `?stream=a&group=b` must reach hookctl whole, not background a job.
  const url = /^[\w@%+=:,./-]+$/.test(plain) ? plain : shellQuote(plain);
  if (address.password === undefined) return { args: url };
  if (address.passwordFile !== undefined) return { args: `${url} --redis-password-file ${shellQuote(address.passwordFile)}` };
  return { args: `${url} --redis-password-file FILE`, hint: 'FILE holds the Redis password (or set HOOKCTL_REDIS_PASSWORD_FILE to its path and leave the flag out)' };
}

export function displayAddress(address: Omit<QueueAddress, 'display'>): string {
  const credentials = address.username !== undefined ? `${encodeURIComponent(address.username)}${address.password !== undefined ? ':***' : ''}@` : address.password !== undefined ? '***@' : '';
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  const query = new URLSearchParams();
  if (address.stream !== DEFAULT_STREAM) query.set('stream', address.stream);
  if (address.group !== DEFAULT_GROUP) query.set('group', address.group);
  const search = query.size > 0 ? `?${query.toString()}` : '';
  return `${address.tls ? 'rediss' : 'redis'}://${credentials}${host}:${address.port}/${address.db}${search}`;
}

/** A queue target is a Redis URL; anything else is a path (the local outbox). */
export function isRedisUrl(text: string): boolean {
  return /^rediss?:\/\//i.test(text);
}
