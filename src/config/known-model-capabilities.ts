import type { ModelCapabilities } from "./gateway-config.js";

interface KnownModel {
  /** Matched against the model name at the provider, so Bedrock ids and aliases match too. */
  readonly pattern: RegExp;
  readonly capabilities: ModelCapabilities;
}

const known = (
  pattern: RegExp,
  contextWindowTokens: number,
  maxOutputTokens: number | undefined,
  prefill: boolean,
): KnownModel => ({ pattern, capabilities: { contextWindowTokens, maxOutputTokens, prefill } });

/**
 * Published limits of widely used models, from the providers' model pages. Only models whose
 * limits are documented are listed; anything else is unknown, and a model's `capabilities` in
 * the configuration always wins. First match wins, so specific patterns come first.
 */
const KNOWN_MODELS: readonly KnownModel[] = [
  // OpenAI: platform.openai.com/docs/models
  known(/(^|[/.])gpt-4o(-mini)?(\b|-)/, 128_000, 16_384, false),
  known(/(^|[/.])gpt-4\.1(-mini|-nano)?(\b|-)/, 1_047_576, 32_768, false),
  known(/(^|[/.])gpt-5(-mini|-nano)?(\b|-)/, 400_000, 128_000, false),
  known(/(^|[/.])o(3|4-mini)(\b|-)/, 200_000, 100_000, false),
  // DeepSeek: api-docs.deepseek.com/quick_start/pricing
  known(/^deepseek-chat$/, 128_000, 8_192, false),
  known(/^deepseek-reasoner$/, 128_000, 65_536, false),
  // Anthropic (also through Bedrock): docs.anthropic.com/en/docs/about-claude/models
  known(/claude-3-5-haiku/, 200_000, 8_192, true),
  known(/claude-3-7-sonnet/, 200_000, 64_000, true),
  known(/claude-opus-4-5/, 200_000, 64_000, true),
  known(/claude-(opus-4-1|opus-4)(\b|-)/, 200_000, 32_000, true),
  known(/claude-(sonnet-4-5|sonnet-4|haiku-4-5)(\b|-)/, 200_000, 64_000, true),
  // Google: ai.google.dev/gemini-api/docs/models
  known(/gemini-2\.5-(pro|flash|flash-lite)(\b|-)/, 1_048_576, 65_536, false),
  known(/gemini-2\.0-flash/, 1_048_576, 8_192, false),
  // Meta Llama 3.1 / 3.3 (any host): a 128K window; output limits differ by host.
  known(/llama-?3[.-][13]/i, 128_000, undefined, false),
];

const UNKNOWN: ModelCapabilities = {
  contextWindowTokens: undefined,
  maxOutputTokens: undefined,
  prefill: undefined,
};

/** The built-in capabilities of a model name, or all-unknown. */
export function knownModelCapabilities(model: string): ModelCapabilities {
  return KNOWN_MODELS.find((entry) => entry.pattern.test(model))?.capabilities ?? UNKNOWN;
}
