import type { ProviderConfig } from "../../config/gateway-config.js";
import { parseBaseUrl } from "../http/parse-base-url.js";

/** Where a Messages API request goes. */
export interface AnthropicEndpoint {
  /** "https://api.anthropic.com": the origin the connection pool is for. */
  readonly origin: string;
  /** "/v1/messages". */
  readonly path: string;
}

/** The base URL used when the configuration leaves `baseUrl` empty. */
export const DEFAULT_ANTHROPIC_BASE_URL = "https://api.anthropic.com/v1";

/**
 * Resolves `baseUrl + "/messages"`, tolerating a trailing slash and keeping any query. Throws
 * an `Error` naming the provider when the base URL is not an http(s) URL.
 */
export function resolveAnthropicEndpoint(config: ProviderConfig): AnthropicEndpoint {
  const baseUrl = config.baseUrl !== "" ? config.baseUrl : DEFAULT_ANTHROPIC_BASE_URL;
  const { url, basePath } = parseBaseUrl(config.name, baseUrl);
  return { origin: url.origin, path: `${basePath}/messages${url.search}` };
}
