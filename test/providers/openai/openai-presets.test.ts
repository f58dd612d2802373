import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenAiCompatiblePreset, ProviderType } from "../../../src/config/gateway-config.js";
import { PROVIDER_TYPE_INFO } from "../../../src/config/provider-types.js";
import { createOpenAiCompatibleProvider } from "../../../src/providers/openai/openai-compatible-provider.js";
import { OPENAI_DIALECTS } from "../../../src/providers/openai/openai-dialects.js";
import { type FakeOpenAi, fakeAnswer, startFakeOpenAi } from "../../fakes/fake-openai-server.js";
import { call, collect, config, promptCharacters, request } from "../openai-provider-harness.js";

/** Every preset, with what its requests must look like. */
const PRESETS: readonly [
  OpenAiCompatiblePreset | "openai" | "deepseek",
  { maxTokensField: string; streamOptions: boolean },
][] = [
  ["openai", { maxTokensField: "max_completion_tokens", streamOptions: true }],
  ["deepseek", { maxTokensField: "max_tokens", streamOptions: true }],
  ["mistral", { maxTokensField: "max_tokens", streamOptions: false }],
  ["groq", { maxTokensField: "max_tokens", streamOptions: true }],
  ["openrouter", { maxTokensField: "max_tokens", streamOptions: false }],
  ["together", { maxTokensField: "max_tokens", streamOptions: false }],
  ["cerebras", { maxTokensField: "max_tokens", streamOptions: false }],
  ["sambanova", { maxTokensField: "max_tokens", streamOptions: true }],
  ["huggingface", { maxTokensField: "max_tokens", streamOptions: true }],
  ["github-models", { maxTokensField: "max_tokens", streamOptions: true }],
  ["ollama", { maxTokensField: "max_tokens", streamOptions: true }],
  ["vllm", { maxTokensField: "max_tokens", streamOptions: true }],
];

/** The path of a type's default base URL: "/openai/v1" for Groq. */
function basePathOf(type: ProviderType): string {
  const defaultBaseUrl = PROVIDER_TYPE_INFO[type].defaultBaseUrl;
  if (defaultBaseUrl === undefined) throw new Error(`${type} has no default base URL`);
  return new URL(defaultBaseUrl).pathname.replace(/\/+$/, "");
}

describe("createOpenAiCompatibleProvider for the OpenAI-compatible presets", () => {
  let fake: FakeOpenAi;

  beforeAll(async () => {
    fake = await startFakeOpenAi();
  });

  afterAll(async () => {
    await fake.close();
  });

  it("has a dialect for every provider type that speaks the OpenAI wire", () => {
    const openAiTypes = Object.entries(PROVIDER_TYPE_INFO)
      .filter(([, info]) => info.wire === "openai")
      .map(([type]) => type)
      .sort();
    expect(Object.keys(OPENAI_DIALECTS).sort()).toEqual(openAiTypes);
  });

  it.each(PRESETS)("speaks the %s dialect at its base path", async (type, expected) => {
    const basePath = basePathOf(type);
    const provider = createOpenAiCompatibleProvider(
      config({ name: type, type, baseUrl: `${fake.origin}${basePath}`, headers: {} }),
    );
    const model = `ok:${type}`;
    try {
      const { text, finish } = await collect(provider, call(model));
      expect(text).toBe(fakeAnswer(model, request.messages));
      expect(finish).toMatchObject({ type: "finish", reason: "stop" });
    } finally {
      await provider.close();
    }
    const [sent] = fake.requestsFor(model);
    expect(sent?.path).toBe(`${basePath}/chat/completions`);
    expect(sent?.headers.authorization).toBe("Bearer sk-test-secret");
    expect(sent?.headers["api-key"]).toBeUndefined();
    const body = sent?.body as Record<string, unknown>;
    expect(body[expected.maxTokensField]).toBe(50);
    const otherField =
      expected.maxTokensField === "max_tokens" ? "max_completion_tokens" : "max_tokens";
    expect(body).not.toHaveProperty(otherField);
    if (expected.streamOptions) {
      expect(body.stream_options).toEqual({ include_usage: true });
    } else {
      expect(body).not.toHaveProperty("stream_options");
    }
    expect(body.messages).toEqual(request.messages);
  });

  it.each(["ollama", "vllm"] as const)(
    "sends no authorization header to %s when no key is configured",
    async (type) => {
      const provider = createOpenAiCompatibleProvider(
        config({ type, baseUrl: fake.baseUrl, apiKey: undefined, headers: {} }),
      );
      try {
        await collect(provider, call(`ok:keyless-${type}`));
      } finally {
        await provider.close();
      }
      expect(fake.requestsFor(`ok:keyless-${type}`)[0]?.headers.authorization).toBeUndefined();
    },
  );

  it.each([
    ["mistral", "usage-in-finish-chunk"],
    ["groq", "x-groq-usage"],
  ] as const)("takes the usage %s sends in its finish chunk (%s)", async (type, fault) => {
    const provider = createOpenAiCompatibleProvider(
      config({ type, baseUrl: `${fake.origin}${basePathOf(type)}` }),
    );
    try {
      const { finish } = await collect(provider, call(fault));
      expect(finish).toEqual({
        type: "finish",
        reason: "stop",
        usage: {
          inputTokens: Math.ceil(promptCharacters / 4),
          outputTokens: fakeAnswer(fault, request.messages).split(" ").length,
        },
      });
    } finally {
      await provider.close();
    }
  });
});
