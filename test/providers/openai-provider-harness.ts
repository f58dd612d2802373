import type { ProviderConfig } from "../../src/config/gateway-config.js";
import { providerConfig } from "./provider-harness.js";

/** Helpers shared by the openai-compatible provider tests. */

export { call, collect, failureOf, promptCharacters, request } from "./provider-harness.js";

/** An openai-compatible provider "local" with a key and a custom header. */
export function config(overrides: Partial<ProviderConfig>): ProviderConfig {
  return providerConfig(
    { name: "local", type: "openai-compatible", apiKey: "sk-test-secret" },
    overrides,
  );
}
