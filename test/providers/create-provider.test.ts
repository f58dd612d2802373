import pino from "pino";
import { describe, expect, it } from "vitest";
import type { ProviderConfig } from "../../src/config/gateway-config.js";
import { createProvider, createProviders } from "../../src/providers/create-provider.js";

const log = pino({ level: "silent" });

function providerConfig(overrides: Partial<ProviderConfig>): ProviderConfig {
  return {
    name: "p",
    type: "demo",
    baseUrl: "",
    apiKey: "sk-x",
    headers: {},
    maxConnections: 2,
    demoDelayMs: 0,
    ...overrides,
  };
}

describe("createProvider", () => {
  it("creates a demo provider that supports prefill, and OpenAI-style ones that do not", async () => {
    const demo = createProvider(providerConfig({ name: "demo" }), log);
    const openai = createProvider(providerConfig({ name: "openai", type: "openai" }), log);
    const deepseek = createProvider(providerConfig({ name: "deepseek", type: "deepseek" }), log);
    expect([demo.name, demo.supportsPrefill("echo")]).toEqual(["demo", true]);
    expect([openai.name, openai.supportsPrefill("gpt-4o")]).toEqual(["openai", false]);
    expect([deepseek.name, deepseek.supportsPrefill("deepseek-chat")]).toEqual(["deepseek", false]);
    await Promise.all([demo.close(), openai.close(), deepseek.close()]);
  });

  it("throws for an openai-compatible provider without baseUrl", () => {
    expect(() =>
      createProvider(providerConfig({ name: "local", type: "openai-compatible" }), log),
    ).toThrow('provider "local": type openai-compatible needs a baseUrl');
  });
});

describe("createProviders", () => {
  it("keys the providers by their configured name", async () => {
    const providers = createProviders(
      {
        demo: providerConfig({ name: "demo" }),
        local: providerConfig({
          name: "local",
          type: "openai-compatible",
          baseUrl: "http://127.0.0.1:1/v1",
        }),
      },
      log,
    );
    expect([...providers.keys()]).toEqual(["demo", "local"]);
    expect(providers.get("local")?.name).toBe("local");
    await Promise.all([...providers.values()].map((provider) => provider.close()));
  });

  it("throws when one provider cannot be created", () => {
    expect(() =>
      createProviders(
        {
          demo: providerConfig({ name: "demo" }),
          bad: providerConfig({ name: "bad", type: "openai-compatible" }),
        },
        log,
      ),
    ).toThrow(/needs a baseUrl/);
  });
});
