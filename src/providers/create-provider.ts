import type { Logger } from "pino";
import type { ProviderConfig } from "../config/gateway-config.js";
import { PROVIDER_TYPE_INFO } from "../config/provider-types.js";
import { createAnthropicProvider } from "./anthropic/anthropic-provider.js";
import { createBedrockProvider } from "./bedrock/bedrock-provider.js";
import type { ChatProvider } from "./chat-provider.js";
import { createDemoProvider } from "./demo/demo-provider.js";
import { createGeminiProvider } from "./gemini/gemini-provider.js";
import { createOpenAiCompatibleProvider } from "./openai/openai-compatible-provider.js";

/**
 * Creates the provider for one configured upstream, by `config.type`. Throws an `Error` for a
 * configuration the provider cannot use (e.g. an openai-compatible provider without baseUrl).
 */
export function createProvider(config: ProviderConfig, log: Logger): ChatProvider {
  const wire = PROVIDER_TYPE_INFO[config.type].wire;
  switch (wire) {
    case "demo":
      return createDemoProvider(config);
    case "openai":
      return createOpenAiCompatibleProvider(config, { log });
    case "gemini":
      return createGeminiProvider(config, { log });
    case "anthropic":
      return createAnthropicProvider(config, { log });
    case "bedrock":
      return createBedrockProvider(config, { log });
    default:
      return unknownWire(wire);
  }
}

/**
 * Creates every configured provider, keyed by its configured name. When one cannot be created,
 * those already created are closed and the error is thrown.
 */
export function createProviders(
  configs: Readonly<Record<string, ProviderConfig>>,
  log: Logger,
): Map<string, ChatProvider> {
  const providers = new Map<string, ChatProvider>();
  try {
    for (const [name, config] of Object.entries(configs)) {
      providers.set(name, createProvider(config, log));
    }
  } catch (error) {
    for (const provider of providers.values()) void provider.close();
    throw error;
  }
  return providers;
}

function unknownWire(wire: never): never {
  throw new Error(`unknown provider wire format: ${String(wire)}`);
}
