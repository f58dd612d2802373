import type { RateLimiter } from "../model-state-store.js";
import type { RateLimitDecision } from "../records.js";
import { type ValkeyClient, withValkey } from "./valkey-connection.js";
import type { ValkeyKeys } from "./valkey-keys.js";
import { defineValkeyScript } from "./valkey-script.js";

/** Options of `createValkeyRateLimiter`. */
export interface ValkeyRateLimiterOptions {
  /** The shared command connection. */
  readonly client: ValkeyClient;
  readonly keys: ValkeyKeys;
}

/**
 * KEYS: the window's counter. ARGV: max, windowMs. 1 when taken, 0 when the window is full.
 * INCR only below max, so a refused request does not count and the counter never passes max.
 */
const TAKE_LUA = `
local taken = tonumber(redis.call('GET', KEYS[1]) or '0')
if taken >= tonumber(ARGV[1]) then return 0 end
if redis.call('INCR', KEYS[1]) == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1`;

/**
 * Creates fixed-window counters on Valkey, exact across every instance by construction: the
 * window of `nowMs` is `floor(nowMs / windowMs)` (aligned to the epoch, as in memory), each
 * window is its own counter key, and one Lua script decides and counts atomically. A counter
 * expires by itself `windowMs` after its first request (real time), once its window is over.
 *
 * There is no fallback to counting in this process, ever: when Valkey cannot be reached every
 * method throws `storage_unavailable`, so N per window stays N in total. One round trip each.
 */
export function createValkeyRateLimiter(options: ValkeyRateLimiterOptions): RateLimiter {
  const { client, keys } = options;
  const take = defineValkeyScript(client, {
    name: "switchboardTakeRateLimit",
    numberOfKeys: 1,
    lua: TAKE_LUA,
  });

  return {
    take: (key, max, windowMs, nowMs) =>
      withValkey(async (): Promise<RateLimitDecision> => {
        const index = Math.floor(nowMs / windowMs);
        const taken = await take(
          [keys.rateWindow(key, index)],
          [max, Math.max(1, Math.ceil(windowMs))],
        );
        if (taken === 1) return { allowed: true, retryAfterMs: 0 };
        return { allowed: false, retryAfterMs: (index + 1) * windowMs - nowMs };
      }),

    remaining: (key, max, windowMs, nowMs) =>
      withValkey(async () => {
        const taken = Number(await client.get(keys.rateWindow(key, Math.floor(nowMs / windowMs))));
        // A corrupted counter counts as full rather than as empty: never over-admit.
        return Number.isFinite(taken) ? Math.max(0, max - taken) : 0;
      }),
  };
}
