import type { ChainableCommander } from "iovalkey";
import { GatewayError } from "../../gateway-error.js";
import type { ValkeyClient } from "./valkey-connection.js";
import { createValkeyPipeline } from "./valkey-pipeline.js";

/*
 * The Lua scripts of the Valkey stream store. Each one touches only the keys of ONE stream
 * (hash tag `{<streamId>}`), so that it stays legal on Valkey Cluster; PUBLISH is not a key
 * access. Hash `stream(id)` fields: streamId, sessionId, owner, state (running, completed,
 * failed, canceled, or deleted for the tombstone a deleted stream leaves), end (JSON),
 * createTimeMs, lastSequence, endTimeMs, cancelRequested (0/1).
 */

/** KEYS: stream, lease. ARGV: streamId, sessionId, owner, createTimeMs, instanceId, leaseMs, keyTtlMs. */
const CREATE = `
local state = redis.call('HGET', KEYS[1], 'state')
if state and state ~= 'deleted' then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'streamId', ARGV[1], 'sessionId', ARGV[2], 'owner', ARGV[3],
  'state', 'running', 'createTimeMs', ARGV[4], 'lastSequence', 0, 'endTimeMs', 0, 'cancelRequested', 0)
redis.call('PEXPIRE', KEYS[1], ARGV[7])
redis.call('SET', KEYS[2], ARGV[5], 'PX', ARGV[6])
return 1`;

/**
 * KEYS: stream, events. ARGV: payload JSON, maxEvents, tail channel, streamId, keyTtlMs.
 * Returns the sequence, or -1 unknown, -2 ended, -3 over maxEvents.
 */
const APPEND = `
local fields = redis.call('HMGET', KEYS[1], 'state', 'lastSequence')
if not fields[1] or fields[1] == 'deleted' then return -1 end
if fields[1] ~= 'running' then return -2 end
local sequence = tonumber(fields[2]) + 1
if sequence > tonumber(ARGV[2]) then return -3 end
redis.call('HSET', KEYS[1], 'lastSequence', sequence)
redis.call('XADD', KEYS[2], sequence .. '-0', 'p', ARGV[1])
if sequence == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[5]) end
redis.call('PUBLISH', ARGV[3], ARGV[4])
return sequence`;

/**
 * A group commit: the events a producer numbered itself, appended in one call.
 * KEYS: stream, events. ARGV: first sequence, maxEvents, tail channel, streamId, keyTtlMs, then
 * one payload JSON per event. Returns the last sequence appended, or -1 unknown, -2 ended,
 * -3 over maxEvents, -4 when the first sequence does not follow the stored last one. Every event
 * or none; ONE PUBLISH for the batch.
 */
const APPEND_BATCH = `
local fields = redis.call('HMGET', KEYS[1], 'state', 'lastSequence')
if not fields[1] or fields[1] == 'deleted' then return -1 end
if fields[1] ~= 'running' then return -2 end
local first = tonumber(ARGV[1])
if first ~= tonumber(fields[2]) + 1 then return -4 end
local last = first + #ARGV - 6
if last > tonumber(ARGV[2]) then return -3 end
for i = 6, #ARGV do
  redis.call('XADD', KEYS[2], (first + i - 6) .. '-0', 'p', ARGV[i])
end
redis.call('HSET', KEYS[1], 'lastSequence', last)
if first == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[5]) end
redis.call('PUBLISH', ARGV[3], ARGV[4])
return last`;

/**
 * KEYS: stream, events, lease. ARGV: end JSON, end state, endTimeMs, retentionMs, tail channel,
 * streamId, "1" to end only while the lease is absent. Returns the stream's session id when this
 * call ended it, 0 otherwise.
 */
const END = `
if redis.call('HGET', KEYS[1], 'state') ~= 'running' then return 0 end
if ARGV[7] == '1' and redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'end', ARGV[1], 'endTimeMs', ARGV[3])
redis.call('DEL', KEYS[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
redis.call('PUBLISH', ARGV[5], ARGV[6])
return redis.call('HGET', KEYS[1], 'sessionId')`;

