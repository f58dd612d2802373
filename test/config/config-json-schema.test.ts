import { readdir, readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { renderConfigJsonSchema } from "../../src/config/config-json-schema.js";
import { loadConfig } from "../../src/config/load-config.js";
import { PROVIDER_TYPES } from "../../src/config/provider-types.js";

const root = new URL("../../", import.meta.url);
const examples = new URL("examples/config/", root);

describe("config.schema.json", () => {
  it("is what the zod schema generates (run scripts/write-config-schema.ts after a change)", async () => {
    const committed = await readFile(new URL("config.schema.json", root), "utf8");
    expect(committed).toBe(renderConfigJsonSchema());
  });

  it("documents defaults and rejects unknown keys", () => {
    const schema = JSON.parse(renderConfigJsonSchema());
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.server.properties.port.default).toBe(8080);
    expect(schema.properties.timeouts.properties.total.default).toBe("5m");
  });
});

describe("the example configurations", () => {
  const env = { OPENAI_API_KEY: "sk-openai", DEEPSEEK_API_KEY: "sk-deepseek" };

  it("include the three documented examples", async () => {
    const configs = (await readdir(examples)).filter((name) => /\.(ya?ml|json)$/.test(name));
    expect(configs.sort()).toEqual([
      "ai-warp-style.json",
      "all-providers.yaml",
      "minimal.yaml",
      "openai-deepseek.yaml",
    ]);
  });

  it("all-providers.yaml configures every provider type", async () => {
    const keys = [
      "ANTHROPIC_API_KEY",
      "AZURE_OPENAI_API_KEY",
      "GEMINI_API_KEY",
      "MISTRAL_API_KEY",
      "GROQ_API_KEY",
      "OPENROUTER_API_KEY",
      "TOGETHER_API_KEY",
      "CEREBRAS_API_KEY",
      "SAMBANOVA_API_KEY",
      "HF_TOKEN",
      "GITHUB_TOKEN",
    ];
    const allEnv = { ...env, ...Object.fromEntries(keys.map((key) => [key, `key-${key}`])) };
    const { config } = await loadConfig(new URL("all-providers.yaml", examples).pathname, allEnv);
    const types = new Set(Object.values(config.providers).map((provider) => provider.type));
    expect([...types].sort()).toEqual(
      [...PROVIDER_TYPES].filter((t) => t !== "demo" && t !== "openai-compatible").sort(),
    );
    expect(config.providers.azure?.apiVersion).toBe("2024-10-21");
    expect(config.providers.bedrock?.region).toBe("us-east-1");
    expect(config.models[0]?.capabilities).toEqual({
      contextWindowTokens: 200_000,
      maxOutputTokens: 64_000,
      prefill: true,
    });
  });

  it("minimal.yaml is the offline demo", async () => {
    const { config } = await loadConfig(new URL("minimal.yaml", examples).pathname, {});
    expect(config.models.map((m) => m.id)).toEqual(["demo:echo"]);
    expect(config.storage.type).toBe("memory");
  });

  it("openai-deepseek.yaml validates", async () => {
    const { config } = await loadConfig(new URL("openai-deepseek.yaml", examples).pathname, env);
    expect(config.models.map((m) => m.id)).toEqual([
      "openai:gpt-4o-mini",
      "deepseek:deepseek-chat",
      "local:llama3:8b",
    ]);
  });

  it("ai-warp-style.json validates with AI Warp's names mapped", async () => {
    const { config } = await loadConfig(new URL("ai-warp-style.json", examples).pathname, env);
    expect(config.timeouts.totalMs).toBe(120_000);
    expect(config.sessions.ttlMs).toBe(86_400_000);
    expect(config.models[1]?.limits).toEqual({
      maxTokens: 2000,
      rate: { max: 200, timeWindowMs: 30_000 },
    });
    expect(config.storage).toEqual({
      type: "valkey",
      url: "redis://localhost:6379/0",
      keyPrefix: "switchboard:",
      streamLeaseMs: 5_000,
      tlsCaPath: undefined,
      tlsServername: undefined,
      cluster: false,
      whenUnavailable: "fail",
    });
  });
});
