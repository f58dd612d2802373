// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} references are the subject under test.
import { describe, expect, it } from "vitest";
import { ConfigError, formatConfigPath } from "../../src/config/config-error.js";
import { parseConfig } from "../../src/config/parse-config.js";

function problemsOf(raw: unknown): string[] {
  try {
    parseConfig(raw, {});
  } catch (error) {
    if (error instanceof ConfigError) {
      return error.problems.map(
        (problem) => `${formatConfigPath(problem.path)}: ${problem.message}`,
      );
    }
    throw error;
  }
  throw new Error("expected the configuration to be invalid");
}

describe("provider types", () => {
  it("fills each preset's base URL and reads the key the user configured", () => {
    const config = parseConfig(
      {
        providers: {
          groq: { apiKey: "g" },
          mistral: { apiKey: "m" },
          "github-models": { apiKey: "t" },
          ollama: {},
          anthropic: { apiKey: "a" },
          gemini: { apiKey: "k" },
        },
        models: ["groq:llama-3.3-70b-versatile", "ollama:llama3.2"],
      },
      {},
    );
    expect(config.providers.groq).toMatchObject({
      type: "groq",
      baseUrl: "https://api.groq.com/openai/v1",
      apiKey: "g",
    });
    expect(config.providers.mistral?.baseUrl).toBe("https://api.mistral.ai/v1");
    expect(config.providers["github-models"]?.baseUrl).toBe("https://models.github.ai/inference");
    expect(config.providers.ollama).toMatchObject({
      baseUrl: "http://127.0.0.1:11434/v1",
      apiKey: undefined,
    });
    expect(config.providers.anthropic?.baseUrl).toBe("https://api.anthropic.com/v1");
    expect(config.providers.gemini?.baseUrl).toBe(
      "https://generativelanguage.googleapis.com/v1beta",
    );
  });

  it("names the key variable of a hosted API whose key is missing", () => {
    expect(
      problemsOf({
        providers: { groq: {}, anthropic: {}, gemini: {}, huggingface: {} },
        models: ["groq:m"],
      }),
    ).toEqual([
      "providers.groq.apiKey: missing; set GROQ_API_KEY and write apiKey: ${GROQ_API_KEY}",
      "providers.anthropic.apiKey: missing; set ANTHROPIC_API_KEY and write apiKey: ${ANTHROPIC_API_KEY}",
      "providers.gemini.apiKey: missing; set GEMINI_API_KEY and write apiKey: ${GEMINI_API_KEY}",
      "providers.huggingface.apiKey: missing; set HF_TOKEN and write apiKey: ${HF_TOKEN}",
    ]);
  });

  it("requires azure-openai's resource endpoint and keeps its api-version", () => {
    expect(problemsOf({ providers: { azure: { type: "azure-openai", apiKey: "k" } } })).toEqual([
      "providers.azure.baseUrl: missing; an azure-openai provider needs its resource endpoint, e.g. https://NAME.openai.azure.com",
      'models: at least one model is required, e.g. models: ["openai:gpt-4o-mini"]',
    ]);
    const config = parseConfig(
      {
        providers: {
          azure: {
            type: "azure-openai",
            apiKey: "k",
            baseUrl: "https://contoso.openai.azure.com",
            apiVersion: "2024-10-21",
          },
        },
        models: ["azure:my-gpt-4o"],
      },
      {},
    );
    expect(config.providers.azure).toMatchObject({ apiVersion: "2024-10-21", region: undefined });
  });

  it("takes bedrock's region and refuses an apiKey, and keeps type-specific keys to their type", () => {
    expect(
      parseConfig({ providers: { bedrock: { region: "eu-central-1" } }, models: ["bedrock:m"] }, {})
        .providers.bedrock,
    ).toMatchObject({ type: "bedrock", region: "eu-central-1", baseUrl: "", apiKey: undefined });
    expect(
      problemsOf({
        providers: {
          bedrock: { apiKey: "k", region: "Frankfurt" },
          openai: { apiKey: "k", region: "us-east-1", apiVersion: "2024-10-21" },
        },
        models: ["openai:gpt-4o"],
      }),
    ).toEqual([
      'providers.bedrock.region: an AWS region such as "us-east-1"',
      "providers.openai.apiVersion: only valid for type azure-openai",
      "providers.openai.region: only valid for type bedrock",
    ]);
  });
});

describe("model capabilities", () => {
  it("come from the built-in table, and each configured one wins", () => {
    const config = parseConfig(
      {
        providers: { anthropic: { apiKey: "a" }, bedrock: {}, local: { type: "ollama" } },
        models: [
          "anthropic:claude-sonnet-4-5-20250929",
          "bedrock:us.anthropic.claude-3-5-haiku-20241022-v1:0",
          { provider: "local", model: "qwen3:8b", capabilities: { contextWindow: 32_768 } },
          {
            provider: "anthropic",
            model: "claude-opus-4-1-20250805",
            capabilities: { prefill: false },
          },
        ],
      },
      {},
    );
    expect(config.models.map((model) => model.capabilities)).toEqual([
      { contextWindowTokens: 200_000, maxOutputTokens: 64_000, prefill: true },
      { contextWindowTokens: 200_000, maxOutputTokens: 8_192, prefill: true },
      { contextWindowTokens: 32_768, maxOutputTokens: undefined, prefill: undefined },
      { contextWindowTokens: 200_000, maxOutputTokens: 32_000, prefill: false },
    ]);
  });
});
