import {
  COMMON_FAULT_KINDS,
  type CommonFault,
  type ConnectionFaultName,
  faultNameOf,
  parseCommonFault,
  type RetryableFaultName,
} from "../fake-common-faults.js";
import { type EchoFault, type EchoFaultName, parseEchoFault } from "../fake-echo-faults.js";

/**
 * The behaviours of the fake Anthropic server, chosen by the request's `model` (tensorzero
 * style, the same vocabulary as the fake OpenAI server where it applies): the model name is
 * `<fault>` or `<fault>:<tag>` — the tag only makes a distinct model with its own counters. A
 * model name that is no fault (e.g. "claude-sonnet-4-5") answers normally. "First" counts the
 * requests for that exact model name since its fault was (re)set. The retryable faults answer
 * 500 `api_error`, 529 `overloaded_error`, and 429 `rate_limit_error` with `retry-after: <s>`.
 */
export type FakeAnthropicFaultName =
  /** A normal answer: message_start, a text block in ~5 deltas with a ping, message_delta, message_stop. */
  | "ok"
  /** See `RetryableFaultName`. */
  | RetryableFaultName
  /** Every request 529 `overloaded_error`. */
  | "always-529"
  /** Every request answers this status (529: overloaded_error; 5xx: api_error; 4xx: invalid_request_error). */
  | `status-${number}`
  /** Every request 429 `rate_limit_error` without retry-after. */
  | "always-429"
  /** Every request 401 `authentication_error`. */
  | "unauthorized"
  /** Every request 403 `permission_error`. */
  | "permission-denied"
  /** Every request 404 `not_found_error` (an unknown model). */
  | "not-found"
  /** Every request 400 `invalid_request_error` "prompt is too long: …". */
  | "prompt-too-long"
  /** Every request 413 `request_too_large`. */
  | "request-too-large"
  /** See `ConnectionFaultName`: reset-before-headers, no-response, cut- and stall-mid-stream. */
  | ConnectionFaultName
  /** Headers and message_start at once, the first text after 3 s (or `<ms>`), then ok. */
  | "slow-first-token"
  | `slow-first-token-${number}`
  /** Two text deltas, then the body ends cleanly without message_delta or message_stop. */
  | "end-mid-stream"
  /** Two text deltas, then `event: error` overloaded_error and the end of the body. */
  | "error-event-mid-stream"
  /** One `data: {not json` event among good events, then a proper end. */
  | "malformed-event"
  /** n malformed events among good events, then a proper end. */
  | `malformed-events-${number}`
  /** The answer ends with stop_reason `refusal`. */
  | "refusal"
  /** The answer ends with stop_reason `max_tokens`. */
  | "max-tokens"
  /** The answer ends with stop_reason `stop_sequence`. */
  | "stop-sequence"
  /** The answer ends with stop_reason `model_context_window_exceeded`. */
  | "context-window-exceeded"
  /** An extended-thinking block (thinking and signature deltas) before the text block. */
  | "thinking"
  /** message_start reports prompt-cache counts (creation 7, read 100). */
  | "cached"
  /** message_delta with the stop reason, then the connection held open without message_stop. */
  | "no-message-stop"
  /** See `EchoFaultName`: errors that write the request, credentials included, back. */
  | EchoFaultName;

/** A fault resolved to what to do for one request. */
export type FakeAnthropicFault =
  | { readonly kind: "ok" }
  | CommonFault
  | { readonly kind: "error-body"; readonly name: ErrorFault }
  | { readonly kind: "error-event-mid-stream" | "thinking" | "cached" | "no-message-stop" }
  | { readonly kind: "stop-reason"; readonly reason: string }
  | EchoFault;

export type ErrorFault =
  | "always-429"
  | "unauthorized"
  | "permission-denied"
  | "not-found"
  | "prompt-too-long"
  | "request-too-large";

const STOP_REASONS: Readonly<Record<string, string>> = {
  refusal: "refusal",
  "max-tokens": "max_tokens",
  "stop-sequence": "stop_sequence",
  "context-window-exceeded": "model_context_window_exceeded",
};

/** Resolves a fault name (or a model name `<fault>:<tag>`); unknown names are "ok". */
export function parseAnthropicFault(name: string): FakeAnthropicFault {
  const fault = faultNameOf(name);
  const echo = parseEchoFault(fault);
  if (echo !== undefined) return echo;
  const stopReason = STOP_REASONS[fault];
  if (stopReason !== undefined) return { kind: "stop-reason", reason: stopReason };
  const common = parseCommonFault(fault, {
    kinds: COMMON_FAULT_KINDS,
    overloadedStatus: 529,
    anyStatus: true,
    malformedUnit: "event",
  });
  if (common !== undefined) return common;
  switch (fault) {
    case "always-429":
    case "unauthorized":
    case "permission-denied":
    case "not-found":
    case "prompt-too-long":
    case "request-too-large":
      return { kind: "error-body", name: fault };
    case "error-event-mid-stream":
    case "thinking":
    case "cached":
    case "no-message-stop":
      return { kind: fault };
    default:
      return { kind: "ok" };
  }
}
