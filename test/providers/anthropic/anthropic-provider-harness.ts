import type { ProviderConfig } from "../../../src/config/gateway-config.js";
import { providerConfig } from "../provider-harness.js";

/** Helpers shared by the anthropic provider tests. */

export { call, collect, failureOf, promptCharacters, request } from "../provider-harness.js";

export const API_KEY = "sk-ant-api03-test-secret";

/** An anthropic provider "claude" with a key and a custom header. */
export function config(overrides: Partial<ProviderConfig>): ProviderConfig {
  return providerConfig({ name: "claude", type: "anthropic", apiKey: API_KEY }, overrides);
}