/**
 * KEYS: stream. ARGV: nowMs, retentionMs, cancel channel, streamId.
 * Returns the state after the request ("canceled" for a running stream), nil when unknown.
 */
const CANCEL = `
local fields = redis.call('HMGET', KEYS[1], 'state', 'endTimeMs', 'cancelRequested')
local state = fields[1]
if not state or state == 'deleted' then return false end
if state ~= 'running' then
  if tonumber(ARGV[1]) >= tonumber(fields[2]) + tonumber(ARGV[2]) then return false end
  return state
end
if fields[3] ~= '1' then
  redis.call('HSET', KEYS[1], 'cancelRequested', 1)
  redis.call('PUBLISH', ARGV[3], ARGV[4])
end
return 'canceled'`;

/**
 * KEYS: stream, events, lease. ARGV: instanceId, leaseMs, keyTtlMs.
 * Returns "running", "cancel" (running, cancel requested) or "gone" (ended, deleted or lost).
 */
const HEARTBEAT = `
local fields = redis.call('HMGET', KEYS[1], 'state', 'cancelRequested')
if fields[1] ~= 'running' then return 'gone' end
redis.call('SET', KEYS[3], ARGV[1], 'PX', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
if fields[2] == '1' then return 'cancel' end
return 'running'`;

/**
 * KEYS: stream, events, lease. ARGV: owner, tombstoneTtlMs, tail channel, cancel channel, streamId.
 * Leaves a tombstone hash (state "deleted") so that readers learn why the stream is gone.
 * Returns 1 when deleted, 0 when unknown or owned by someone else.
 */
const DELETE = `
local fields = redis.call('HMGET', KEYS[1], 'state', 'owner', 'cancelRequested')
if not fields[1] or fields[1] == 'deleted' or fields[2] ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
redis.call('HSET', KEYS[1], 'state', 'deleted', 'owner', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PUBLISH', ARGV[3], ARGV[5])
if fields[1] == 'running' and fields[3] ~= '1' then redis.call('PUBLISH', ARGV[4], ARGV[5]) end
return 1`;

/**
 * KEYS: running index, ended index (one hash tag). ARGV: streamId, running deadline (real ms),
 * real now (ms), logical expiry cutoff (now - retentionMs), maxRetainedStreams.
 * Drops dead and expired entries, pops the earliest-ended streams while the count is at the cap,
 * adds the new stream as running, and returns the evicted stream ids.
 */
