import { failureKindOfStatus } from "../http/failure-kind-of-status.js";
import { parseRetryAfterMs } from "../http/parse-retry-after.js";
import {
  type Redaction,
  SK_API_KEY_REDACTION,
  safeProviderMessage,
} from "../http/safe-provider-message.js";
import type { UpstreamErrorResponse } from "../http/upstream-error-response.js";
import { ProviderError } from "../provider-error.js";
import { type OpenAiErrorBody, openAiErrorBodySchema } from "./openai-wire-schema.js";

/** A non-2xx upstream response, with its body read as text. */
export type OpenAiErrorResponse = UpstreamErrorResponse;

const CONTENT_FILTER_CODES = new Set(["content_filter", "content_policy_violation"]);
const CONTEXT_MESSAGE = /maximum context length|context[_ ]length[_ ]exceeded|context window/i;
const REDACTIONS: readonly Redaction[] = [
  SK_API_KEY_REDACTION,
  { pattern: /\bBearer\s+[A-Za-z0-9._~+/=*-]+/gi, replacement: "Bearer ***" },
];

interface ProviderErrorDetails {
  readonly message: string | undefined;
  readonly type: string | undefined;
  readonly code: string | undefined;
  readonly innerCode: string | undefined;
}

/**
 * Classifies an upstream HTTP error once, into the closed set of failure kinds:
 * 429 → rate_limited (with `retryAfterMs`, except for `insufficient_quota`, which waiting does
 * not cure); 402 (DeepSeek's "Insufficient Balance") → rate_limited without retryAfterMs, like
 * an exhausted quota; 401/403 → unauthorized; 404 (the model does not exist or the key has no
 * access to it) → unauthorized too, since like a wrong key it is the gateway's configuration that
 * is wrong, not the caller's request; 408 → timeout; a 4xx about the context window →
 * context_too_long; a 4xx content filter (OpenAI codes or Azure's
 * `innererror.code: ResponsibleAIPolicyViolation`) → content_filtered; other 4xx → rejected;
 * 5xx (and Anthropic-style 529) → overloaded; anything else → malformed.
 *
 * The message is safe to show: provider name, status and the provider's `error.message` cut to
 * 300 characters with credential-like strings masked; never the raw body.
 */
export function classifyOpenAiError(
  providerName: string,
  response: OpenAiErrorResponse,
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
    const outOfQuota =
      details.code === "insufficient_quota" || details.type === "insufficient_quota";
    const retryAfterMs = outOfQuota ? undefined : parseRetryAfterMs(response.headers, nowMs);
    return new ProviderError("rate_limited", message, { status, retryAfterMs });
  }
  if (status === 402) return new ProviderError("rate_limited", message, options);
  const kind = failureKindOfStatus(status);
  if (kind === "rejected") {
    if (isContextTooLong(details)) return new ProviderError("context_too_long", message, options);
    if (isContentFiltered(details)) return new ProviderError("content_filtered", message, options);
  }
  return new ProviderError(kind, message, options);
}

function isContextTooLong(details: ProviderErrorDetails): boolean {
  return (
    details.code === "context_length_exceeded" ||
    (details.message !== undefined && CONTEXT_MESSAGE.test(details.message))
  );
}

function isContentFiltered(details: ProviderErrorDetails): boolean {
  return (
    (details.code !== undefined && CONTENT_FILTER_CODES.has(details.code)) ||
    details.innerCode === "ResponsibleAIPolicyViolation"
  );
}

/**
 * Classifies an error object sent inside an answer stream (`data: {"error": {...}}`), which
 * some servers send when generation fails after the headers: the answer broke, so it is
 * `interrupted`, with the provider's message made safe as above.
 */
export function classifyOpenAiStreamError(providerName: string, json: unknown): ProviderError {
  const message = safeProviderMessage(
    `${providerName}: stream error`,
    detailsOfJson(json).message,
    REDACTIONS,
  );
  return new ProviderError("interrupted", message);
}

const NO_DETAILS: ProviderErrorDetails = {
  message: undefined,
  type: undefined,
  code: undefined,
  innerCode: undefined,
};

function parseErrorDetails(body: string): ProviderErrorDetails {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return NO_DETAILS;
  }
  return detailsOfJson(json);
}

function detailsOfJson(json: unknown): ProviderErrorDetails {
  const parsed = openAiErrorBodySchema.safeParse(json);
  return parsed.success ? detailsOf(parsed.data) : NO_DETAILS;
}

function detailsOf(body: OpenAiErrorBody): ProviderErrorDetails {
  const { error } = body;
  if (typeof error === "string" || error === undefined) {
    return {
      message: error ?? body.message,
      type: undefined,
      code: undefined,
      innerCode: undefined,
    };
  }
  return {
    message: error.message ?? body.message,
    type: error.type ?? undefined,
    code: error.code === null || error.code === undefined ? undefined : String(error.code),
    innerCode: error.innererror?.code ?? undefined,
  };
}
