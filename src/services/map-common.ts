import { create } from "@bufbuild/protobuf";
import {
  type Attempt,
  AttemptOutcome,
  AttemptSchema,
  type GenerationOptions,
  Result,
  type Usage,
  UsageSchema,
} from "../../gen/switchboard/v1/types_pb.js";
import type { AttemptRecord } from "../gateway-error.js";
import type { ChatOptions } from "../providers/chat-provider.js";
import type { AnswerResult, UsageRecord } from "../storage/records.js";

const results: Readonly<Record<AnswerResult, Result>> = {
  complete: Result.COMPLETE,
  max_tokens: Result.INCOMPLETE_MAX_TOKENS,
  content_filter: Result.INCOMPLETE_CONTENT_FILTER,
  unknown: Result.INCOMPLETE_UNKNOWN,
};

/** Domain result → proto enum. */
export function toProtoResult(result: AnswerResult | undefined): Result {
  return result ? results[result] : Result.UNSPECIFIED;
}

/** Proto enum → domain result; unset maps to undefined. */
export function fromProtoResult(result: Result): AnswerResult | undefined {
  const entry = Object.entries(results).find(([, value]) => value === result);
  return entry?.[0] as AnswerResult | undefined;
}

const outcomes: Readonly<Record<AttemptRecord["outcome"], AttemptOutcome>> = {
  succeeded: AttemptOutcome.SUCCEEDED,
  rate_limited: AttemptOutcome.RATE_LIMITED,
  overloaded: AttemptOutcome.OVERLOADED,
  timeout: AttemptOutcome.TIMEOUT,
  unreachable: AttemptOutcome.UNREACHABLE,
  unauthorized: AttemptOutcome.UNAUTHORIZED,
  rejected: AttemptOutcome.REJECTED,
  context_too_long: AttemptOutcome.CONTEXT_TOO_LONG,
  content_filtered: AttemptOutcome.CONTENT_FILTERED,
  malformed: AttemptOutcome.MALFORMED_RESPONSE,
  interrupted: AttemptOutcome.INTERRUPTED,
  skipped_cooling_down: AttemptOutcome.SKIPPED_COOLING_DOWN,
  skipped_rate_limited: AttemptOutcome.SKIPPED_RATE_LIMITED,
  skipped_disabled: AttemptOutcome.SKIPPED_DISABLED,
  skipped_context_too_small: AttemptOutcome.SKIPPED_CONTEXT_TOO_SMALL,
  canceled: AttemptOutcome.CANCELED,
};

/** The fallback trail as proto messages. */
export function toProtoAttempts(attempts: readonly AttemptRecord[]): Attempt[] {
  return attempts.map((attempt) =>
    create(AttemptSchema, {
      model: attempt.model,
      outcome: outcomes[attempt.outcome],
      durationMs: Math.max(0, Math.round(attempt.durationMs)),
      reason: attempt.reason,
    }),
  );
}

/** Domain usage → proto; undefined when the provider reported none. */
export function toProtoUsage(usage: UsageRecord | undefined): Usage | undefined {
  return usage
    ? create(UsageSchema, { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens })
    : undefined;
}

/** Proto usage → domain. */
export function fromProtoUsage(usage: Usage | undefined): UsageRecord | undefined {
  return usage ? { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens } : undefined;
}

/** Proto generation options → provider-neutral chat options. */
export function fromProtoOptions(options: GenerationOptions | undefined): ChatOptions {
  if (!options) return {};
  return {
    temperature: options.temperature,
    maxTokens: options.maxTokens,
    topP: options.topP,
    stop: options.stop.length > 0 ? options.stop : undefined,
  };
}
