import type { Logger } from "pino";
import { GatewayError } from "../../gateway-error.js";
import type { ModelStateStore } from "../model-state-store.js";
import type { ModelAdmission, ModelFailure, ModelHealth } from "../records.js";
import { type ValkeyClient, withValkey } from "./valkey-connection.js";
import type { ValkeyKeys } from "./valkey-keys.js";
import { defineValkeyScript, stringArrayReply } from "./valkey-script.js";

/** Options of `createValkeyModelStateStore`. */
export interface ValkeyModelStateStoreOptions {
  /** The shared command connection. */
  readonly client: ValkeyClient;
  readonly keys: ValkeyKeys;
  readonly log: Logger;
}

// The hash of a model: state ("ready" | "cooling_down" | "disabled"), availableAtMs (empty
// unless cooling down), lastError, consecutiveFailures, probeLeaseUntilMs (0 when no probe is
// out). A model never seen has no hash and is ready. Times are epoch ms written by TypeScript
// or with %.0f, because Lua prints larger numbers in exponent notation.

/** KEYS: model. ARGV: nowMs, probeLeaseUntilMs. Reply: {kind, availableAtMs?}. */
const ADMIT_LUA = `
local h = redis.call('HMGET', KEYS[1], 'state', 'availableAtMs', 'probeLeaseUntilMs')
if not h[1] or h[1] == 'ready' then return {'ready'} end
if h[1] == 'disabled' then return {'disabled'} end
local now = tonumber(ARGV[1])
if now < (tonumber(h[2]) or 0) then return {'cooling_down', h[2]} end
if now < (tonumber(h[3]) or 0) then return {'cooling_down', h[3]} end
redis.call('HSET', KEYS[1], 'probeLeaseUntilMs', ARGV[2])
return {'probe'}`;

/**
 * KEYS: model. ARGV: nowMs, reason, cooldownMs, maxCooldownMs, retryAfterMs ('' when none),
 * disable ('1' or '0'). Reply: {state, availableAtMs or '', lastError, consecutiveFailures}.
 */
const RECORD_FAILURE_LUA = `
local h = redis.call('HMGET', KEYS[1], 'state', 'consecutiveFailures')
local failures = (tonumber(h[2]) or 0) + 1
local state = 'disabled'
local available = ''
if ARGV[6] ~= '1' and h[1] ~= 'disabled' then
  local cooldown = tonumber(ARGV[5])
  if cooldown == nil then
    cooldown = math.min(tonumber(ARGV[3]) * 2 ^ math.min(failures - 1, 60), tonumber(ARGV[4]))
  end
  state = 'cooling_down'
  available = string.format('%.0f', tonumber(ARGV[1]) + cooldown)
end
redis.call('HSET', KEYS[1], 'state', state, 'availableAtMs', available, 'lastError', ARGV[2],
  'consecutiveFailures', failures, 'probeLeaseUntilMs', 0)
return {state, available, ARGV[2], failures}`;

/** KEYS: model. Keeps lastError; writes nothing for a model that is ready already. */
const RECORD_SUCCESS_LUA = `
local h = redis.call('HMGET', KEYS[1], 'state', 'consecutiveFailures')
if not h[1] or (h[1] == 'ready' and h[2] == '0') then return 0 end
redis.call('HSET', KEYS[1], 'state', 'ready', 'availableAtMs', '', 'consecutiveFailures', 0,
  'probeLeaseUntilMs', 0)
return 1`;

const READY: ModelHealth = Object.freeze({
  state: "ready",
  availableAtMs: undefined,
  lastError: "",
  consecutiveFailures: 0,
});

/**
 * Creates the circuit breaker of every model on Valkey, shared by every instance, with exactly
 * the memory store's semantics (see `createMemoryModelStateStore`). `admit`, `recordFailure`
 * and `recordSuccess` are each one Lua script on the model's hash (one round trip, atomic), so
 * exactly one caller across all instances gets the half-open probe; `getHealth` is one HMGET.
 * Decisions are taken at the `nowMs` the engine passes, never at Valkey's clock. Model hashes
 * have no TTL: there is one small hash per configured model. Every method throws
 * `storage_unavailable` when Valkey cannot be reached.
 */
