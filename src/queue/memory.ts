/**
 * How close Redis is to `maxmemory`. With the default `noeviction` a full Redis refuses every
 * command that allocates (XADD, ZADD, HINCRBY, a MULTI holding one) and still accepts those that
 * free or only read (XACK, XDEL, XTRIM, XREADGROUP, XCLAIM): the worker leans on that to get out of
 * a full queue, and trims delivered entries at once (retention yields) while memory is tight.
 */
import type { MemoryUse } from '../queue-backend/types.js';
import type { RedisConnection } from './connection.js';

export type { MemoryUse } from '../queue-backend/types.js';

/** Used / max at which memory counts as full (writes start being refused a little past it). */
const FULL = 0.98;
const TIGHT = 0.8;

/** INFO's `name:value` lines as a map. */
export function infoFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  return fields;
}

export function memoryUseFrom(info: Map<string, string>): MemoryUse {
  // Redis leaves replication and AOF buffers out when comparing against maxmemory.
  const usedBytes = Math.max(0, Number(info.get('used_memory') ?? 0) - Number(info.get('mem_not_counted_for_evict') ?? 0));
  const maxBytes = Number(info.get('maxmemory') ?? 0) || 0;
  return { usedBytes, maxBytes, full: maxBytes > 0 && usedBytes >= FULL * maxBytes, tight: maxBytes > 0 && usedBytes >= TIGHT * maxBytes };
}

/** Memory use now; undefined when Redis does not let us ask (INFO disabled on some managed services). */
export async function memoryUse(connection: RedisConnection): Promise<MemoryUse | undefined> {
  try {
    return memoryUseFrom(infoFields(String(await connection.command(['INFO', 'memory']))));
  } catch {
    return undefined;
  }
}
