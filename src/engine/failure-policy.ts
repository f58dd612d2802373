import type { RestoreConfig } from "../config/gateway-config.js";
import type { FailureKind } from "../providers/provider-error.js";

/** How the same model may be tried again after a failure, before any text was delivered. */
export type RetryRule =
  /** Exponential backoff with full jitter, up to `retry.maxRetries`. */
  | "backoff"
  /** Only when the provider named a `Retry-After` no longer than `retry.maxRetryAfterMs`. */
  | "retry_after"
  /** Never: the same model would fail the same way (or stay silent again). */
  | "never";

/** What happens to the request once the model has given up. */
export type NextStep =
  /** Try the next model of the route. */
  | "fall_over"
  /** End the request with the provider's reason: another model would not change the answer. */
  | "stop";

/** Which `restore` timer cools the model down, or `disable` / `none`. */
export type CooldownRule = keyof Omit<RestoreConfig, "maxMs" | "probeLeaseMs"> | "disable" | "none";

/** The decision for one failure kind. */
export interface FailurePolicy {
  readonly retry: RetryRule;
  readonly cooldown: CooldownRule;
  readonly next: NextStep;
}

/**
 * The policy table (DESIGN §2 "Models, fallback and cooldown"). Every decision the engine takes
 * after a failure is read from here, never from error strings.
 */
export const failurePolicies: Readonly<Record<FailureKind, FailurePolicy>> = Object.freeze({
  overloaded: {
    retry: "backoff",
    cooldown: "providerErrorMs",
    next: "fall_over",
  },
  unreachable: {
    retry: "backoff",
    cooldown: "providerCommunicationErrorMs",
    next: "fall_over",
  },
  rate_limited: {
    retry: "retry_after",
    cooldown: "rateLimitMs",
    next: "fall_over",
  },
  // A silent model is not asked again: it would most likely cost the caller the same wait.
  timeout: { retry: "never", cooldown: "timeoutMs", next: "fall_over" },
  // Our key is wrong: nothing will work until an operator fixes the configuration.
  unauthorized: { retry: "never", cooldown: "disable", next: "fall_over" },
  // Not the model's fault: no cooldown, but this model cannot take this conversation.
  context_too_long: {
    retry: "never",
    cooldown: "none",
    next: "fall_over",
  },
  content_filtered: { retry: "never", cooldown: "none", next: "stop" },
  rejected: { retry: "never", cooldown: "none", next: "stop" },
  malformed: {
    retry: "never",
    cooldown: "providerErrorMs",
    next: "fall_over",
  },
  interrupted: {
    retry: "never",
    cooldown: "providerErrorMs",
    next: "fall_over",
  },
});
