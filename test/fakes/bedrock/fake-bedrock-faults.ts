import {
  type CommonFault,
  type ConnectionFaultName,
  EVERY_REQUEST,
  faultNameOf,
  parseCommonFault,
} from "../fake-common-faults.js";
import { type EchoFault, type EchoFaultName, parseEchoFault } from "../fake-echo-faults.js";
import type { ErrorFixture, StreamExceptionFixture } from "./bedrock-fixtures.js";

/**
 * The behaviours of the fake Bedrock server, chosen by the model id (tensorzero style): the id
 * is `<fault>` or `<fault>:<tag>` (the tag only makes a distinct model with its own counters).
 * Any other id (e.g. "anthropic.claude-3-5-haiku-20241022-v1:0") answers normally.
 */
export type FakeBedrockFaultName =
  /** A normal answer: messageStart, ~5 text deltas, contentBlockStop, messageStop, metadata. */
  | "ok"
  /** Every request 429 ThrottlingException. */
  | "throttled"
  /** Every request 503 ServiceUnavailableException. */
  | "always-503"
  /** First request 500 InternalServerException, then ok. */
  | "fail-once-500"
  /** Every request 400 ValidationException ("The provided model identifier is invalid."). */
  | "validation"
  /** Every request 400 ValidationException "Input is too long for requested model.". */
  | "input-too-long"
  /** Every request 403 AccessDeniedException. */
  | "access-denied"
  /** Every request 403 UnrecognizedClientException (a bad access key). */
  | "unrecognized-client"
  /** Every request 404 ResourceNotFoundException. */
  | "not-found"
  /** Every request 408 ModelTimeoutException. */
  | "model-timeout"
  /** Every request 429 ModelNotReadyException. */
  | "model-not-ready"
  /** Every request 400 ServiceQuotaExceededException. */
  | "quota"
  /** See `ConnectionFaultName`: reset-before-headers, no-response, cut- and stall-mid-stream. */
  | ConnectionFaultName
  /** Two text deltas, then the body ends cleanly without messageStop. */
  | "end-mid-stream"
  /** Two text deltas, then a `modelStreamErrorException` exception frame. */
  | "stream-exception"
  /** Two text deltas, then a `throttlingException` exception frame. */
  | "stream-throttled"
  /** Two text deltas, then messageStop `guardrail_intervened`. */
  | "guardrail"
  /** The whole answer with messageStop `max_tokens`. */
  | "max-tokens"
  /** The whole answer and messageStop, then the body ends without metadata. */
  | "no-metadata"
  /** The whole answer, every byte written separately. */
  | "one-byte-chunks"
  /** See `EchoFaultName`: errors that write the request, credentials included, back. */
  | EchoFaultName;

/** A fault resolved to what to do for one request. */
export type FakeBedrockFault =
  | { readonly kind: "ok" }
  | { readonly kind: "error"; readonly fixture: ErrorFixture; readonly firstRequests: number }
  | Extract<CommonFault, { kind: (typeof COMMON_KINDS)[number] }>
  | { readonly kind: "stream-exception"; readonly exception: StreamExceptionFixture }
  | { readonly kind: "stop-reason"; readonly stopReason: string; readonly afterDeltas: number }
  | { readonly kind: "no-metadata" | "one-byte-chunks" }
  | EchoFault;

/** Bedrock's errors are its own; it shares only the connection faults and a clean cut. */
const COMMON_KINDS = [
  "reset-before-headers",
  "no-response",
  "cut-mid-stream",
  "end-mid-stream",
  "stall-mid-stream",
] as const;

const ERROR_FAULTS: Readonly<Record<string, ErrorFixture>> = {
  throttled: "throttling",
  "always-503": "service-unavailable",
  validation: "validation",
  "input-too-long": "input-too-long",
  "access-denied": "access-denied",
  "unrecognized-client": "unrecognized-client",
  "not-found": "not-found",
  "model-timeout": "model-timeout",
  "model-not-ready": "model-not-ready",
  quota: "quota",
};

/** Resolves a fault name (or a model id `<fault>:<tag>`); unknown names are "ok". */
export function parseBedrockFault(modelId: string): FakeBedrockFault {
  const fault = faultNameOf(modelId);
  const echo = parseEchoFault(fault);
  if (echo !== undefined) return echo;
  const fixture = ERROR_FAULTS[fault];
  if (fixture !== undefined) return { kind: "error", fixture, firstRequests: EVERY_REQUEST };
  const common = parseCommonFault(fault, { kinds: COMMON_KINDS });
  if (common !== undefined) return common;
  switch (fault) {
    case "fail-once-500":
      return { kind: "error", fixture: "internal-server", firstRequests: 1 };
    case "no-metadata":
    case "one-byte-chunks":
      return { kind: fault };
    case "stream-exception":
      return { kind: "stream-exception", exception: "modelStreamErrorException" };
    case "stream-throttled":
      return { kind: "stream-exception", exception: "throttlingException" };
    case "guardrail":
      return { kind: "stop-reason", stopReason: "guardrail_intervened", afterDeltas: 2 };
    case "max-tokens":
      return { kind: "stop-reason", stopReason: "max_tokens", afterDeltas: EVERY_REQUEST };
    default:
      return { kind: "ok" };
  }
}
