import type { ProviderConfig } from "../../config/gateway-config.js";

/** Where a Chat Completions request goes. */
export interface OpenAiEndpoint {
  /** "https://api.openai.com": the origin the connection pool is for. */
  readonly origin: string;
  /** "/v1/chat/completions". */
  readonly path: string;
}

/** Base URLs used when the configuration leaves `baseUrl` empty. */
export const DEFAULT_OPENAI_BASE_URLS: Readonly<Record<string, string>> = {
  openai: "https://api.openai.com/v1",
  deepseek: "https://api.deepseek.com/v1",
};

/**
 * Resolves `baseUrl + "/chat/completions"`, tolerating a trailing slash and keeping any query
 * (Azure-style `?api-version=`). Throws an `Error` naming the provider when the base URL is
 * missing for `openai-compatible`, or is not an http(s) URL.
 */
export function resolveOpenAiEndpoint(config: ProviderConfig): OpenAiEndpoint {
  const baseUrl = config.baseUrl !== "" ? config.baseUrl : DEFAULT_OPENAI_BASE_URLS[config.type];
  if (baseUrl === undefined) {
    throw new Error(`provider "${config.name}": type ${config.type} needs a baseUrl`);
  }
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new Error(`provider "${config.name}": baseUrl is not a valid URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`provider "${config.name}": baseUrl must be http or https`);
  }
  const basePath = url.pathname.replace(/\/+$/, "");
  return { origin: url.origin, path: `${basePath}/chat/completions${url.search}` };
}
