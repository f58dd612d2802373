import { failureKindOfStatus } from "../http/failure-kind-of-status.js";
import { headerValue, parseRetryAfterMs } from "../http/parse-retry-after.js";
import {
  type Redaction,
  SK_API_KEY_REDACTION,
  safeProviderMessage,
} from "../http/safe-provider-message.js";
import type { UpstreamErrorResponse } from "../http/upstream-error-response.js";
import { type FailureKind, ProviderError } from "../provider-error.js";
import { anthropicErrorBodySchema } from "./anthropic-wire-schema.js";

/** A non-2xx upstream response, with its body read as text. */
export type AnthropicErrorResponse = UpstreamErrorResponse;

/**
 * "prompt is too long: 208310 tokens > 200000 maximum", and the older "input length and
 * `max_tokens` exceed context limit" of models without model_context_window_exceeded.
 */
const CONTEXT_MESSAGE = /prompt is too long|exceed context limit|context window/i;
// Anthropic keys look like "sk-ant-api03-…"; mask whatever still looks like a credential.
const REDACTIONS: readonly Redaction[] = [SK_API_KEY_REDACTION];

/** Kinds by Anthropic `error.type`; types it adds later fall back to the HTTP status. */
const KIND_BY_ERROR_TYPE: Readonly<Record<string, FailureKind>> = {
  authentication_error: "unauthorized",
  permission_error: "unauthorized",
  // The model does not exist or the key cannot use it: like a wrong key, the gateway's
  // configuration is wrong, not the caller's request (as for OpenAI's 404).
  not_found_error: "unauthorized",
  request_too_large: "context_too_long",
  rate_limit_error: "rate_limited",
  // Out of credit: waiting does not cure it, so no retryAfterMs (as OpenAI's insufficient_quota).
  billing_error: "rate_limited",
  timeout_error: "timeout",
  api_error: "overloaded",
  overloaded_error: "overloaded",
};

interface ErrorDetails {
  readonly type: string | undefined;
  readonly message: string | undefined;
}

/**
 * Classifies an upstream HTTP error once, into the closed set of failure kinds, by the body's
 * `error.type` first and the status second: invalid_request_error (400) → rejected, except
 * "prompt is too long" → context_too_long; authentication_error (401), permission_error (403)
 * and not_found_error (404) → unauthorized; request_too_large (413) → context_too_long;
 * rate_limit_error (429) → rate_limited with `retryAfterMs` from `retry-after`; billing_error
 * (402) → rate_limited without it; timeout_error (408) → timeout; api_error (500) and
 * overloaded_error (529) → overloaded. A body that is not an Anthropic error (a proxy's HTML)
 * is classified by status alone: 429 → rate_limited, 401/403/404 → unauthorized, 413 →
 * context_too_long, 408 → timeout, other 4xx → rejected, 5xx → overloaded, else malformed.
 *
 * The message is safe to show: "<provider>: HTTP <status>: <error.message cut to 300 chars,
 * key-like strings masked> (request-id <id>)"; never the raw body.
 */
export function classifyAnthropicError(
  providerName: string,
  response: AnthropicErrorResponse,
  nowMs: number = Date.now(),
): ProviderError {
  const { status } = response;
  const details = parseErrorDetails(response.body);
  const requestId = headerValue(response.headers, "request-id");
  const suffix = requestId === undefined ? "" : ` (request-id ${requestId.slice(0, 100)})`;
  const message = `${safeProviderMessage(`${providerName}: HTTP ${status}`, details.message, REDACTIONS)}${suffix}`;
  const kind = kindOf(status, details);
  const retryAfterMs =
    kind === "rate_limited" && details.type !== "billing_error"
      ? parseRetryAfterMs(response.headers, nowMs)
      : undefined;
  return new ProviderError(kind, message, { status, retryAfterMs });
}

function kindOf(status: number, details: ErrorDetails): FailureKind {
  if (details.message !== undefined && CONTEXT_MESSAGE.test(details.message)) {
    if (status >= 400 && status < 500) return "context_too_long";
  }
  const byType = details.type === undefined ? undefined : KIND_BY_ERROR_TYPE[details.type];
  if (byType !== undefined) return byType;
  if (status === 413) return "context_too_long";
  return failureKindOfStatus(status);
}

/**
 * Classifies an `event: error` sent inside an answer stream after the 200 headers, by its
 * `error.type` as for an HTTP error (overloaded_error → overloaded, rate_limit_error →
 * rate_limited …; an unknown type → interrupted, since the answer broke).
 */
export function classifyAnthropicStreamError(providerName: string, json: unknown): ProviderError {
  const details = detailsOfJson(json);
  const prefix =
    details.type === undefined
      ? `${providerName}: stream error`
      : `${providerName}: stream error ${details.type.slice(0, 50)}`;
  const byType = details.type === undefined ? undefined : KIND_BY_ERROR_TYPE[details.type];
  const kind = byType ?? "interrupted";
  return new ProviderError(kind, safeProviderMessage(prefix, details.message, REDACTIONS));
}

const NO_DETAILS: ErrorDetails = { type: undefined, message: undefined };

function parseErrorDetails(body: string): ErrorDetails {
  try {
    return detailsOfJson(JSON.parse(body));
  } catch {
    return NO_DETAILS;
  }
}

function detailsOfJson(json: unknown): ErrorDetails {
  const parsed = anthropicErrorBodySchema.safeParse(json);
  if (!parsed.success) return NO_DETAILS;
  return { type: parsed.data.error.type, message: parsed.data.error.message ?? undefined };
}
