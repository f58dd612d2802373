/**
 * The closed set of ways an upstream call can fail. Every provider classifies its failures
 * into exactly one of these, once, where they happen; the engine decides what to do from a
 * policy table keyed by kind.
 */
export type FailureKind =
  /** 429 or a provider's rate-limit error. */
  | "rate_limited"
  /** 5xx, or the provider says it is overloaded. */
  | "overloaded"
  /** No headers, no first token, or a stalled stream within the limit. */
  | "timeout"
  /** Connection refused, reset before headers, DNS failure. */
  | "unreachable"
  /** 401/403: the gateway's credentials are wrong. */
  | "unauthorized"
  /** 400 and similar: the provider refused the request as invalid. */
  | "rejected"
  /** The conversation does not fit the model's context window. */
  | "context_too_long"
  /** The provider refused the content. */
  | "content_filtered"
  /** A response or chunk that could not be understood. */
  | "malformed"
  /** The answer stream ended or broke before its finish marker. */
  | "interrupted";

/** Options of a `ProviderError`. */
export interface ProviderErrorOptions {
  /** HTTP status of the upstream response, when there was one. */
  readonly status?: number | undefined;
  /** How long the provider asked us to wait (`Retry-After`), in milliseconds. */
  readonly retryAfterMs?: number | undefined;
  /** The underlying error. */
  readonly cause?: unknown;
}

/**
 * A classified upstream failure. `message` is safe to show a caller: it names the provider's
 * reason (e.g. its error message for a content filter) but never a secret or a raw body.
 */
export class ProviderError extends Error {
  override readonly name = "ProviderError";
  readonly kind: FailureKind;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(kind: FailureKind, message: string, options: ProviderErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.kind = kind;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}
