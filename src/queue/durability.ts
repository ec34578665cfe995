/**
 * Whether a Redis keeps what it acknowledged: its eviction policy and its persistence, read when a
 * listener or a worker connects (and again when it reconnects: a failover can land on a Redis set
 * up differently).
 *
 * - An evicting `maxmemory-policy` (allkeys-*, volatile-*: the default of many managed services)
 *   drops acknowledged deliveries and dedupe keys without an error once memory is full, so a
 *   delivery answered 2xx can vanish and an old id is accepted as new again. It is refused unless
 *   the user accepts it (`--allow-eviction`).
 * - No AOF: a Redis restart loses what came since the last snapshot (with no RDB either: every
 *   queued delivery not yet forwarded). A warning that says so and how to turn AOF on.
 *
 * Read through INFO (which managed services leave on) and, for the RDB schedule, CONFIG GET (often
 * disabled there); what cannot be read is reported as unknown, never guessed.
 */
import type { RedisConnection } from './connection.js';
import { EXIT, UserError } from '../errors.js';
import { infoFields } from './memory.js';

export interface Durability {
  /** `maxmemory-policy`, or null when Redis would not say. */
  policy: string | null;
  /** Evicting: keys can disappear when memory is full. */
  evicts: boolean;
  /** appendonly yes; null: unknown. */
  aof: boolean | null;
  /** RDB snapshots scheduled (`save` not empty); null: unknown (CONFIG disabled). */
  rdb: boolean | null;
}

export async function readDurability(connection: RedisConnection): Promise<Durability> {
  let info = new Map<string, string>();
  try {
    info = infoFields(String(await connection.command(['INFO', 'memory'])));
    for (const [name, value] of infoFields(String(await connection.command(['INFO', 'persistence'])))) info.set(name, value);
  } catch {
    // INFO disabled: everything below is read from CONFIG, or unknown
  }
  let policy = info.get('maxmemory_policy') ?? null;
  let rdb: boolean | null = null;
  // CONFIG is often disabled on managed Redis: each read may fail, and then stays unknown.
  const config = async (name: string) => configMap(await connection.command<unknown>(['CONFIG', 'GET', name]).catch(() => undefined)).get(name);
  const save = await config('save');
  if (save !== undefined) rdb = save.trim() !== '';
  policy ??= (await config('maxmemory-policy')) ?? null;
  if (!info.has('aof_enabled')) {
    const appendonly = await config('appendonly');
    if (appendonly !== undefined) info.set('aof_enabled', appendonly === 'yes' ? '1' : '0');
  }
  const aof = info.has('aof_enabled') ? info.get('aof_enabled') === '1' : null;
  return { policy, evicts: policy !== null && policy !== 'noeviction', aof, rdb };
}

/** CONFIG GET's reply as RESP2 (flat pairs) or RESP3 (a map). */
function configMap(reply: unknown): Map<string, string> {
  const map = new Map<string, string>();
  if (Array.isArray(reply)) for (let i = 0; i + 1 < reply.length; i += 2) map.set(String(reply[i]), String(reply[i + 1]));
  else if (reply && typeof reply === 'object') for (const [name, value] of Object.entries(reply)) map.set(name, String(value));
  return map;
}

/** The refusal for an evicting policy: one line, what can happen and the two ways out. */
export function evictionProblem(display: string, durability: Durability, flag = '--allow-eviction'): string | undefined {
  if (!durability.evicts) return undefined;
  return `Redis at ${display} evicts keys when full (maxmemory-policy ${durability.policy}): acknowledged deliveries and dedupe keys could vanish without an error. Set maxmemory-policy noeviction (CONFIG SET maxmemory-policy noeviction, or your provider's setting), or accept the risk with ${flag}`;
}

/** The warning for a Redis that keeps little or nothing on disk; undefined when AOF is on or nothing is known. */
export function persistenceWarning(display: string, durability: Durability): string | undefined {
  if (durability.aof !== false) return undefined;
  const turnOn = 'turn AOF on: CONFIG SET appendonly yes, and appendonly yes in redis.conf (or your provider\'s persistence setting)';
  if (durability.rdb === false) return `Redis at ${display} keeps nothing on disk (appendonly no, no RDB snapshots): a Redis restart loses every delivery acknowledged and not yet forwarded, and the dedupe keys; ${turnOn}`;
  if (durability.rdb === true) return `Redis at ${display} has snapshots only (appendonly no): a Redis crash loses the deliveries acknowledged since the last snapshot; ${turnOn}`;
  return `Redis at ${display} has appendonly no (its snapshot schedule could not be read): a Redis crash can lose deliveries already acknowledged; ${turnOn}`;
}

/**
 * Reads the Redis's durability and returns the warnings to show; an evicting policy is a usage
 * error (exit 2) unless `allowEviction`, then a warning too.
 */
export async function checkDurability(connection: RedisConnection, options: { allowEviction: boolean; flag?: string }): Promise<string[]> {
  const durability = await readDurability(connection);
  const display = connection.address.display;
  const warnings: string[] = [];
  const eviction = evictionProblem(display, durability, options.flag);
  if (eviction && !options.allowEviction) throw new UserError(eviction, EXIT.usage);
  if (eviction) warnings.push(`Redis at ${display} evicts keys when full (maxmemory-policy ${durability.policy}), accepted with ${options.flag ?? '--allow-eviction'}: acknowledged deliveries and dedupe keys can vanish once memory is full`);
  const persistence = persistenceWarning(display, durability);
  if (persistence) warnings.push(persistence);
  return warnings;
}

/** After a reconnect (a failover may land on a Redis set up differently): the same check, as warnings. */
export function recheckOnReconnect(connection: RedisConnection, options: { allowEviction: boolean; flag?: string }, warn: (message: string) => void): void {
  connection.on('ready', () => {
    checkDurability(connection, options).then(
      (warnings) => warnings.forEach(warn),
      (error: unknown) => warn((error as Error)?.message ?? String(error)),
    );
  });
}
