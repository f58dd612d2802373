import type { ModelAdmission, ModelFailure, ModelHealth, RateLimitDecision } from "./records.js";

/**
 * Health of each model, shared by every request (and, with Valkey, every instance): the circuit
 * breaker behind cooldowns. A model is ready, cooling down until a time, or disabled. When a
 * cooldown has passed, exactly one request is admitted as a probe (half-open); its success makes
 * the model ready, its failure re-opens the cooldown with a doubled wait.
 */
export interface ModelStateStore {
  /**
   * Decides whether a request may use the model at `nowMs`. Grants the probe to one caller only:
   * the grant holds for `probeLeaseMs`, after which another caller may probe.
   */
  admit(modelId: string, nowMs: number, probeLeaseMs: number): Promise<ModelAdmission>;
  /** Marks the model ready and clears its failure count. */
  recordSuccess(modelId: string): Promise<void>;
  /**
   * Opens (or re-opens) the cooldown: `retryAfterMs` when given, otherwise
   * `min(cooldownMs * 2^(consecutiveFailures - 1), maxCooldownMs)`; or disables the model.
   */
  recordFailure(modelId: string, failure: ModelFailure, nowMs: number): Promise<ModelHealth>;
  /** The current health of the model (ready when never seen). */
  getHealth(modelId: string, nowMs: number): Promise<ModelHealth>;
}

/**
 * Fixed-window request counters: `max` requests per window of `windowMs`, exact for every
 * caller sharing the store.
 */
export interface RateLimiter {
  /** Takes one request from the key's current window if any is left. */
  take(key: string, max: number, windowMs: number, nowMs: number): Promise<RateLimitDecision>;
  /** How many requests the key's current window still has, without taking one. */
  remaining(key: string, max: number, windowMs: number, nowMs: number): Promise<number>;
}
