import type { FailureKind } from "./providers/provider-error.js";

/**
 * The closed set of domain error codes. Only the server layer maps them to Connect codes; the
 * engine, the storage and the services raise `GatewayError` with one of these.
 */
export type GatewayErrorCode =
  /** Bad input: empty or oversize prompt, malformed id, unknown model, bad page token. */
  | "invalid_argument"
  /** Unknown or expired session or stream. */
  | "not_found"
  /** A position past the end of what exists: a resume token ahead of its stream's last event. */
  | "out_of_range"
  /** The gateway's own rate limit or quota. */
  | "resource_exhausted"
  /** Every model of the route failed or was skipped. */
  | "unavailable"
  /** The provider refused the content or the request. */
  | "failed_precondition"
  /** The caller's deadline or the gateway's total time limit passed. */
  | "deadline_exceeded"
  /** The caller canceled, or the stream was canceled by `CancelStream`. */
  | "canceled"
  /** The shared state store (Valkey) cannot be reached. */
  | "storage_unavailable"
  /** A bug. The message given to callers never carries internals. */
  | "internal";

/**
 * The outcome of one attempt at one model, as kept in the fallback trail: success, one of the
 * provider failure kinds, a skipped model, or a canceled attempt.
 */
export type AttemptOutcome =
  | "succeeded"
  | FailureKind
  | "skipped_cooling_down"
  | "skipped_rate_limited"
  | "skipped_disabled"
  | "skipped_context_too_small"
  | "canceled";

/** One entry of the fallback trail. */
export interface AttemptRecord {
  /** "provider:model". */
  readonly model: string;
  readonly outcome: AttemptOutcome;
  /** Wall time of the attempt, including backoff before it, in milliseconds. */
  readonly durationMs: number;
  /** Why it failed, safe to show a caller; empty on success. */
  readonly reason: string;
}

/** A `GatewayError` as plain data, so that it can be stored with a stream and raised again. */
export interface GatewayErrorData {
  readonly code: GatewayErrorCode;
  readonly message: string;
  readonly attempts?: readonly AttemptRecord[] | undefined;
  readonly retryAfterMs?: number | undefined;
}

/** Options of a `GatewayError`. */
export interface GatewayErrorOptions {
  /** The fallback trail, for errors caused by providers. */
  readonly attempts?: readonly AttemptRecord[] | undefined;
  /** When the caller may try again, in milliseconds from now. */
  readonly retryAfterMs?: number | undefined;
  readonly cause?: unknown;
}

/**
 * A domain error with a stable code. `message` names what was wrong and what to do, and is
 * shown to callers as it is (except for `internal`).
 */
export class GatewayError extends Error {
  override readonly name = "GatewayError";
  readonly code: GatewayErrorCode;
  readonly attempts: readonly AttemptRecord[];
  readonly retryAfterMs: number | undefined;

  constructor(code: GatewayErrorCode, message: string, options: GatewayErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.attempts = options.attempts ?? [];
    this.retryAfterMs = options.retryAfterMs;
  }

  /** The error as plain data (without its cause). */
  toData(): GatewayErrorData {
    return {
      code: this.code,
      message: this.message,
      attempts: this.attempts,
      retryAfterMs: this.retryAfterMs,
    };
  }

  /** Raises a stored error again. */
  static fromData(data: GatewayErrorData): GatewayError {
    return new GatewayError(data.code, data.message, {
      attempts: data.attempts,
      retryAfterMs: data.retryAfterMs,
    });
  }
}
