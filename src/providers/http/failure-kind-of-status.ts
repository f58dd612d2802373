import type { FailureKind } from "../provider-error.js";

/**
 * The failure kind an HTTP error status means by itself, for a response whose body says no
 * more: 429 → rate_limited; 401, 403 and 404 → unauthorized (a 404 is a model that does not
 * exist or that the key cannot use: like a wrong key, the gateway's configuration is wrong, not
 * the caller's request); 408 → timeout; other 4xx → rejected; 5xx (and Anthropic's 529) →
 * overloaded; anything else → malformed. Classifiers refine it with what the body says.
 */
export function failureKindOfStatus(status: number): FailureKind {
  if (status === 429) return "rate_limited";
  if (status === 401 || status === 403 || status === 404) return "unauthorized";
  if (status === 408) return "timeout";
  if (status >= 400 && status < 500) return "rejected";
  if (status >= 500 && status < 600) return "overloaded";
  return "malformed";
}
