import { setTimeout as delay } from "node:timers/promises";
import type { Logger } from "pino";
import type {
  MidStreamFailurePolicy,
  ModelConfig,
  RestoreConfig,
  RetryConfig,
  TimeoutConfig,
} from "../config/gateway-config.js";
import { type AttemptRecord, GatewayError } from "../gateway-error.js";
import type {
  ChatMessage,
  ChatOptions,
  ChatProvider,
  FinishReason,
} from "../providers/chat-provider.js";
import { ProviderError } from "../providers/provider-error.js";
import type { SecretRedactor } from "../secrets/secret-registry.js";
import type { ModelStateStore, RateLimiter } from "../storage/model-state-store.js";
import type { AnswerResult, StreamEventPayload } from "../storage/records.js";
import { linkAbort, throwIfAborted } from "./abort.js";
import { classify, recordFailure, refusal, retryWaitMs } from "./apply-failure-policy.js";
import { createContextFit } from "./context-fit.js";
import { failurePolicies } from "./failure-policy.js";
import { withEventTimeouts } from "./with-event-timeouts.js";

/**
 * What a generation yields: the stream events after `started`, ending with `completed`, or a
 * thrown `GatewayError`. They are the stored stream events, so a stream appends them as they are.
 */
export type GenerationEvent = Exclude<StreamEventPayload, { readonly type: "started" }>;

/** One answer to produce: the conversation, its options and the route of models. */
export interface GenerationRequest {
  readonly messages: readonly ChatMessage[];
  readonly options: ChatOptions;
  readonly route: readonly ModelConfig[];
}

/** What the generation loop needs from the rest of the engine. */
export interface GenerationDeps {
  readonly providers: ReadonlyMap<string, ChatProvider>;
  readonly modelStates: ModelStateStore;
  readonly rateLimits: RateLimiter;
  readonly retry: RetryConfig;
  readonly restore: RestoreConfig;
  readonly timeouts: TimeoutConfig;
  readonly midStreamFailure: MidStreamFailurePolicy;
  readonly log: Logger;
  readonly now: () => number;
  readonly random: () => number;
  /** Hides configured secrets in failure reasons (see `classify`). */
  readonly secrets: SecretRedactor;
}

const answerResults: Readonly<Record<FinishReason, AnswerResult>> = {
  stop: "complete",
  length: "max_tokens",
  content_filter: "content_filter",
  unknown: "unknown",
};

/** A model that failed after its text reached the consumer. */
interface CommittedFailure {
  readonly model: string;
  readonly reason: string;
}

/**
 * Walks the route: skips models that are cooling down, disabled or over their rate limit,
 * retries transient failures on the same model (only before it sent text), falls over
 * otherwise, and past the commit point (text already delivered) announces the next model with
 * `model_switched`. Throws `GatewayError`: `unavailable` with every attempt when no model could
 * answer, `failed_precondition`/`invalid_argument` when a provider refused, `canceled` or
 * `deadline_exceeded` (the signal's reason, when it is a `GatewayError`) when `signal` aborts.
 */
