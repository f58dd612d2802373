import type { ModelStateStore } from "../model-state-store.js";
import type { ModelAdmission, ModelFailure, ModelHealth } from "../records.js";

interface ModelEntry {
  health: ModelHealth;
  /** While a granted probe is exclusive, epoch milliseconds; 0 when none is out. */
  probeLeaseUntilMs: number;
}

const READY: ModelHealth = Object.freeze({
  state: "ready",
  availableAtMs: undefined,
  lastError: "",
  consecutiveFailures: 0,
});

/**
 * Creates the in-memory circuit breaker of every model. Each method decides synchronously, so
 * concurrent callers in this process see one order and exactly one of them gets the probe.
 *
 * Decisions beyond the interface:
 * - While a probe lease is out, `admit` answers `cooling_down` with the lease's end as
 *   `availableAtMs`, and `getHealth` reports that time too.
 * - A disabled model stays disabled when an ordinary failure is recorded after (a request that
 *   was already in flight); only `recordSuccess` makes it ready again.
 * - `recordSuccess` keeps `lastError`, so that `ListModels` still shows the last failure.
 * - A `retryAfterMs` is taken as it is, not capped by `maxCooldownMs`.
 */
export function createMemoryModelStateStore(): ModelStateStore {
  const models = new Map<string, ModelEntry>();

  return {
    async admit(modelId: string, nowMs: number, probeLeaseMs: number): Promise<ModelAdmission> {
      const entry = models.get(modelId);
      if (entry === undefined) return { kind: "ready" };
      const { health } = entry;
      if (health.state === "ready") return { kind: "ready" };
      if (health.state === "disabled") return { kind: "disabled" };
      const availableAtMs = health.availableAtMs ?? 0;
      if (nowMs < availableAtMs) return { kind: "cooling_down", availableAtMs };
      if (nowMs < entry.probeLeaseUntilMs) {
        return { kind: "cooling_down", availableAtMs: entry.probeLeaseUntilMs };
      }
      entry.probeLeaseUntilMs = nowMs + probeLeaseMs;
      return { kind: "probe" };
    },

    async recordSuccess(modelId: string) {
      const entry = models.get(modelId);
      if (entry === undefined) return;
      entry.health = Object.freeze({ ...READY, lastError: entry.health.lastError });
      entry.probeLeaseUntilMs = 0;
    },

    async recordFailure(modelId: string, failure: ModelFailure, nowMs: number) {
      const previous = models.get(modelId)?.health ?? READY;
      const consecutiveFailures = previous.consecutiveFailures + 1;
      let health: ModelHealth;
      if (failure.disable || previous.state === "disabled") {
        health = {
          state: "disabled",
          availableAtMs: undefined,
          lastError: failure.reason,
          consecutiveFailures,
        };
      } else {
        const cooldownMs =
          failure.retryAfterMs ??
          Math.min(failure.cooldownMs * 2 ** (consecutiveFailures - 1), failure.maxCooldownMs);
        health = {
          state: "cooling_down",
          availableAtMs: nowMs + cooldownMs,
          lastError: failure.reason,
          consecutiveFailures,
        };
      }
      const frozen = Object.freeze(health);
      models.set(modelId, { health: frozen, probeLeaseUntilMs: 0 });
      return frozen;
    },

    async getHealth(modelId: string, nowMs: number) {
      const entry = models.get(modelId);
      if (entry === undefined) return READY;
      if (entry.health.state === "cooling_down" && nowMs < entry.probeLeaseUntilMs) {
        return Object.freeze({ ...entry.health, availableAtMs: entry.probeLeaseUntilMs });
      }
      return entry.health;
    },
  };
}
