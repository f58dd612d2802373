import type { ModelConfig, ModelLimits } from "../config/gateway-config.js";
import type { ModelStateStore, RateLimiter } from "../storage/model-state-store.js";

/** A model's state as `ListModels` reports it. */
export type ModelStatusState = "ready" | "cooling_down" | "rate_limited" | "disabled";

/** One configured model and its current state. */
export interface ModelStatus {
  readonly id: string;
  readonly provider: string;
  readonly name: string;
  readonly state: ModelStatusState;
  /** When a cooling or rate-limited model takes requests again, epoch ms. */
  readonly availableAtMs: number | undefined;
  readonly lastError: string;
  readonly limits: ModelLimits;
}

/** Reads every configured model's state; reading takes nothing from any rate limit. */
export async function listModelStatuses(
  models: readonly ModelConfig[],
  modelStates: ModelStateStore,
  rateLimits: RateLimiter,
  nowMs: number,
): Promise<ModelStatus[]> {
  return Promise.all(
    models.map(async (model): Promise<ModelStatus> => {
      const health = await modelStates.getHealth(model.id, nowMs);
      const base = {
        id: model.id,
        provider: model.provider,
        name: model.model,
        lastError: health.lastError,
        limits: model.limits,
      };
      if (health.state === "disabled")
        return { ...base, state: "disabled", availableAtMs: undefined };
      if (health.state === "cooling_down") {
        return { ...base, state: "cooling_down", availableAtMs: health.availableAtMs };
      }
      const rate = model.limits.rate;
      if (
        rate &&
        (await rateLimits.remaining(model.id, rate.max, rate.timeWindowMs, nowMs)) === 0
      ) {
        const windowEndMs = (Math.floor(nowMs / rate.timeWindowMs) + 1) * rate.timeWindowMs;
        return { ...base, state: "rate_limited", availableAtMs: windowEndMs };
      }
      return { ...base, state: "ready", availableAtMs: undefined };
    }),
  );
}
