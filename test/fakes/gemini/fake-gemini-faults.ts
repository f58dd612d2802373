import {
  type CommonFault,
  type ConnectionFaultName,
  EVERY_REQUEST,
  faultNameOf,
  parseCommonFault,
  type RetryableFaultName,
} from "../fake-common-faults.js";
import { type EchoFault, type EchoFaultName, parseEchoFault } from "../fake-echo-faults.js";
import type { GeminiErrorFixture } from "./gemini-fixtures.js";

/**
 * The behaviours of the fake Gemini server, chosen by the model name in the request path
 * (tensorzero style): `<fault>` or `<fault>:<tag>` — the tag only makes a distinct model with
 * its own counters. A model name that is no fault (e.g. "gemini-2.0-flash") answers normally.
 * The retryable faults answer 500 INTERNAL, 503 UNAVAILABLE, and 429 RESOURCE_EXHAUSTED with
 * RetryInfo `retryDelay: "<s>s"` (no header).
 * "First" counts the requests for that exact model name since its fault was (re)set.
 */
export type FakeGeminiFaultName =
  /** A normal answer: ~5 text chunks with cumulative usage, the last one with finishReason STOP. */
  | "ok"
  /** See `RetryableFaultName`. */
  | RetryableFaultName
  /** Every request 503 UNAVAILABLE. */
  | "always-503"
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
  /** See `ConnectionFaultName`: reset-before-headers, no-response, cut- and stall-mid-stream. */
  | ConnectionFaultName
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
  | "late-end"
  /** See `EchoFaultName`: errors that write the request, credentials included, back. */
  | EchoFaultName;

/** A fault resolved to what to do for one request. */
export type FakeGeminiFault =
  | { readonly kind: "ok" }
  | Extract<CommonFault, { kind: (typeof COMMON_KINDS)[number] }>
  | { readonly kind: "error-body"; readonly status: number; readonly fixture: GeminiErrorFixture }
  | { readonly kind: "finish"; readonly reason: string; readonly afterPieces: number }
  | { readonly kind: "safety-block" | "thoughts" | "no-finish-reason" | "stream-error" }
  | { readonly kind: "hold-after-finish" | "late-end" }
  | EchoFault;

/** The common faults Gemini has: no `status-<n>`, slow first token, or clean mid-stream end. */
const COMMON_KINDS = [
  "status",
  "retry-after",
  "malformed",
  "reset-before-headers",
  "no-response",
  "cut-mid-stream",
  "stall-mid-stream",
] as const;

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
  const fault = faultNameOf(name);
  const echo = parseEchoFault(fault);
  if (echo !== undefined) return echo;
  const errorFault = ERROR_FAULTS[fault];
  if (errorFault !== undefined) return { kind: "error-body", ...errorFault };
  const common = parseCommonFault(fault, { kinds: COMMON_KINDS, malformedUnit: "event" });
  if (common !== undefined) return common;
  switch (fault) {
    case "safety-finish":
      return { kind: "finish", reason: "SAFETY", afterPieces: 2 };
    case "recitation":
      return { kind: "finish", reason: "RECITATION", afterPieces: 2 };
    case "max-tokens":
      return { kind: "finish", reason: "MAX_TOKENS", afterPieces: EVERY_REQUEST };
    case "safety-block":
    case "thoughts":
    case "no-finish-reason":
    case "stream-error":
    case "hold-after-finish":
    case "late-end":
      return { kind: fault };
    default:
      return { kind: "ok" };
  }
}
