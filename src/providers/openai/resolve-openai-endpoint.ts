import type { ProviderConfig } from "../../config/gateway-config.js";
import { resolveBaseUrl } from "../http/parse-base-url.js";
import { DEFAULT_AZURE_OPENAI_API_VERSION } from "./azure-openai-api-version.js";

/** Where the Chat Completions requests of one provider go. */
export interface OpenAiEndpoint {
  /** "https://api.openai.com": the origin the connection pool is for. */
  readonly origin: string;
  /**
   * The path and query of a call to `model`: "/v1/chat/completions", or for Azure
   * "/openai/deployments/<model>/chat/completions?api-version=…" (the model is the deployment).
   */
  pathFor(model: string): string;
}

/**
 * Resolves the endpoint of a provider from its base URL (the type's default when empty),
 * tolerating a trailing slash. OpenAI-style: `baseUrl + "/chat/completions"`, keeping any query
 * of the base URL. `azure-openai`: the base URL is the resource endpoint, and each call goes to
 * its deployment with `api-version` = `config.apiVersion` or `DEFAULT_AZURE_OPENAI_API_VERSION`.
 *
 * Throws an `Error` naming the provider when the base URL is missing (azure-openai,
 * openai-compatible) or is not an http(s) URL.
 */
export function resolveOpenAiEndpoint(config: ProviderConfig): OpenAiEndpoint {
  const { url, basePath } = resolveBaseUrl(config);
  if (config.type === "azure-openai") {
    const query = new URLSearchParams(url.search);
    query.set("api-version", config.apiVersion ?? DEFAULT_AZURE_OPENAI_API_VERSION);
    return {
      origin: url.origin,
      pathFor: (model) =>
        `${basePath}/openai/deployments/${encodeURIComponent(model)}/chat/completions?${query}`,
    };
  }
  const path = `${basePath}/chat/completions${url.search}`;
  return { origin: url.origin, pathFor: () => path };
}
