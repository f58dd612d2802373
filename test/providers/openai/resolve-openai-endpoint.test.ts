import { describe, expect, it } from "vitest";
import { DEFAULT_AZURE_OPENAI_API_VERSION } from "../../../src/providers/openai/azure-openai-api-version.js";
import { openAiDialectOf } from "../../../src/providers/openai/openai-dialects.js";
import { resolveOpenAiEndpoint } from "../../../src/providers/openai/resolve-openai-endpoint.js";
import { config } from "../openai-provider-harness.js";

describe("resolveOpenAiEndpoint", () => {
  it("uses the type's default base URL when none is configured", () => {
    const groq = resolveOpenAiEndpoint(config({ type: "groq", baseUrl: "" }));
    expect(groq.origin).toBe("https://api.groq.com");
    expect(groq.pathFor("llama")).toBe("/openai/v1/chat/completions");
    const github = resolveOpenAiEndpoint(config({ type: "github-models", baseUrl: "" }));
    expect(github.pathFor("openai/gpt-4.1")).toBe("/inference/chat/completions");
  });

  it("keeps the query of a configured base URL", () => {
    const endpoint = resolveOpenAiEndpoint(config({ baseUrl: "http://proxy:8080/v1/?team=a" }));
    expect(endpoint.pathFor("m")).toBe("/v1/chat/completions?team=a");
  });

  it("builds Azure's deployment path per model, URL-encoding the deployment", () => {
    const endpoint = resolveOpenAiEndpoint(
      config({ type: "azure-openai", baseUrl: "https://res.openai.azure.com/" }),
    );
    expect(endpoint.origin).toBe("https://res.openai.azure.com");
    expect(endpoint.pathFor("gpt-4o")).toBe(
      `/openai/deployments/gpt-4o/chat/completions?api-version=${DEFAULT_AZURE_OPENAI_API_VERSION}`,
    );
    expect(endpoint.pathFor("a/b c")).toMatch(
      /^\/openai\/deployments\/a%2Fb%20c\/chat\/completions\?/,
    );
  });

  it("uses a GA api-version by default, and the configured one when set", () => {
    expect(DEFAULT_AZURE_OPENAI_API_VERSION).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const endpoint = resolveOpenAiEndpoint(
      config({
        type: "azure-openai",
        baseUrl: "https://res.openai.azure.com",
        apiVersion: "2025-04-01-preview",
      }),
    );
    expect(endpoint.pathFor("d")).toBe(
      "/openai/deployments/d/chat/completions?api-version=2025-04-01-preview",
    );
  });

  it("throws naming the provider when a base URL is required, invalid or not http", () => {
    expect(() => resolveOpenAiEndpoint(config({ name: "x", baseUrl: "" }))).toThrow(
      'provider "x": type openai-compatible needs a baseUrl',
    );
    expect(() => resolveOpenAiEndpoint(config({ name: "x", baseUrl: "not a url" }))).toThrow(
      'provider "x": baseUrl is not a valid URL',
    );
    expect(() => resolveOpenAiEndpoint(config({ name: "x", baseUrl: "ftp://h/v1" }))).toThrow(
      'provider "x": baseUrl must be http or https',
    );
  });
});

describe("openAiDialectOf", () => {
  it("sends Azure's key in api-key and everyone else's as a bearer token", () => {
    expect(openAiDialectOf("azure-openai").auth).toBe("api-key");
    expect(openAiDialectOf("github-models").auth).toBe("bearer");
  });

  it("throws for a type that does not speak the OpenAI wire", () => {
    expect(() => openAiDialectOf("anthropic")).toThrow(
      "provider type anthropic does not speak the OpenAI wire",
    );
  });
});
