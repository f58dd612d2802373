import type { GeminiErrorFixture } from "./gemini-fixtures.js";

/**
 * The behaviours of the fake Gemini server, chosen by the model name in the request path
 * (tensorzero style): `<fault>` or `<fault>:<tag>` — the tag only makes a distinct model with
 * its own counters. A model name that is no fault (e.g. "gemini-2.0-flash") answers normally.
 * "First" counts the requests for that exact model name since its fault was (re)set.
 */
export type FakeGeminiFaultName =
  /** A normal answer: ~5 text chunks with cumulative usage, the last one with finishReason STOP. */
  | "ok"
  /** First request 500 INTERNAL, then ok. */
  | "fail-once-500"
  /** The first n requests 503 UNAVAILABLE, then ok. */
  | `down-until-${number}`
  /** Every request 503 UNAVAILABLE. */
  | "always-503"
  /** First request 429 RESOURCE_EXHAUSTED with RetryInfo `retryDelay: "<s>s"` (no header), then ok. */
  | `rate-limited-retry-after-${number}`
  /** Every request 429 RESOURCE_EXHAUSTED without RetryInfo. */
  | "always-429"
  /** Every request 400 INVALID_ARGUMENT, ErrorInfo reason API_KEY_INVALID. */
  | "unauthorized"
  /** Every request 403 PERMISSION_DENIED. */
  | "permission-denied"
  /** Every request 404 NOT_FOUND (unknown model). */
  | "not-found"
  /** Every request 400 "input token count … exceeds the maximum number of tokens allowed". */
  | "context-length"
  /** Every request 400 INVALID_ARGUMENT about a request field. */
  | "invalid-argument"
  /** Every request 504 DEADLINE_EXCEEDED. */
  | "deadline-exceeded"
  /** 200 with `promptFeedback.blockReason: SAFETY` and no candidates. */
  | "safety-block"
  /** Two text chunks, then finishReason SAFETY without content. */
  | "safety-finish"
  /** Two text chunks, then finishReason RECITATION without content. */
  | "recitation"
  /** The whole answer, finishReason MAX_TOKENS. */
  | "max-tokens"
  /** A thought part (`thought: true`) first, then the answer; usage has thoughtsTokenCount 5. */
  | "thoughts"
  /** The socket is destroyed when the request arrives: no status, no headers. */
  | "reset-before-headers"
  /** The request is accepted and never answered. */
  | "no-response"
  /** Two text chunks, then the socket is destroyed. */
  | "cut-mid-stream"
  /** Two text chunks, then silence with the connection open. */
  | "stall-mid-stream"
  /** Every text chunk, then the body ends without a finishReason. */
  | "no-finish-reason"
  /** One `data: {not json` event among good chunks, then a proper finish. */
  | "malformed-event"
  /** n malformed events among good chunks, then a proper finish. */
  | `malformed-events-${number}`
  /** Two text chunks, then an in-stream `{"error": …}` event (500 INTERNAL), then the end. */
  | "stream-error"
  /** The answer with finishReason but no usage on the last chunk, then the connection held open. */
  | "hold-after-finish"
  /** The whole answer, then the end of the body 200 ms later. */
  | "late-end";

/** A fault resolved to what to do for one request. */
export type FakeGeminiFault =
  | { readonly kind: "ok" }
  | { readonly kind: "status"; readonly status: 500 | 503; readonly firstRequests: number }
  | { readonly kind: "retry-after"; readonly seconds: number }
  | { readonly kind: "error-body"; readonly status: number; readonly fixture: GeminiErrorFixture }
  | { readonly kind: "safety-block" }
  | { readonly kind: "finish"; readonly reason: string; readonly afterPieces: number }
  | { readonly kind: "thoughts" }
  | { readonly kind: "reset-before-headers" }
  | { readonly kind: "no-response" }
  | { readonly kind: "cut-mid-stream" }
  | { readonly kind: "stall-mid-stream" }
  | { readonly kind: "no-finish-reason" }
  | { readonly kind: "malformed"; readonly count: number }
  | { readonly kind: "stream-error" }
  | { readonly kind: "hold-after-finish" }
  | { readonly kind: "late-end" };

const EVERY_REQUEST = Number.POSITIVE_INFINITY;

const ERROR_FAULTS: Readonly<Record<string, { status: number; fixture: GeminiErrorFixture }>> = {
  "always-429": { status: 429, fixture: "resource-exhausted" },
  unauthorized: { status: 400, fixture: "api-key-invalid" },
  "permission-denied": { status: 403, fixture: "permission-denied" },
  "not-found": { status: 404, fixture: "not-found" },
  "context-length": { status: 400, fixture: "context-length" },
  "invalid-argument": { status: 400, fixture: "invalid-argument" },
  "deadline-exceeded": { status: 504, fixture: "deadline-exceeded" },
};

/** Resolves a fault name (or a model name `<fault>:<tag>`); unknown names are "ok". */
export function parseGeminiFault(name: string): FakeGeminiFault {
  const fault = name.split(":", 1)[0] ?? "";
  const numberAfter = (prefix: string): number | undefined => {
    if (!fault.startsWith(prefix)) return undefined;
    const value = fault.slice(prefix.length);
    return /^\d+$/.test(value) ? Number(value) : undefined;
  };
  const errorFault = ERROR_FAULTS[fault];
  if (errorFault !== undefined) return { kind: "error-body", ...errorFault };
  switch (fault) {
    case "fail-once-500":
      return { kind: "status", status: 500, firstRequests: 1 };
    case "always-503":
      return { kind: "status", status: 503, firstRequests: EVERY_REQUEST };
    case "safety-finish":
      return { kind: "finish", reason: "SAFETY", afterPieces: 2 };
    case "recitation":
      return { kind: "finish", reason: "RECITATION", afterPieces: 2 };
    case "max-tokens":
      return { kind: "finish", reason: "MAX_TOKENS", afterPieces: EVERY_REQUEST };
    case "malformed-event":
      return { kind: "malformed", count: 1 };
    case "safety-block":
    case "thoughts":
    case "reset-before-headers":
    case "no-response":
    case "cut-mid-stream":
    case "stall-mid-stream":
    case "no-finish-reason":
    case "stream-error":
    case "hold-after-finish":
    case "late-end":
      return { kind: fault };
    default:
      break;
  }
  const downUntil = numberAfter("down-until-");
  if (downUntil !== undefined) return { kind: "status", status: 503, firstRequests: downUntil };
  const seconds = numberAfter("rate-limited-retry-after-");
  if (seconds !== undefined) return { kind: "retry-after", seconds };
  const malformed = numberAfter("malformed-events-");
  if (malformed !== undefined) return { kind: "malformed", count: malformed };
  return { kind: "ok" };
}
