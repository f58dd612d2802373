import type { Logger } from "pino";
import { GatewayError } from "../gateway-error.js";
import type { ModelStateStore, RateLimiter } from "../storage/model-state-store.js";
import { countRateLimitFailOpen } from "./degraded-counters.js";

/** The storage (Valkey) could not be reached: the error `withValkey` throws. */
export function isStorageUnavailable(error: unknown): error is GatewayError {
  return error instanceof GatewayError && error.code === "storage_unavailable";
}

/**
 * The model states for a stateless answer: while the storage is unreachable every model is
 * admitted as ready and failures are not recorded (logged instead). Other errors pass through.
 */
export function failOpenModelStates(store: ModelStateStore, log: Logger): ModelStateStore {
  async function orSkip(operation: () => Promise<void>, what: string): Promise<void> {
    try {
      await operation();
    } catch (error) {
      if (!isStorageUnavailable(error)) throw error;
      log.warn({ err: error }, `storage unavailable: ${what} not recorded`);
    }
  }
  return {
    async admit(modelId, nowMs, probeLeaseMs) {
      try {
        return await store.admit(modelId, nowMs, probeLeaseMs);
      } catch (error) {
        if (!isStorageUnavailable(error)) throw error;
        log.warn({ err: error, model: modelId }, "storage unavailable: model admitted as ready");
        return { kind: "ready" };
      }
    },
    recordSuccess: (modelId) => orSkip(() => store.recordSuccess(modelId), "model success"),
    async recordFailure(modelId, failure, nowMs) {
      try {
        return await store.recordFailure(modelId, failure, nowMs);
      } catch (error) {
        if (!isStorageUnavailable(error)) throw error;
        log.warn({ err: error, model: modelId }, "storage unavailable: model failure not recorded");
        return { state: "ready", availableAtMs: undefined, lastError: "", consecutiveFailures: 0 };
      }
    },
    getHealth: (modelId, nowMs) => store.getHealth(modelId, nowMs),
  };
}

/**
 * The rate limits for a stateless answer: while the shared counters are unreachable a request
 * is let through (fail open), never counted per instance; each such pass is logged at warn and
 * counted in `rateLimitFailOpenTotal`. Other errors pass through.
 */
export function failOpenRateLimits(limiter: RateLimiter, log: Logger): RateLimiter {
  return {
    async take(key, max, windowMs, nowMs) {
      try {
        return await limiter.take(key, max, windowMs, nowMs);
      } catch (error) {
        if (!isStorageUnavailable(error)) throw error;
        const counters = countRateLimitFailOpen();
        log.warn(
          { err: error, rateLimitKey: key, ...counters },
          "storage unavailable: rate limit not checked (fail open)",
        );
        return { allowed: true, retryAfterMs: 0 };
      }
    },
    remaining: (key, max, windowMs, nowMs) => limiter.remaining(key, max, windowMs, nowMs),
  };
}
