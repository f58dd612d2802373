import { failureKindOfStatus } from "../http/failure-kind-of-status.js";
import { parseRetryAfterMs } from "../http/parse-retry-after.js";
import { type Redaction, safeProviderMessage } from "../http/safe-provider-message.js";
import type { UpstreamErrorResponse } from "../http/upstream-error-response.js";
import { ProviderError } from "../provider-error.js";
import { geminiErrorBodySchema } from "./gemini-wire-schema.js";

/** A non-2xx upstream response, with its body read as text. */
export type GeminiErrorResponse = UpstreamErrorResponse;

const CONTEXT_MESSAGE =
  /exceeds the maximum number of tokens|input token count .*exceeds|context (window|length)/i;
const API_KEY_MESSAGE = /API key not valid|API key not found|API key expired/i;
// Google API keys ("AIza" + 35 characters); also any `key=` query echoed in a message.
const REDACTIONS: readonly Redaction[] = [
  { pattern: /\bAIza[0-9A-Za-z_-]{10,}/g, replacement: "AIza***" },
  { pattern: /([?&]key=)[^&\s"]+/gi, replacement: "$1***" },
];
// A protobuf Duration in JSON: decimal seconds with an "s" suffix ("30s", "45.837906927s").
const PROTO_DURATION = /^(\d+(?:\.\d+)?)s$/;

interface GeminiErrorDetails {
  readonly message: string | undefined;
  /** `ErrorInfo.reason` of every detail, e.g. "API_KEY_INVALID". */
  readonly reasons: readonly string[];
  /** `RetryInfo.retryDelay`, in milliseconds. */
  readonly retryDelayMs: number | undefined;
}

/**
 * Classifies an upstream HTTP error once, into the closed set of failure kinds:
 * 400 (INVALID_ARGUMENT, FAILED_PRECONDITION) → rejected, except an invalid key (ErrorInfo
 * reason API_KEY_INVALID, or "API key not valid" in the message) → unauthorized and a prompt
 * over the context window ("exceeds the maximum number of tokens") → context_too_long;
 * 401/403 (PERMISSION_DENIED) → unauthorized; 404 (the model does not exist for this key) →
 * unauthorized, as the OpenAI classifier does: like a wrong key it is the gateway's configuration
 * that is wrong, not the caller's request; 408 and 504 (DEADLINE_EXCEEDED) → timeout; 429
 * (RESOURCE_EXHAUSTED) → rate_limited with `retryAfterMs` from `Retry-After`, else from the
 * RetryInfo detail's `retryDelay`; other 4xx → rejected (or context_too_long); other 5xx
 * (500 INTERNAL, 503 UNAVAILABLE) → overloaded; anything else → malformed.
 *
 * The message is safe to show: "<provider>: HTTP <status>: <Google's message, ≤300 chars>", with
 * anything that looks like a Google API key masked; never the raw body.
 */
export function classifyGeminiError(
  providerName: string,
  response: GeminiErrorResponse,
  nowMs: number = Date.now(),
): ProviderError {
  const { status } = response;
  const details = parseErrorDetails(response.body);
  const message = safeProviderMessage(
    `${providerName}: HTTP ${status}`,
    details.message,
    REDACTIONS,
  );
  const options = { status };

  if (status === 429) {
    const retryAfterMs = parseRetryAfterMs(response.headers, nowMs) ?? details.retryDelayMs;
    return new ProviderError("rate_limited", message, { status, retryAfterMs });
  }
  // An invalid key is unauthorized whatever the status (Google sends it with 400).
  if (isInvalidKey(details)) return new ProviderError("unauthorized", message, options);
  if (status === 504) return new ProviderError("timeout", message, options);
  const kind = failureKindOfStatus(status);
  if (
    kind === "rejected" &&
    details.message !== undefined &&
    CONTEXT_MESSAGE.test(details.message)
  ) {
    return new ProviderError("context_too_long", message, options);
  }
  return new ProviderError(kind, message, options);
}

/**
 * Classifies an error object sent inside an answer stream (`data: {"error": {...}}`), which
 * Google sends when generation fails after the headers: the answer broke, so it is
 * `interrupted`, with the provider's message made safe as above.
 */
export function classifyGeminiStreamError(providerName: string, json: unknown): ProviderError {
  const details = detailsOfJson(json);
  const message = safeProviderMessage(`${providerName}: stream error`, details.message, REDACTIONS);
  return new ProviderError("interrupted", message);
}

/**
 * Parses a protobuf Duration string ("30s", "1.5s") into milliseconds, rounded up; undefined
 * when it is not one.
 */
export function parseProtoDurationMs(duration: string): number | undefined {
  const match = PROTO_DURATION.exec(duration.trim());
  return match?.[1] === undefined ? undefined : Math.ceil(Number(match[1]) * 1000);
}

function isInvalidKey(details: GeminiErrorDetails): boolean {
  return (
    details.reasons.includes("API_KEY_INVALID") ||
    (details.message !== undefined && API_KEY_MESSAGE.test(details.message))
  );
}

const NO_DETAILS: GeminiErrorDetails = {
  message: undefined,
  reasons: [],
  retryDelayMs: undefined,
};

function parseErrorDetails(body: string): GeminiErrorDetails {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return NO_DETAILS;
  }
  return detailsOfJson(json);
}

function detailsOfJson(json: unknown): GeminiErrorDetails {
  // Some Google front ends wrap the error in a one-element array (the `alt=json` stream shape).
  const candidate = Array.isArray(json) ? json[0] : json;
  const parsed = geminiErrorBodySchema.safeParse(candidate);
  if (!parsed.success) return NO_DETAILS;
  const { error } = parsed.data;
  const details = error.details ?? [];
  const retryDelay = details.find((detail) => detail.retryDelay !== undefined)?.retryDelay;
  return {
    message: error.message,
    reasons: details.flatMap((detail) => (detail.reason === undefined ? [] : [detail.reason])),
    retryDelayMs: retryDelay === undefined ? undefined : parseProtoDurationMs(retryDelay),
  };
}
