import type { Logger } from "pino";
import { type AttemptRecord, GatewayError } from "../gateway-error.js";
import { ProviderError } from "../providers/provider-error.js";
import type { SecretRedactor } from "../secrets/secret-registry.js";
import { fullJitterDelayMs } from "./backoff.js";
import type { FailurePolicy } from "./failure-policy.js";
import type { GenerationDeps } from "./generate-answer.js";

/** How long to wait before retrying the same model, or undefined to give up on it. */
export function retryWaitMs(
  policy: FailurePolicy,
  failure: ProviderError,
  retry: number,
  deps: GenerationDeps,
): number | undefined {
  if (retry > deps.retry.maxRetries || policy.retry === "never") return undefined;
  const retryAfterMs = failure.retryAfterMs;
  if (retryAfterMs !== undefined) {
    // Honour the provider's wait when it is short; a long one means: go elsewhere.
    return retryAfterMs <= deps.retry.maxRetryAfterMs ? retryAfterMs : undefined;
  }
  if (policy.retry === "retry_after") return undefined;
  return fullJitterDelayMs(retry, deps.retry.baseDelayMs, deps.retry.maxDelayMs, deps.random);
}

/**
 * Records a model's final failure in the shared model state as the policy says: a cooldown of
 * the `restore` time for its kind (doubled per consecutive failure), disabling it, or nothing;
 * a probe that ends without a cooldown marks the model ready again.
 */
export async function recordFailure(
  modelId: string,
  policy: FailurePolicy,
  failure: ProviderError,
  isProbe: boolean,
  deps: GenerationDeps,
  log: Logger,
): Promise<void> {
  if (policy.cooldown === "none") {
    if (isProbe) await deps.modelStates.recordSuccess(modelId);
    return;
  }
  const disable = policy.cooldown === "disable";
  if (disable) {
    log.error({ err: failure }, "provider refused the credentials; model disabled until restart");
  }
  await deps.modelStates.recordFailure(
    modelId,
    {
      reason: failure.message,
      cooldownMs: disable ? 0 : deps.restore[policy.cooldown],
      maxCooldownMs: deps.restore.maxMs,
      retryAfterMs: failure.retryAfterMs,
      disable,
    },
    deps.now(),
  );
}

/**
 * Every failure becomes a `ProviderError`; anything else escaping a provider is a bug there.
 * Its message, which becomes the attempt's reason (shown to callers, kept as the model's last
 * error), has every configured secret replaced: an upstream may echo our keys in its error.
 */
export function classify(
  error: unknown,
  modelId: string,
  log: Logger,
  secrets: SecretRedactor,
): ProviderError {
  if (!(error instanceof ProviderError)) {
    log.error({ err: error }, "provider threw an unclassified error");
    return new ProviderError("malformed", `${modelId} failed unexpectedly`, { cause: error });
  }
  const message = secrets.redact(error.message);
  if (message === error.message) return error;
  const { status, retryAfterMs, cause } = error;
  return new ProviderError(error.kind, message, { status, retryAfterMs, cause });
}

/** The error for a provider's refusal, carrying its reason and the attempts so far. */
export function refusal(failure: ProviderError, attempts: readonly AttemptRecord[]): GatewayError {
  const code = failure.kind === "content_filtered" ? "failed_precondition" : "invalid_argument";
  return new GatewayError(code, failure.message, { attempts, cause: failure });
}
