import { describe, expect, it } from "vitest";
import type { ProviderConfig } from "../../../src/config/gateway-config.js";
import { parseBaseUrl, resolveBaseUrl } from "../../../src/providers/http/parse-base-url.js";

describe("parseBaseUrl", () => {
  it("gives the URL and its path without trailing slashes", () => {
    const { url, basePath } = parseBaseUrl("p", "https://api.example.com/v1//");
    expect(url.origin).toBe("https://api.example.com");
    expect(basePath).toBe("/v1");
  });

  it("gives an empty base path for a bare origin, and keeps the query on the URL", () => {
    const { url, basePath } = parseBaseUrl("p", "http://127.0.0.1:8080/?tenant=a");
    expect(basePath).toBe("");
    expect(url.search).toBe("?tenant=a");
  });

  it("throws an error naming the provider for a string that is not a URL", () => {
    expect(() => parseBaseUrl("mine", "api.example.com/v1")).toThrow(
      'provider "mine": baseUrl is not a valid URL',
    );
  });

  it("throws an error naming the provider for a URL that is not http or https", () => {
    expect(() => parseBaseUrl("mine", "ftp://api.example.com")).toThrow(
      'provider "mine": baseUrl must be http or https',
    );
  });
});

describe("resolveBaseUrl", () => {
  const config = (type: ProviderConfig["type"], baseUrl: string): ProviderConfig => ({
    name: "p",
    type,
    baseUrl,
    apiKey: undefined,
    headers: {},
    maxConnections: 1,
    demoDelayMs: 0,
  });

  it("takes the type's default base URL when none is configured, and a configured one first", () => {
    expect(resolveBaseUrl(config("anthropic", "")).url.href).toBe("https://api.anthropic.com/v1");
    expect(resolveBaseUrl(config("gemini", "")).basePath).toBe("/v1beta");
    expect(resolveBaseUrl(config("anthropic", "http://127.0.0.1:9/x/")).basePath).toBe("/x");
  });

  it("names the provider when its type has no default and none is configured", () => {
    expect(() => resolveBaseUrl(config("azure-openai", ""))).toThrow(
      'provider "p": type azure-openai needs a baseUrl',
    );
  });
});