export function createValkeyModelStateStore(
  options: ValkeyModelStateStoreOptions,
): ModelStateStore {
  const { client, keys, log } = options;

  /** `withValkey`, logging a corrupted hash (thrown as `internal`) with the model's id. */
  function guarded<T>(modelId: string, operation: () => Promise<T>): Promise<T> {
    return withValkey(async () => {
      try {
        return await operation();
      } catch (error) {
        if (error instanceof GatewayError && error.code === "internal") {
          log.error({ err: error, modelId }, "corrupted model state in Valkey");
        }
        throw error;
      }
    });
  }
  const admit = defineValkeyScript(client, {
    name: "switchboardAdmitModel",
    numberOfKeys: 1,
    lua: ADMIT_LUA,
  });
  const recordFailure = defineValkeyScript(client, {
    name: "switchboardRecordModelFailure",
    numberOfKeys: 1,
    lua: RECORD_FAILURE_LUA,
  });
  const recordSuccess = defineValkeyScript(client, {
    name: "switchboardRecordModelSuccess",
    numberOfKeys: 1,
    lua: RECORD_SUCCESS_LUA,
  });

  return {
    admit: (modelId, nowMs, probeLeaseMs) =>
      guarded(modelId, async (): Promise<ModelAdmission> => {
        const reply = stringArrayReply(
          await admit([keys.model(modelId)], [String(nowMs), String(nowMs + probeLeaseMs)]),
          "admit",
        );
        const [kind, availableAt] = reply;
        if (kind === "ready" || kind === "probe" || kind === "disabled") return { kind };
        if (kind === "cooling_down") {
          return { kind, availableAtMs: timeField(availableAt, modelId) ?? nowMs };
        }
        throw corrupted(modelId);
      }),

    recordSuccess: (modelId) =>
      withValkey(async () => {
        await recordSuccess([keys.model(modelId)], []);
      }),

    recordFailure: (modelId, failure: ModelFailure, nowMs) =>
      guarded(modelId, async (): Promise<ModelHealth> => {
        const reply = await recordFailure(
          [keys.model(modelId)],
          [
            String(nowMs),
            failure.reason,
            String(failure.cooldownMs),
            String(failure.maxCooldownMs),
            failure.retryAfterMs === undefined ? "" : String(failure.retryAfterMs),
            failure.disable ? "1" : "0",
          ],
        );
        const [state, availableAt, lastError, failures] = stringArrayReply(reply, "recordFailure");
        return parseHealth(modelId, state, availableAt, lastError, failures);
      }),

    getHealth: (modelId, nowMs) =>
      guarded(modelId, async (): Promise<ModelHealth> => {
        const [state, availableAt, lastError, failures, leaseUntil] = await client.hmget(
          keys.model(modelId),
          ...["state", "availableAtMs", "lastError", "consecutiveFailures", "probeLeaseUntilMs"],
        );
        if (state === null || state === undefined) return READY;
        const health = parseHealth(modelId, state, availableAt, lastError, failures);
        const leaseUntilMs = timeField(leaseUntil, modelId) ?? 0;
        // While a probe is out the model is not available before the probe's lease ends.
        if (health.state === "cooling_down" && nowMs < leaseUntilMs) {
          return { ...health, availableAtMs: leaseUntilMs };
        }
        return health;
      }),
  };
}

function parseHealth(
  modelId: string,
  state: string | null | undefined,
  availableAt: string | null | undefined,
  lastError: string | null | undefined,
  failures: string | null | undefined,
): ModelHealth {
  const consecutiveFailures = timeField(failures, modelId) ?? 0;
  if (state === "ready") return { ...READY, lastError: lastError ?? "", consecutiveFailures };
  if (state === "disabled") {
    return { state, availableAtMs: undefined, lastError: lastError ?? "", consecutiveFailures };
  }
  if (state === "cooling_down") {
    const availableAtMs = timeField(availableAt, modelId);
    if (availableAtMs === undefined) throw corrupted(modelId);
    return { state, availableAtMs, lastError: lastError ?? "", consecutiveFailures };
  }
  throw corrupted(modelId);
}

/** A non-negative integer field; undefined when empty or missing, an error when corrupted. */
function timeField(value: string | null | undefined, modelId: string): number | undefined {
  if (value === null || value === undefined || value === "") return undefined;
  if (!/^\d+$/.test(value)) throw corrupted(modelId);
  return Number(value);
}

function corrupted(modelId: string): GatewayError {
  return new GatewayError("internal", `the state of model ${modelId} in Valkey is corrupted`);
}
