import { SESSION_FIELDS } from "./valkey-session-codec.js";

/*
 * The Lua scripts of the Valkey session store. Each touches only the keys of ONE session (hash
 * tag `{<sessionId>}`), so that it stays legal on Valkey Cluster.
 */

// Lua numbers are doubles printed with 14 digits; times therefore travel as strings made in
// TypeScript and are only compared (tonumber) inside the scripts.
const HMGET_SESSION = `redis.call('HMGET', KEYS[1], '${SESSION_FIELDS.join("', '")}')`;

/**
 * Appends a batch to a live session of the owner, all or nothing. KEYS: session, messages.
 * ARGV: owner, nowMs, expireTimeMs, ttlMs, title (taken only when the session has none),
 * message JSON… Reply: the session's `SESSION_FIELDS` after the append, or nil when the
 * session is unknown, another owner's or expired at nowMs.
 */
export const APPEND_MESSAGES_LUA = `
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return false end
local expire = tonumber(redis.call('HGET', KEYS[1], 'expireTimeMs'))
if expire == nil or tonumber(ARGV[2]) >= expire then return false end
for i = 6, #ARGV, 1000 do
  redis.call('RPUSH', KEYS[2], unpack(ARGV, i, math.min(i + 999, #ARGV)))
end
local fields = {'messageCount', redis.call('LLEN', KEYS[2]), 'updateTimeMs', ARGV[2], 'expireTimeMs', ARGV[3]}
if ARGV[5] ~= '' and redis.call('HGET', KEYS[1], 'title') == '' then
  table.insert(fields, 'title')
  table.insert(fields, ARGV[5])
end
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return ${HMGET_SESSION}`;

/**
 * Deletes the owner's session and its history (also when it has expired at nowMs, to free it
 * early). KEYS: session, messages. ARGV: owner, nowMs. Reply: 1 when a live session was deleted.
 */
export const DELETE_SESSION_LUA = `
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return 0 end
local expire = tonumber(redis.call('HGET', KEYS[1], 'expireTimeMs'))
redis.call('DEL', KEYS[1], KEYS[2])
if expire == nil or tonumber(ARGV[2]) >= expire then return 0 end
return 1`;
