import type { FakeAnswerStep } from "./fake-upstream-server.js";

/**
 * The fault vocabulary the fake upstreams share (tensorzero style): a model name is `<fault>`
 * or `<fault>:<tag>`, the tag only making a distinct model with its own counters.
 */

/** "First n requests" that never ends. */
export const EVERY_REQUEST = Number.POSITIVE_INFINITY;

/** Faults of the connection rather than of the answer, which every fake knows. */
export type ConnectionFaultName =
  /** The socket is destroyed when the request arrives: no status, no headers. */
  | "reset-before-headers"
  /** The request is accepted and never answered. */
  | "no-response"
  /** Two pieces of the answer, then the socket is destroyed. */
  | "cut-mid-stream"
  /** Two pieces of the answer, then silence with the connection open. */
  | "stall-mid-stream";

/**
 * Faults a client should retry (all fakes but Bedrock, whose errors are its own). Each fake
 * answers them with its own error bodies, and "overloaded" with its own status (503, or 529).
 */
export type RetryableFaultName =
  /** First request 500, then ok. */
  | "fail-once-500"
  /** The first n requests answer "overloaded", then ok. */
  | `down-until-${number}`
  /** First request 429 with a retry delay of s seconds, then ok. */
  | `rate-limited-retry-after-${number}`;

/** A common fault name resolved to what to do for one request. */
export type CommonFault =
  | { readonly kind: "status"; readonly status: number; readonly firstRequests: number }
  | { readonly kind: "retry-after"; readonly seconds: number }
  | { readonly kind: "slow-first-token"; readonly delayMs: number }
  | { readonly kind: "malformed"; readonly count: number }
  | PlainFault<ConnectionFaultName | "end-mid-stream">;

/** `{ kind }` for each of the kinds, so that `Extract` can pick them one by one. */
type PlainFault<K extends string> = K extends string ? { readonly kind: K } : never;

/** Every common fault kind, for a fake that knows them all. */
export const COMMON_FAULT_KINDS = [
  "status",
  "retry-after",
  "slow-first-token",
  "malformed",
  "reset-before-headers",
  "no-response",
  "cut-mid-stream",
  "end-mid-stream",
  "stall-mid-stream",
] as const satisfies readonly CommonFault["kind"][];

/** Which common faults a fake knows, and its own words for them. */
export interface CommonFaultVocabulary<K extends CommonFault["kind"]> {
  /** The kinds the fake answers; names of other kinds are not its faults. */
  readonly kinds: readonly K[];
  /** The status of `always-<status>` and `down-until-<n>` (503, or Anthropic's 529). */
  readonly overloadedStatus?: number;
  /** Whether `status-<n>` answers every request with that status. */
  readonly anyStatus?: boolean;
  /** What the stream is made of: `malformed-<unit>` and `malformed-<unit>s-<n>`. */
  readonly malformedUnit?: "chunk" | "event";
}

/** The fault part of a model name `<fault>:<tag>`. */
export function faultNameOf(model: string): string {
  return model.split(":", 1)[0] ?? "";
}

/**
 * Resolves the common faults `fail-once-500`, `always-<overloaded>`, `down-until-<n>`,
 * `status-<n>`, `rate-limited-retry-after-<s>`, `slow-first-token[-<ms>]` (3 s by default),
 * `malformed-<unit>`, `malformed-<unit>s-<n>` and the connection faults; undefined for any other
 * name, or one whose kind is not in `vocabulary.kinds`.
 */
export function parseCommonFault<K extends CommonFault["kind"]>(
  fault: string,
  vocabulary: CommonFaultVocabulary<K>,
): Extract<CommonFault, { kind: K }> | undefined {
  const parsed = parseAnyCommonFault(fault, vocabulary);
  const known: readonly string[] = vocabulary.kinds;
  return parsed !== undefined && known.includes(parsed.kind)
    ? (parsed as Extract<CommonFault, { kind: K }>)
    : undefined;
}

