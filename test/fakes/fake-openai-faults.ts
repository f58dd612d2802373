/**
 * The behaviours of the fake OpenAI server, chosen by the request's `model` (tensorzero style):
 * the model name is `<fault>` or `<fault>:<tag>` — the tag only makes a distinct model with its
 * own counters. A model name that is no fault (e.g. "gpt-4o-mini") answers normally. "First"
 * counts the requests for that exact model name since its fault was (re)set.
 */
export type FakeFaultName =
  /** A normal streamed answer: role chunk, ~5 content chunks, finish, usage, [DONE]. */
  | "ok"
  /** First request 500 (server_error body), then ok. */
  | "fail-once-500"
  /** The first n requests 503 (overloaded body), then ok. */
  | `down-until-${number}`
  /** Every request 503. */
  | "always-503"
  /** Every request answers this status (5xx: server_error body; 4xx: invalid_request body). */
  | `status-${number}`
  /** First request 429 with `Retry-After: <s>` (rate_limit_exceeded body), then ok. */
  | `rate-limited-retry-after-${number}`
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
  /** The socket is destroyed when the request arrives: no status, no headers. */
  | "reset-before-headers"
  /** The request is accepted and never answered. */
  | "no-response"
  /** Headers and the role chunk at once, the first text after 3 s (or `<ms>`), then ok. */
  | "slow-first-token"
  | `slow-first-token-${number}`
  /** Two content chunks, then the socket is destroyed. */
  | "cut-mid-stream"
  /** Two content chunks, then the body ends cleanly without finish_reason or [DONE]. */
  | "end-mid-stream"
  /** Two content chunks, then silence with the connection open. */
  | "stall-mid-stream"
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
  | "x-groq-usage";

/** A fault resolved to what to do for one request. */
export type FakeFault =
  | { readonly kind: "ok" }
  | { readonly kind: "status"; readonly status: number; readonly firstRequests: number }
  | { readonly kind: "retry-after"; readonly seconds: number }
  | { readonly kind: "error-body"; readonly name: ErrorFault }
  | { readonly kind: "reset-before-headers" }
  | { readonly kind: "no-response" }
  | { readonly kind: "slow-first-token"; readonly delayMs: number }
  | { readonly kind: "cut-mid-stream" }
  | { readonly kind: "end-mid-stream" }
  | { readonly kind: "stall-mid-stream" }
  | { readonly kind: "malformed"; readonly count: number }
  | { readonly kind: "no-done" }
  | { readonly kind: "no-usage-no-done" }
  | { readonly kind: "late-done"; readonly delayMs: number }
  | { readonly kind: "content-filter-mid-stream" }
  | { readonly kind: "usage-in-finish-chunk" }
  | { readonly kind: "x-groq-usage" };

export type ErrorFault =
  | "always-429"
  | "insufficient-quota"
  | "unauthorized"
  | "context-length"
  | "content-filter"
  | "azure-unauthorized"
  | "azure-rate-limited";

const EVERY_REQUEST = Number.POSITIVE_INFINITY;

/** Resolves a fault name (or a model name `<fault>:<tag>`); unknown names are "ok". */
export function parseFault(name: string): FakeFault {
  const fault = name.split(":", 1)[0] ?? "";
  const numberAfter = (prefix: string): number | undefined => {
    if (!fault.startsWith(prefix)) return undefined;
    const value = fault.slice(prefix.length);
    return /^\d+$/.test(value) ? Number(value) : undefined;
  };
  switch (fault) {
    case "fail-once-500":
      return { kind: "status", status: 500, firstRequests: 1 };
    case "always-503":
      return { kind: "status", status: 503, firstRequests: EVERY_REQUEST };
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
      return { kind: fault };
    case "reset-before-headers":
    case "no-response":
    case "cut-mid-stream":
    case "end-mid-stream":
    case "stall-mid-stream":
    case "no-done":
    case "no-usage-no-done":
      return { kind: fault };
    case "slow-first-token":
      return { kind: "slow-first-token", delayMs: 3000 };
    case "malformed-chunk":
      return { kind: "malformed", count: 1 };
    case "late-done":
      return { kind: "late-done", delayMs: 200 };
    default:
      break;
  }
  const downUntil = numberAfter("down-until-");
  if (downUntil !== undefined) return { kind: "status", status: 503, firstRequests: downUntil };
  const status = numberAfter("status-");
  if (status !== undefined) return { kind: "status", status, firstRequests: EVERY_REQUEST };
  const seconds = numberAfter("rate-limited-retry-after-");
  if (seconds !== undefined) return { kind: "retry-after", seconds };
  const delayMs = numberAfter("slow-first-token-");
  if (delayMs !== undefined) return { kind: "slow-first-token", delayMs };
  const lateDoneMs = numberAfter("late-done-");
  if (lateDoneMs !== undefined) return { kind: "late-done", delayMs: lateDoneMs };
  const malformed = numberAfter("malformed-chunks-");
  if (malformed !== undefined) return { kind: "malformed", count: malformed };
  return { kind: "ok" };
}
