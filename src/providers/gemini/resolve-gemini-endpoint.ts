import type { ProviderConfig } from "../../config/gateway-config.js";
import { resolveBaseUrl } from "../http/parse-base-url.js";

/** Where the requests of one Gemini provider go. */
export interface GeminiEndpoint {
  /** "https://generativelanguage.googleapis.com": the origin the connection pool is for. */
  readonly origin: string;
  /** The streaming path for a model: "/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse". */
  streamPath(model: string): string;
}

/**
 * Resolves `baseUrl` (the type's default when empty) +
 * "/models/{model}:streamGenerateContent?alt=sse", tolerating a trailing slash and keeping any
 * query of the base URL. The model is one URL-encoded path segment; a
 * configured name already written as the API's resource name ("models/gemini-2.0-flash", as
 * `models.list` returns it) loses its "models/" prefix instead of being encoded into
 * "models%2F…". Throws an `Error` naming the provider when the base URL is not an http(s) URL.
 */
export function resolveGeminiEndpoint(config: ProviderConfig): GeminiEndpoint {
  const { url, basePath } = resolveBaseUrl(config);
  const extraQuery = url.search === "" ? "" : `&${url.search.slice(1)}`;
  return {
    origin: url.origin,
    streamPath(model) {
      const name = encodeURIComponent(model.replace(/^models\//, ""));
      return `${basePath}/models/${name}:streamGenerateContent?alt=sse${extraQuery}`;
    },
  };
}