const ADMIT = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[4])
local count = redis.call('ZCARD', KEYS[1]) + redis.call('ZCARD', KEYS[2])
local evicted = {}
while count >= tonumber(ARGV[5]) do
  local first = redis.call('ZPOPMIN', KEYS[2])
  if #first == 0 then break end
  evicted[#evicted + 1] = first[1]
  count = count - 1
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
return evicted`;

/**
 * The failure an append script's reply stands for (-1 … -4, see APPEND and APPEND_BATCH), or
 * undefined for a sequence.
 */
export function appendReplyError(
  reply: unknown,
  streamId: string,
  maxEventsPerStream: number,
): GatewayError | undefined {
  if (typeof reply === "number" && reply > 0) return undefined;
  if (reply === -1) {
    return new GatewayError("not_found", `stream ${streamId} is unknown or was deleted`);
  }
  if (reply === -2) {
    return new GatewayError("internal", `stream ${streamId} got an event after its end`);
  }
  if (reply === -3) return tooManyEventsError(maxEventsPerStream);
  if (reply === -4) {
    return new GatewayError(
      "internal",
      `stream ${streamId} got events from another producer than this instance`,
    );
  }
  return new GatewayError("internal", "unexpected Valkey reply");
}

/** The failure of an event past `maxEventsPerStream`. */
export function tooManyEventsError(maxEventsPerStream: number): GatewayError {
  return new GatewayError(
    "resource_exhausted",
    `the answer exceeded the limit of ${maxEventsPerStream} stream events; ask for a shorter answer or raise streaming.maxEventsPerStream`,
  );
}

type Arg = string | number;

/** The scripts as client commands (EVALSHA, falling back to EVAL once per connection). */
export interface ValkeyStreamCommands {
  sbStreamCreate(stream: string, lease: string, ...argv: Arg[]): Promise<unknown>;
  sbStreamAppend(stream: string, events: string, ...argv: Arg[]): Promise<unknown>;
  sbStreamEnd(stream: string, events: string, lease: string, ...argv: Arg[]): Promise<unknown>;
  sbStreamCancel(stream: string, ...argv: Arg[]): Promise<unknown>;
  sbStreamDelete(stream: string, events: string, lease: string, ...argv: Arg[]): Promise<unknown>;
}

/** The scripts queued on a pipeline. */
export interface ValkeyStreamPipeline extends ChainableCommander {
  sbStreamCreate(stream: string, lease: string, ...argv: Arg[]): ValkeyStreamPipeline;
  sbStreamAppendBatch(stream: string, events: string, ...argv: Arg[]): ValkeyStreamPipeline;
  sbStreamEnd(stream: string, events: string, lease: string, ...argv: Arg[]): ValkeyStreamPipeline;
  sbStreamHeartbeat(
    stream: string,
    events: string,
    lease: string,
    ...argv: Arg[]
  ): ValkeyStreamPipeline;
  sbStreamDelete(
    stream: string,
    events: string,
    lease: string,
    ...argv: Arg[]
  ): ValkeyStreamPipeline;
  sbStreamAdmit(running: string, ended: string, ...argv: Arg[]): ValkeyStreamPipeline;
}

/** A client with the stream scripts defined. */
export interface ValkeyStreamClient {
  readonly client: ValkeyClient;
  readonly commands: ValkeyStreamCommands;
  /** A new pipeline that knows the scripts (see `createValkeyPipeline` for Cluster). */
  pipeline(): ValkeyStreamPipeline;
}

/** Defines the stream scripts on `client` (idempotent; names are prefixed to avoid clashes). */
export function defineStreamScripts(client: ValkeyClient): ValkeyStreamClient {
  client.defineCommand("sbStreamCreate", { numberOfKeys: 2, lua: CREATE });
  client.defineCommand("sbStreamAppend", { numberOfKeys: 2, lua: APPEND });
  client.defineCommand("sbStreamAppendBatch", { numberOfKeys: 2, lua: APPEND_BATCH });
  client.defineCommand("sbStreamEnd", { numberOfKeys: 3, lua: END });
  client.defineCommand("sbStreamCancel", { numberOfKeys: 1, lua: CANCEL });
  client.defineCommand("sbStreamHeartbeat", { numberOfKeys: 3, lua: HEARTBEAT });
  client.defineCommand("sbStreamDelete", { numberOfKeys: 3, lua: DELETE });
  client.defineCommand("sbStreamAdmit", { numberOfKeys: 2, lua: ADMIT });
  return {
    client,
    // defineCommand adds these methods at run time; iovalkey's types cannot know them.
    commands: client as ValkeyClient & ValkeyStreamCommands,
    pipeline: () => createValkeyPipeline(client) as ValkeyStreamPipeline,
  };
}

/**
 * The replies of a pipeline, throwing the first failure (a failed command or a lost
 * connection); the caller wraps it with `withValkey`.
 */
export async function execPipeline(pipeline: ChainableCommander): Promise<unknown[]> {
  const replies = await pipeline.exec();
  if (replies === null) throw new Error("the Valkey pipeline was discarded");
  return replies.map(([error, reply]) => {
    if (error) throw error;
    return reply;
  });
}
