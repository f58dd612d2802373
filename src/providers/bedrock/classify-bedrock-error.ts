import { errorCode } from "../http/classify-transport-error.js";
import { failureKindOfStatus } from "../http/failure-kind-of-status.js";
import { type HttpHeaders, parseRetryAfterMs } from "../http/parse-retry-after.js";
import { type Redaction, redactProviderMessage } from "../http/safe-provider-message.js";
import { type FailureKind, ProviderError } from "../provider-error.js";

/** Where the error happened: before the response headers, or while reading the event stream. */
export type BedrockErrorPhase = "request" | "stream";

/**
 * Bedrock exception names (HTTP errors and in-stream exception frames alike; the SDK gives both
 * the PascalCase name) → kind. ResourceNotFoundException is "unauthorized", like OpenAI's 404:
 * the configured model id does not exist in this account or region, which only fixing the
 * gateway's configuration cures. ServiceQuotaExceededException is a quota: rate_limited.
 */
const KIND_BY_NAME: Readonly<Record<string, FailureKind>> = {
  ThrottlingException: "rate_limited",
  ServiceQuotaExceededException: "rate_limited",
  ServiceUnavailableException: "overloaded",
  InternalServerException: "overloaded",
  ModelNotReadyException: "overloaded",
  ModelErrorException: "overloaded",
  ModelTimeoutException: "timeout",
  ValidationException: "rejected",
  AccessDeniedException: "unauthorized",
  UnrecognizedClientException: "unauthorized",
  ExpiredTokenException: "unauthorized",
  InvalidSignatureException: "unauthorized",
  MissingAuthenticationTokenException: "unauthorized",
  IncompleteSignatureException: "unauthorized",
  ResourceNotFoundException: "unauthorized",
  ModelStreamErrorException: "interrupted",
  // The SDK's default credential chain found nothing: our credentials are missing.
  CredentialsProviderError: "unauthorized",
};

const INPUT_TOO_LONG = /input is too long|too many input tokens|prompt is too long/i;
// AWS access key ids (long-term AKIA…, temporary ASIA…) that a message might echo.
const REDACTIONS: readonly Redaction[] = [
  { pattern: /\b(AKIA|ASIA)[A-Z0-9]{12,}\b/g, replacement: "$1***" },
];

interface SdkErrorShape {
  readonly name: string | undefined;
  readonly message: string | undefined;
  readonly status: number | undefined;
  readonly headers: HttpHeaders | undefined;
  /** The SDK attached response metadata: the error came from a parsed response. */
  readonly fromResponse: boolean;
}

/**
 * Classifies an error of the Bedrock SDK once, into the closed set of failure kinds: by the
 * exception `name` (table above), a ValidationException about the input length →
 * context_too_long; an unknown exception by its HTTP status (429 → rate_limited, 5xx →
 * overloaded, 401/403/404 → unauthorized, 408 → timeout, other 4xx → rejected). Errors without
 * a response: before the headers, errors with a socket code (ECONNREFUSED, ECONNRESET,
 * ETIMEDOUT …) → unreachable and the SDK's socket timeouts without a code → timeout; while streaming, anything else → interrupted (the answer broke). A
 * response the SDK could not parse → malformed. `retryAfterMs` comes from a `Retry-After`
 * header when Bedrock sends one.
 *
 * The message is safe to show: "<provider>: <status or phase> <Name>: <message ≤300 chars>",
 * with access key ids masked; never a raw body.
 */
export function classifyBedrockError(
  providerName: string,
  error: unknown,
  phase: BedrockErrorPhase,
  nowMs: number = Date.now(),
): ProviderError {
  const shape = shapeOf(error);
  if (shape.message === "Region is missing" && shape.status === undefined) {
    // No region configured, none in AWS_REGION or the profile: only fixing the gateway's
    // configuration cures it, so it disables the model like refused credentials.
    const message = `${providerName}: no AWS region; set providers.${providerName}.region or AWS_REGION`;
    return new ProviderError("unauthorized", message, { cause: error });
  }
  const where = shape.status !== undefined ? `HTTP ${shape.status}` : `${phase} error`;
  const message = safeMessage(`${providerName}: ${where}`, shape.name, shape.message);
  const options = { status: shape.status, cause: error };
  const kind = kindOf(shape, error, phase);
  const retryAfterMs =
    kind === "rate_limited" && shape.headers !== undefined
      ? parseRetryAfterMs(shape.headers, nowMs)
      : undefined;
  return new ProviderError(kind, message, { ...options, retryAfterMs });
}

function kindOf(shape: SdkErrorShape, error: unknown, phase: BedrockErrorPhase): FailureKind {
  const named = shape.name === undefined ? undefined : KIND_BY_NAME[shape.name];
  if (named === "rejected" && INPUT_TOO_LONG.test(shape.message ?? "")) return "context_too_long";
  if (named !== undefined) return named;
  const { status } = shape;
  if (status !== undefined) return failureKindOfStatus(status);
  if (phase === "stream") return "interrupted";
  // The SDK names ECONNRESET/EPIPE/ETIMEDOUT errors "TimeoutError": look at the code first.
  // A connection that was refused, reset or never made (as in classifyTransportError).
  if (errorCode(error) !== undefined) return "unreachable";
  if (shape.name === "TimeoutError") return "timeout";
  return shape.fromResponse ? "malformed" : "unreachable";
}

function shapeOf(error: unknown): SdkErrorShape {
  if (typeof error !== "object" || error === null) {
    return {
      name: undefined,
      message: undefined,
      status: undefined,
      headers: undefined,
      fromResponse: false,
    };
  }
  const record = error as Record<string, unknown>;
  const metadata = asRecord(record.$metadata);
  const response = asRecord(record.$response);
  const status = metadata?.httpStatusCode;
  return {
    name: typeof record.name === "string" ? record.name : undefined,
    message: typeof record.message === "string" ? record.message : undefined,
    status: typeof status === "number" && status >= 100 ? status : undefined,
    headers: asHeaders(response?.headers),
    fromResponse: metadata !== undefined,
  };
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null
    ? (value as Record<string, unknown>)
    : undefined;
}

function asHeaders(value: unknown): HttpHeaders | undefined {
  const record = asRecord(value);
  if (record === undefined) return undefined;
  const headers: Record<string, string> = {};
  for (const [name, field] of Object.entries(record)) {
    if (typeof field === "string") headers[name.toLowerCase()] = field;
  }
  return headers;
}

function safeMessage(
  prefix: string,
  name: string | undefined,
  providerMessage: string | undefined,
): string {
  const cut = redactProviderMessage(providerMessage, REDACTIONS);
  const label = name !== undefined && name !== "Error" ? name : undefined;
  const detail = [label, cut].filter((part) => part !== undefined && part !== "").join(": ");
  return detail === "" ? prefix : `${prefix}: ${detail}`;
}
