/** Response headers as undici and node:http give them: lower-case names. */
export type HttpHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** The first value of a header, or undefined. */
export function headerValue(headers: HttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * How long the provider asked us to wait, in milliseconds: OpenAI's `retry-after-ms` when
 * present (more precise), else `Retry-After` as delta-seconds or as an HTTP-date (RFC 9110).
 * A date in the past gives 0. Returns undefined when neither header parses.
 */
export function parseRetryAfterMs(
  headers: HttpHeaders,
  nowMs: number = Date.now(),
): number | undefined {
  const milliseconds = headerValue(headers, "retry-after-ms")?.trim();
  if (milliseconds !== undefined && /^\d+(\.\d+)?$/.test(milliseconds)) {
    return Math.ceil(Number(milliseconds));
  }
  const retryAfter = headerValue(headers, "retry-after")?.trim();
  if (retryAfter === undefined || retryAfter === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(retryAfter)) return Math.ceil(Number(retryAfter) * 1000);
  const dateMs = Date.parse(retryAfter);
  if (Number.isNaN(dateMs)) return undefined;
  return Math.max(0, dateMs - nowMs);
}