export async function* generateAnswer(
  request: GenerationRequest,
  deps: GenerationDeps,
  signal: AbortSignal,
): AsyncGenerator<GenerationEvent> {
  const attempts: AttemptRecord[] = [];
  let deliveredText = "";
  let committedFailure: CommittedFailure | undefined;
  let retryAfterHintMs: number | undefined;
  const hint = (ms: number) => {
    retryAfterHintMs = Math.min(retryAfterHintMs ?? ms, ms);
  };

  const contextFit = createContextFit(request.messages);

  for (const model of request.route) {
    const tooSmall = contextFit.reasonToSkip(model);
    if (tooSmall !== undefined) {
      attempts.push(skipped(model.id, "skipped_context_too_small", tooSmall));
      continue;
    }
    const admission = await deps.modelStates.admit(model.id, deps.now(), deps.restore.probeLeaseMs);
    if (admission.kind === "disabled") {
      attempts.push(
        skipped(
          model.id,
          "skipped_disabled",
          "disabled after its provider refused the credentials",
        ),
      );
      continue;
    }
    if (admission.kind === "cooling_down") {
      hint(admission.availableAtMs - deps.now());
      const until = new Date(admission.availableAtMs).toISOString();
      attempts.push(skipped(model.id, "skipped_cooling_down", `cooling down until ${until}`));
      continue;
    }
    const isProbe = admission.kind === "probe";
    const provider = deps.providers.get(model.provider);
    if (!provider) throw new GatewayError("internal", `no provider for ${model.id}`);
    const log = deps.log.child({ model: model.id });

    for (let retry = 0; ; retry++) {
      throwIfAborted(signal, attempts);
      const limit = model.limits.rate;
      if (limit) {
        const decision = await deps.rateLimits.take(
          model.id,
          limit.max,
          limit.timeWindowMs,
          deps.now(),
        );
        if (!decision.allowed) {
          hint(decision.retryAfterMs);
          const reason = `its rate limit of ${limit.max} per ${limit.timeWindowMs} ms is used up`;
          attempts.push(skipped(model.id, "skipped_rate_limited", reason));
          break;
        }
      }
      const prefill =
        committedFailure && deps.midStreamFailure === "continue" && canPrefill(model, provider)
          ? deliveredText
          : undefined;
      const startedAt = deps.now();
      const controller = new AbortController();
      const unlink = linkAbort(signal, controller);
      let sentText = false;
      try {
        const upstream = provider.streamChat(
          { messages: request.messages, options: capOptions(request.options, model), prefill },
          {
            model: model.model,
            signal: controller.signal,
            log,
            headersTimeoutMs: deps.timeouts.headersMs,
            maxOutputTokens: model.capabilities.maxOutputTokens,
          },
        );
        const events = withEventTimeouts(upstream, {
          firstTokenMs: deps.timeouts.firstTokenMs,
          stallMs: deps.timeouts.stallMs,
          controller,
          modelId: model.id,
        });
        for await (const event of events) {
          if (committedFailure) {
            // Announce the switch only once the new model really produces something.
            yield {
              type: "model_switched",
              fromModel: committedFailure.model,
              toModel: model.id,
              reason: committedFailure.reason,
              discardPreviousText: prefill === undefined,
            };
            if (prefill === undefined) deliveredText = "";
            committedFailure = undefined;
          }
          if (event.type === "delta") {
            sentText = true;
            deliveredText += event.text;
            yield event;
            continue;
          }
          attempts.push({
            model: model.id,
            outcome: "succeeded",
            durationMs: deps.now() - startedAt,
            reason: "",
          });
          if (isProbe) await deps.modelStates.recordSuccess(model.id);
          yield {
            type: "completed",
            result: answerResults[event.reason],
            usage: event.usage,
            model: model.id,
            attempts,
          };
          return;
        }
        throw new ProviderError(
          "interrupted",
          `${model.id} ended its answer without a finish reason`,
        );
      } catch (error) {
        controller.abort();
        throwIfAborted(signal, attempts, model.id, deps.now() - startedAt);
        const failure = classify(error, model.id, log, deps.secrets);
        const policy = failurePolicies[failure.kind];
        attempts.push({
          model: model.id,
          outcome: failure.kind,
          durationMs: deps.now() - startedAt,
          reason: failure.message,
        });
        log.warn({ err: failure, kind: failure.kind, retry, sentText }, "attempt failed");
        if (failure.kind === "context_too_long") contextFit.recordTooLong(model);
        if (policy.next === "stop") {
          if (isProbe) await deps.modelStates.recordSuccess(model.id);
          throw refusal(failure, attempts);
        }
        const waitMs = sentText ? undefined : retryWaitMs(policy, failure, retry + 1, deps);
        if (waitMs !== undefined) {
          await delay(waitMs, undefined, { signal }).catch(() => throwIfAborted(signal, attempts));
          continue;
        }
        await recordFailure(model.id, policy, failure, isProbe, deps, log);
        if (failure.retryAfterMs !== undefined) hint(failure.retryAfterMs);
        if (sentText) {
          if (deps.midStreamFailure === "fail") {
            throw new GatewayError(
              "unavailable",
              `${model.id} failed mid-answer (${failure.message}) and streaming.midStreamFailure is "fail"`,
              { attempts },
            );
          }
          committedFailure = { model: model.id, reason: failure.message };
        }
        break;
      } finally {
        unlink();
      }
    }
  }
  throw new GatewayError("unavailable", unavailableMessage(attempts), {
    attempts,
    retryAfterMs: retryAfterHintMs,
  });
}

function skipped(model: string, outcome: AttemptRecord["outcome"], reason: string): AttemptRecord {
  return { model, outcome, durationMs: 0, reason };
}

/**
 * The request's options with the model's `maxTokens` limit applied, and a requested
 * `maxTokens` above the model's known largest answer lowered to it (the provider would refuse
 * the request otherwise).
 */
function capOptions(options: ChatOptions, model: ModelConfig): ChatOptions {
  const cap = model.limits.maxTokens;
  const largest = model.capabilities.maxOutputTokens;
  let maxTokens = options.maxTokens;
  if (cap !== undefined) maxTokens = Math.min(maxTokens ?? cap, cap);
  if (largest !== undefined && maxTokens !== undefined) maxTokens = Math.min(maxTokens, largest);
  return maxTokens === options.maxTokens ? options : { ...options, maxTokens };
}

/**
 * Whether a mid-answer failure may continue on this model from the text already delivered:
 * its provider must speak assistant prefill, and the model must not be known to refuse it.
 */
function canPrefill(model: ModelConfig, provider: ChatProvider): boolean {
  return provider.supportsPrefill(model.model) && model.capabilities.prefill !== false;
}

function unavailableMessage(attempts: readonly AttemptRecord[]): string {
  if (attempts.length === 0) return "no model is configured for this route";
  const trail = attempts.map((attempt) => `${attempt.model}: ${attempt.reason}`).join("; ");
  return `no model could answer (${trail})`;
}
