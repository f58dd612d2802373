import { ProviderError } from "../provider-error.js";

/**
 * Socket and DNS failures before any response: the provider cannot be reached. A connect
 * timeout counts too — the connection was never made, as with a refusal.
 */
const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/** Options of `classifyTransportError`. */
export interface ClassifyTransportErrorOptions {
  readonly providerName: string;
  /** The headers timeout that applied, in milliseconds, to name it in the message. */
  readonly headersTimeoutMs: number;
}

/**
 * Classifies an error thrown before the response headers arrived (the caller's abort is
 * handled before this is called): undici's `UND_ERR_HEADERS_TIMEOUT` → timeout; everything
 * else — refused, reset, DNS, socket closed — → unreachable. The original error is the cause.
 */
export function classifyTransportError(
  error: unknown,
  options: ClassifyTransportErrorOptions,
): ProviderError {
  const code = errorCode(error);
  if (code === "UND_ERR_HEADERS_TIMEOUT") {
    return new ProviderError(
      "timeout",
      `${options.providerName}: no response headers within ${options.headersTimeoutMs} ms`,
      { cause: error },
    );
  }
  const reason =
    code !== undefined && UNREACHABLE_CODES.has(code) ? code : (code ?? "unknown error");
  return new ProviderError(
    "unreachable",
    `${options.providerName}: connection failed (${reason})`,
    {
      cause: error,
    },
  );
}

/**
 * The `code` of an error, looking through `cause` and AggregateError (Node's happy-eyeballs
 * connect reports one error per address).
 */
export function errorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current !== undefined && depth < 5; depth++) {
    if (typeof current !== "object" || current === null) return undefined;
    if ("code" in current && typeof current.code === "string") return current.code;
    if (current instanceof AggregateError && current.errors.length > 0) {
      current = current.errors[0];
    } else {
      current = "cause" in current ? current.cause : undefined;
    }
  }
  return undefined;
}
