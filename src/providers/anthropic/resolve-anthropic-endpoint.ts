import type { ProviderConfig } from "../../config/gateway-config.js";
import { resolveBaseUrl } from "../http/parse-base-url.js";

/** Where a Messages API request goes. */
export interface AnthropicEndpoint {
  /** "https://api.anthropic.com": the origin the connection pool is for. */
  readonly origin: string;
  /** "/v1/messages". */
  readonly path: string;
}

/**
 * Resolves `baseUrl` (the type's default when empty) + "/messages", tolerating a trailing slash and keeping any query. Throws
 * an `Error` naming the provider when the base URL is not an http(s) URL.
 */
export function resolveAnthropicEndpoint(config: ProviderConfig): AnthropicEndpoint {
  const { url, basePath } = resolveBaseUrl(config);
  return { origin: url.origin, path: `${basePath}/messages${url.search}` };
}
