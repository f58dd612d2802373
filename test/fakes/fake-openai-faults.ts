import {
  COMMON_FAULT_KINDS,
  type CommonFault,
  type ConnectionFaultName,
  faultNameOf,
  numberAfter,
  parseCommonFault,
  type RetryableFaultName,
} from "./fake-common-faults.js";
import { type EchoFault, type EchoFaultName, parseEchoFault } from "./fake-echo-faults.js";

/**
 * The behaviours of the fake OpenAI server, chosen by the request's `model` (tensorzero style):
 * the model name is `<fault>` or `<fault>:<tag>` — the tag only makes a distinct model with its
 * own counters. A model name that is no fault (e.g. "gpt-4o-mini") answers normally. "First"
 * counts the requests for that exact model name since its fault was (re)set.
 */
export type FakeFaultName =
  /** A normal streamed answer: role chunk, ~5 content chunks, finish, usage, [DONE]. */
  | "ok"
  /** See `RetryableFaultName`. */
  | RetryableFaultName
  /** Every request 503. */
  | "always-503"
  /** Every request answers this status (5xx: server_error body; 4xx: invalid_request body). */
  | `status-${number}`
  /** Every request 429 without Retry-After. */
  | "always-429"
  /** Every request 429 `insufficient_quota`. */
  | "insufficient-quota"
  /** Every request 401 `invalid_api_key`. */
  | "unauthorized"
  /** Every request 400 `context_length_exceeded`. */
  | "context-length"
  /** Every request 400 Azure-style `content_filter` with its message. */
  | "content-filter"
  /** See `ConnectionFaultName`: reset-before-headers, no-response, cut- and stall-mid-stream. */
  | ConnectionFaultName
  /** Headers and the role chunk at once, the first text after 3 s (or `<ms>`), then ok. */
  | "slow-first-token"
  | `slow-first-token-${number}`
  /** Two content chunks, then the body ends cleanly without finish_reason or [DONE]. */
  | "end-mid-stream"
  /** One `data: {not json` event among good chunks, then a proper finish. */
  | "malformed-chunk"
  /** n malformed events among good chunks, then a proper finish. */
  | `malformed-chunks-${number}`
  /** The whole answer, finish_reason and usage chunks, then the connection held open. */
  | "no-done"
  /** The whole answer and the finish_reason chunk, then the connection held open. */
  | "no-usage-no-done"
  /** The whole answer, then `data: [DONE]` and the end 200 ms (or `<ms>`) after the usage. */
  | "late-done"
  | `late-done-${number}`
  /** Every request 401 with Azure's "Access denied due to invalid subscription key" body. */
  | "azure-unauthorized"
  /** Every request 429 with Azure's body, `retry-after: 2` and `retry-after-ms: 1500`. */
  | "azure-rate-limited"
  /** Two content chunks, then `finish_reason: "content_filter"` (Azure cutting an answer). */
  | "content-filter-mid-stream"
  /** The usage in the finish chunk, no usage chunk (Mistral, Together, Cerebras). */
  | "usage-in-finish-chunk"
  /** The usage in the finish chunk's `x_groq.usage` (Groq's older streams). */
  | "x-groq-usage"
  /** See `EchoFaultName`: errors that write the request, credentials included, back. */
  | EchoFaultName;

/** A fault resolved to what to do for one request. */
export type FakeFault =
  | { readonly kind: "ok" }
  | CommonFault
  | { readonly kind: "error-body"; readonly name: ErrorFault }
  | { readonly kind: "no-done" | "no-usage-no-done" }
  | { readonly kind: "late-done"; readonly delayMs: number }
  | { readonly kind: "content-filter-mid-stream" | "usage-in-finish-chunk" | "x-groq-usage" }
  | EchoFault;

export type ErrorFault =
  | "always-429"
  | "insufficient-quota"
  | "unauthorized"
  | "context-length"
  | "content-filter"
  | "azure-unauthorized"
  | "azure-rate-limited";

/** Resolves a fault name (or a model name `<fault>:<tag>`); unknown names are "ok". */
export function parseFault(name: string): FakeFault {
  const fault = faultNameOf(name);
  const echo = parseEchoFault(fault);
  if (echo !== undefined) return echo;
  const common = parseCommonFault(fault, {
    kinds: COMMON_FAULT_KINDS,
    anyStatus: true,
    malformedUnit: "chunk",
  });
  if (common !== undefined) return common;
  switch (fault) {
    case "always-429":
    case "insufficient-quota":
    case "unauthorized":
    case "context-length":
    case "content-filter":
    case "azure-unauthorized":
    case "azure-rate-limited":
      return { kind: "error-body", name: fault };
    case "content-filter-mid-stream":
    case "usage-in-finish-chunk":
    case "x-groq-usage":
    case "no-done":
    case "no-usage-no-done":
      return { kind: fault };
    case "late-done":
      return { kind: "late-done", delayMs: 200 };
    default:
      break;
  }
  const lateDoneMs = numberAfter(fault, "late-done-");
  if (lateDoneMs !== undefined) return { kind: "late-done", delayMs: lateDoneMs };
  return { kind: "ok" };
}
