import type { ProviderType } from "./gateway-config.js";

/** The wire format a provider type speaks. */
export type ProviderWire = "openai" | "anthropic" | "gemini" | "bedrock" | "demo";

/** What the configuration knows about one provider type. */
export interface ProviderTypeInfo {
  readonly wire: ProviderWire;
  /** The API's base URL when `baseUrl` is not configured; `undefined` when one is required. */
  readonly defaultBaseUrl: string | undefined;
  /** The environment variable users conventionally keep the key in. */
  readonly keyVariable: string | undefined;
  /** Whether the API refuses requests without a key (a missing key is a config problem). */
  readonly keyRequired: boolean;
}

const hosted = (
  wire: ProviderWire,
  defaultBaseUrl: string,
  keyVariable: string,
): ProviderTypeInfo => ({ wire, defaultBaseUrl, keyVariable, keyRequired: true });

/**
 * Every provider type: its wire format, default base URL and key variable. The presets of
 * `openai-compatible` differ from it only in these defaults (and in small dialect details the
 * OpenAI provider knows, see src/providers/openai/).
 */
export const PROVIDER_TYPE_INFO: Readonly<Record<ProviderType, ProviderTypeInfo>> = {
  openai: hosted("openai", "https://api.openai.com/v1", "OPENAI_API_KEY"),
  deepseek: hosted("openai", "https://api.deepseek.com/v1", "DEEPSEEK_API_KEY"),
  "azure-openai": {
    wire: "openai",
    defaultBaseUrl: undefined,
    keyVariable: "AZURE_OPENAI_API_KEY",
    keyRequired: true,
  },
  "openai-compatible": {
    wire: "openai",
    defaultBaseUrl: undefined,
    keyVariable: undefined,
    keyRequired: false,
  },
  mistral: hosted("openai", "https://api.mistral.ai/v1", "MISTRAL_API_KEY"),
  groq: hosted("openai", "https://api.groq.com/openai/v1", "GROQ_API_KEY"),
  openrouter: hosted("openai", "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY"),
  together: hosted("openai", "https://api.together.xyz/v1", "TOGETHER_API_KEY"),
  cerebras: hosted("openai", "https://api.cerebras.ai/v1", "CEREBRAS_API_KEY"),
  sambanova: hosted("openai", "https://api.sambanova.ai/v1", "SAMBANOVA_API_KEY"),
  huggingface: hosted("openai", "https://router.huggingface.co/v1", "HF_TOKEN"),
  "github-models": hosted("openai", "https://models.github.ai/inference", "GITHUB_TOKEN"),
  ollama: {
    wire: "openai",
    defaultBaseUrl: "http://127.0.0.1:11434/v1",
    keyVariable: undefined,
    keyRequired: false,
  },
  vllm: {
    wire: "openai",
    defaultBaseUrl: "http://127.0.0.1:8000/v1",
    keyVariable: "VLLM_API_KEY",
    keyRequired: false,
  },
  anthropic: hosted("anthropic", "https://api.anthropic.com/v1", "ANTHROPIC_API_KEY"),
  gemini: hosted("gemini", "https://generativelanguage.googleapis.com/v1beta", "GEMINI_API_KEY"),
  // Credentials come from the AWS chain (AWS_ACCESS_KEY_ID, AWS_PROFILE, …), not from a key.
  bedrock: { wire: "bedrock", defaultBaseUrl: "", keyVariable: undefined, keyRequired: false },
  demo: { wire: "demo", defaultBaseUrl: "", keyVariable: undefined, keyRequired: false },
};

/** The provider types, in the order the documentation lists them. */
export const PROVIDER_TYPES = Object.keys(PROVIDER_TYPE_INFO) as readonly ProviderType[];