function parseAnyCommonFault(
  fault: string,
  vocabulary: CommonFaultVocabulary<CommonFault["kind"]>,
): CommonFault | undefined {
  const { overloadedStatus = 503, malformedUnit = "chunk" } = vocabulary;
  switch (fault) {
    case "fail-once-500":
      return { kind: "status", status: 500, firstRequests: 1 };
    case `always-${overloadedStatus}`:
      return { kind: "status", status: overloadedStatus, firstRequests: EVERY_REQUEST };
    case "reset-before-headers":
    case "no-response":
    case "cut-mid-stream":
    case "end-mid-stream":
    case "stall-mid-stream":
      return { kind: fault };
    case "slow-first-token":
      return { kind: "slow-first-token", delayMs: 3000 };
    case `malformed-${malformedUnit}`:
      return { kind: "malformed", count: 1 };
    default:
      break;
  }
  const downUntil = numberAfter(fault, "down-until-");
  if (downUntil !== undefined) {
    return { kind: "status", status: overloadedStatus, firstRequests: downUntil };
  }
  const status = vocabulary.anyStatus === true ? numberAfter(fault, "status-") : undefined;
  if (status !== undefined) return { kind: "status", status, firstRequests: EVERY_REQUEST };
  const seconds = numberAfter(fault, "rate-limited-retry-after-");
  if (seconds !== undefined) return { kind: "retry-after", seconds };
  const delayMs = numberAfter(fault, "slow-first-token-");
  if (delayMs !== undefined) return { kind: "slow-first-token", delayMs };
  const count = numberAfter(fault, `malformed-${malformedUnit}s-`);
  if (count !== undefined) return { kind: "malformed", count };
  return undefined;
}

/** The `<n>` of a fault name `<prefix><n>`, else undefined. */
export function numberAfter(fault: string, prefix: string): number | undefined {
  if (!fault.startsWith(prefix)) return undefined;
  const value = fault.slice(prefix.length);
  return /^\d+$/.test(value) ? Number(value) : undefined;
}

/**
 * What a connection fault does before any header: destroy the socket, or hold the request
 * unanswered; undefined for every other fault.
 */
export function beforeHeadersSteps(fault: { readonly kind: string }): FakeAnswerStep[] | undefined {
  if (fault.kind === "reset-before-headers") return [{ kind: "destroy" }];
  if (fault.kind === "no-response") return [{ kind: "hold" }];
  return undefined;
}

/**
 * The steps of a non-streamed JSON answer under a common fault: the body after the slow first
 * token's delay; half of it, then cut, ended or held for the mid-stream faults; "{not json" for
 * `malformed`; the whole body for any other fault.
 */
export function jsonBodySteps(json: string, fault: { readonly kind: string }): FakeAnswerStep[] {
  const half: FakeAnswerStep = { kind: "write", data: json.slice(0, json.length / 2) };
  if (!isCommonFault(fault)) return [{ kind: "write", data: json }, { kind: "end" }];
  switch (fault.kind) {
    case "slow-first-token":
      return [{ kind: "wait", ms: fault.delayMs }, { kind: "write", data: json }, { kind: "end" }];
    case "cut-mid-stream":
      return [half, { kind: "destroy" }];
    case "end-mid-stream":
      return [half, { kind: "end" }];
    case "stall-mid-stream":
      return [half, { kind: "hold" }];
    case "malformed":
      return [{ kind: "write", data: "{not json" }, { kind: "end" }];
    default:
      return [{ kind: "write", data: json }, { kind: "end" }];
  }
}

/** The error a retryable fault gives one request: its status, and a 429's retry delay. */
export interface RetryableError {
  readonly status: number;
  /** Set for `rate-limited-retry-after-<s>`, in seconds. */
  readonly retryAfterSeconds?: number;
}

/**
 * The error the `served`-th request since the fault was set gets from a `status` or
 * `retry-after` fault; undefined when it answers normally.
 */
export function retryableErrorOf(
  fault: { readonly kind: string },
  served: number,
): RetryableError | undefined {
  if (!isCommonFault(fault)) return undefined;
  if (fault.kind === "status" && served <= fault.firstRequests) return { status: fault.status };
  if (fault.kind === "retry-after" && served === 1) {
    return { status: 429, retryAfterSeconds: fault.seconds };
  }
  return undefined;
}

/** Whether a fake's fault is one of the common ones. */
function isCommonFault(fault: { readonly kind: string }): fault is CommonFault {
  const kinds: readonly string[] = COMMON_FAULT_KINDS;
  return kinds.includes(fault.kind);
}
