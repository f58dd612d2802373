import type { ProviderConfig } from "../../config/gateway-config.js";
import { PROVIDER_TYPE_INFO } from "../../config/provider-types.js";

/** A provider's validated base URL. */
export interface BaseUrl {
  /** The parsed URL, with its query (`url.search`) kept for the caller to carry over. */
  readonly url: URL;
  /** The path without trailing slashes ("" for "https://host/"), to append "/resource" to. */
  readonly basePath: string;
}

/**
 * Parses a provider's base URL, tolerating a trailing slash. Throws an `Error` naming the
 * provider when it is not a URL or not http(s): a configuration error, reported at start-up.
 */
export function parseBaseUrl(providerName: string, baseUrl: string): BaseUrl {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new Error(`provider "${providerName}": baseUrl is not a valid URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`provider "${providerName}": baseUrl must be http or https`);
  }
  return { url, basePath: url.pathname.replace(/\/+$/, "") };
}

/**
 * The provider's configured base URL, or its type's default when the configuration left it
 * empty, parsed. Throws an `Error` naming the provider when the type has no default (azure-openai,
 * openai-compatible) and none is configured, or when the URL is not http(s).
 */
export function resolveBaseUrl(config: ProviderConfig): BaseUrl {
  const baseUrl =
    config.baseUrl !== "" ? config.baseUrl : PROVIDER_TYPE_INFO[config.type].defaultBaseUrl;
  if (baseUrl === undefined || baseUrl === "") {
    throw new Error(`provider "${config.name}": type ${config.type} needs a baseUrl`);
  }
  return parseBaseUrl(config.name, baseUrl);
}
