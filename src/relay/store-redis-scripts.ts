/**
 * The Redis relay store's steps that must not interleave with another relay process's: a channel
 * created once, a delivery stored only below the backlog cap, a due retry handed to exactly one
 * member. Sent by SHA through the queue's `runScript` (in full the first time: NOSCRIPT).
 */
import { createHash } from 'node:crypto';
import type { Script } from '../queue/scripts.js';

function script(source: string): Script {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/**
 * Creates a channel unless its name or ingress id is taken, with its stream (empty: an emptied
 * stream stays), so ingress can add with NOMKSTREAM and learn from a nil that the channel is gone.
 * KEYS: channels hash, ingress hash, stream. ARGV: name, ingress id, channel JSON. Returns 1, or 0 when taken.
 */
export const CREATE_CHANNEL = script(`
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 or redis.call('HEXISTS', KEYS[2], ARGV[2]) == 1 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('HSET', KEYS[2], ARGV[2], ARGV[1])
redis.call('DEL', KEYS[3])
redis.call('XADD', KEYS[3], '*', 'created', '1')
redis.call('XTRIM', KEYS[3], 'MAXLEN', 0)
return 1
`);

/**
 * Replaces a channel's token hash. KEYS: channels hash. ARGV: name, token hash. Returns 1, or 0 when there is no such channel.
 */
export const SET_TOKEN_HASH = script(`
local text = redis.call('HGET', KEYS[1], ARGV[1])
if not text then return 0 end
local channel = cjson.decode(text)
channel['tokenHash'] = ARGV[2]
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(channel))
return 1
`);

/**
 * Ingress's careful way (the store's fast way is a plain XADD NOMKSTREAM while the stream is well
 * under the cap): stores one delivery unless the channel is gone or its backlog is at the cap,
 * then tells every relay process (PUBLISH). The backlog is the worst consumer's unsettled entries
 * (unread + in flight); before any consumer has read, the stream's length. It is computed only
 * when the stream is at least cap long, so a healthy channel pays one XLEN.
 * KEYS: channels hash, stream. ARGV: name, cap (0: none), notify channel, record line, ingress URL.
 * Returns {1, entry id, channel JSON, stream length} | {0, backlog} | {-1} (no such channel).
 */
export const APPEND_ENTRY = script(`
local channel = redis.call('HGET', KEYS[1], ARGV[1])
if not channel then return {-1} end
local cap = tonumber(ARGV[2])
if cap > 0 then
  local length = redis.call('XLEN', KEYS[2])
  if length >= cap then
    local backlog = length
    local groups = redis.call('XINFO', 'GROUPS', KEYS[2])
    if #groups > 0 then
      backlog = 0
      for _, group in ipairs(groups) do
        local info = {}
        for i = 1, #group, 2 do info[group[i]] = group[i + 1] end
        local lag = info['lag']
        if type(lag) ~= 'number' then lag = length end
        local unsettled = lag + (tonumber(info['pending']) or 0)
        if unsettled > backlog then backlog = unsettled end
      end
    end
    if backlog >= cap then return {0, backlog} end
  end
end
local id = redis.call('XADD', KEYS[2], '*', 'record', ARGV[4], 'ingressUrl', ARGV[5])
redis.call('PUBLISH', ARGV[3], id)
return {1, id, channel, redis.call('XLEN', KEYS[2])}
`);

/**
 * A take in one round trip: this member's due retries, oldest due first (each leaves the sorted set
 * and enters the member's pending list through XCLAIM … FORCE, where the ack timeout applies again;
 * one whose entry was trimmed away is dropped), then entries another
 * member (or this one) left unsettled longer than the ack timeout (XAUTOCLAIM), then new ones
 * (XREADGROUP), at most ARGV[4] in all.
 * KEYS: retries zset, attempts hash, stream. ARGV: group, member, now (ms), max, ack timeout (ms).
 * Returns {seq, fields, attempts JSON | false} per entry, flattened.
 */
export const TAKE = script(`
local max = tonumber(ARGV[4])
local out = {}
local taken = 0
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[3], 'LIMIT', 0, max)
for _, seq in ipairs(due) do
  redis.call('ZREM', KEYS[1], seq)
  local claimed = redis.call('XCLAIM', KEYS[3], ARGV[1], ARGV[2], 0, seq, 'FORCE')
  if #claimed > 0 and claimed[1] then
    out[#out + 1] = seq
    out[#out + 1] = claimed[1][2]
    out[#out + 1] = redis.call('HGET', KEYS[2], seq)
    taken = taken + 1
  else
    redis.call('HDEL', KEYS[2], seq)
  end
end
if taken < max then
  local reply = redis.call('XAUTOCLAIM', KEYS[3], ARGV[1], ARGV[2], ARGV[5], '0-0', 'COUNT', max - taken)
  for _, item in ipairs(reply[2]) do
    if item then
      out[#out + 1] = item[1]
      out[#out + 1] = item[2]
      out[#out + 1] = redis.call('HGET', KEYS[2], item[1])
      taken = taken + 1
    end
  end
end
if taken < max then
  local reply = redis.call('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', max - taken, 'STREAMS', KEYS[3], '>')
  if reply then
    for _, item in ipairs(reply[1][2]) do
      out[#out + 1] = item[1]
      out[#out + 1] = item[2]
      out[#out + 1] = false
    end
  end
end
return out
`);
