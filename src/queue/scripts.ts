/**
 * Lua scripts: steps that must not interleave with another worker's (a due retry moved back into
 * the stream exactly once, a dead letter put back exactly once). Sent by SHA, and in full the
 * first time a server has not seen them (NOSCRIPT).
 */
import { createHash } from 'node:crypto';
import type { RedisConnection } from './connection.js';

export interface Script {
  source: string;
  sha: string;
}

function script(source: string): Script {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

export async function runScript<T>(connection: RedisConnection, { source, sha }: Script, keys: readonly string[], args: readonly string[]): Promise<T> {
  const tail = [String(keys.length), ...keys, ...args];
  try {
    return await connection.command<T>(['EVALSHA', sha, ...tail]);
  } catch (error) {
    if (!/NOSCRIPT/.test((error as Error).message)) throw error;
    return connection.command<T>(['EVAL', source, ...tail]);
  }
}

/**
 * Moves retries that are due (score <= now) from the sorted set back into the stream as new
 * entries, oldest first, at most ARGV[2] of them. The member is the entry's fields as a JSON array.
 * Returns {moved, score of the next retry or false}.
 * KEYS: retries, stream. ARGV: now (ms), batch size.
 */
export const MOVE_DUE_RETRIES = script(`
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, member in ipairs(due) do
  local ok, fields = pcall(cjson.decode, member)
  if ok and type(fields) == 'table' and #fields >= 2 and #fields % 2 == 0 then
    redis.call('XADD', KEYS[2], '*', unpack(fields))
  else
    redis.call('XADD', KEYS[2], '*', 'unreadable-retry', member)
  end
  redis.call('ZREM', KEYS[1], member)
end
local nextDue = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {#due, nextDue[2] or false}
`);

/**
 * Puts dead letters back into the stream as new entries (attempt 0, same route) and removes them
 * from the dead-letter stream. Fields named `dead.*`, `attempt` and `error` stay behind.
 * KEYS: dead, stream. ARGV: the dead-letter ids. Returns how many were put back.
 */
export const REQUEUE_DEAD = script(`
local count = 0
for _, id in ipairs(ARGV) do
  local found = redis.call('XRANGE', KEYS[1], id, id)
  if #found == 1 then
    local fields = found[1][2]
    local kept = {}
    for i = 1, #fields, 2 do
      local name = fields[i]
      if string.sub(name, 1, 5) ~= 'dead.' and name ~= 'attempt' and name ~= 'error' then
        kept[#kept + 1] = name
        kept[#kept + 1] = fields[i + 1]
      end
    end
    if #kept >= 2 then
      redis.call('XADD', KEYS[2], '*', unpack(kept))
      count = count + 1
    end
    redis.call('XDEL', KEYS[1], id)
  end
end
return count
`);

/**
 * Removes a consumer from the group only if it holds nothing (DELCONSUMER would drop its pending
 * entries from the group's bookkeeping, and with them the deliveries) and has been idle at least
 * ARGV[3] ms. Atomic, so a consumer that reads something in between is never removed.
 * KEYS: stream. ARGV: group, consumer, minimum idle ms. Returns 1 when removed.
 */
export const REMOVE_IDLE_CONSUMER = script(`
local consumers = redis.call('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])
for _, consumer in ipairs(consumers) do
  local info = {}
  for i = 1, #consumer, 2 do info[consumer[i]] = consumer[i + 1] end
  if info['name'] == ARGV[2] then
    if tonumber(info['pending']) == 0 and tonumber(info['idle']) >= tonumber(ARGV[3]) then
      redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
      return 1
    end
    return 0
  end
end
return 0
`);

/**
 * A listener's one step for the new deliveries of one event-loop turn: dedupe and enqueue
 * together. For each: if its ledger key is free, the record is added to the stream and the key set
 * to `done:<entry id>` for the dedupe window, atomically (XADD first: if Redis refuses it, at
 * maxmemory, nothing of that delivery was written); if the key is held, the holder's value comes
 * back (`done:` a duplicate, `pending:` another listener's claim in progress). A key repeated in
 * the batch is a duplicate of its first. One round trip (and one command) for the whole batch,
 * where claim + XADD + commit would take three per delivery.
 * KEYS: the seen key of each delivery, then the stream. ARGV: window ms, then each record line.
 * Returns {1, entry id | 0, held value} per delivery, flattened.
 */
export const ADD_IF_NEW = script(`
local stream = KEYS[#KEYS]
local out = {}
for i = 1, #KEYS - 1 do
  local held = redis.call('GET', KEYS[i])
  if held then
    out[#out + 1] = 0
    out[#out + 1] = held
  else
    local id = redis.call('XADD', stream, '*', 'record', ARGV[i + 1])
    redis.call('SET', KEYS[i], 'done:' .. id, 'PX', ARGV[1])
    out[#out + 1] = 1
    out[#out + 1] = id
  end
end
return out
`);
