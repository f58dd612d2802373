import type { OpenAiCompatiblePreset, ProviderType } from "../../config/gateway-config.js";

/**
 * Which body field carries the output cap. OpenAI deprecated `max_tokens` (its reasoning models
 * reject it) in favour of `max_completion_tokens`, which most compatible servers do not know.
 */
export type MaxTokensField = "max_tokens" | "max_completion_tokens";

/** How the key is sent: `Authorization: Bearer <key>`, or Azure's `api-key: <key>` header. */
export type OpenAiAuthScheme = "bearer" | "api-key";

/** The small ways in which servers that speak the Chat Completions wire differ. */
export interface OpenAiDialect {
  readonly maxTokensField: MaxTokensField;
  /**
   * Whether to send `stream_options: {include_usage: true}`. False for servers that reject the
   * field or ignore it because they always send the usage (in the finish chunk or after it).
   */
  readonly streamOptions: boolean;
  readonly auth: OpenAiAuthScheme;
}

/** The provider types that speak the OpenAI wire. */
export type OpenAiWireType =
  | "openai"
  | "azure-openai"
  | "deepseek"
  | "openai-compatible"
  | OpenAiCompatiblePreset;

const compatible = (streamOptions: boolean): OpenAiDialect => ({
  maxTokensField: "max_tokens",
  streamOptions,
  auth: "bearer",
});

/**
 * The dialect of every OpenAI-wire provider type. The key is sent only when one is configured
 * (Ollama and vLLM run without one). The reader takes usage from wherever it comes (its own
 * chunk, the finish chunk, Groq's `x_groq.usage`), so leaving `stream_options` out where it
 * was needed only costs the usage, while sending it to a strict server fails every request.
 */
export const OPENAI_DIALECTS: Readonly<Record<OpenAiWireType, OpenAiDialect>> = {
  // https://platform.openai.com/docs/api-reference/chat/create (max_tokens deprecated)
  openai: { maxTokensField: "max_completion_tokens", streamOptions: true, auth: "bearer" },
  // https://learn.microsoft.com/azure/ai-foundry/openai/how-to/reasoning: reasoning deployments
  // accept only max_completion_tokens; https://learn.microsoft.com/azure/ai-services/openai/reference
  // (api-key header, stream_options).
  "azure-openai": {
    maxTokensField: "max_completion_tokens",
    streamOptions: true,
    auth: "api-key",
  },
  // https://api-docs.deepseek.com/api/create-chat-completion (max_tokens, stream_options)
  deepseek: compatible(true),
  // Unknown server: the OpenAI convention that vLLM, llama.cpp, LiteLLM … follow.
  "openai-compatible": compatible(true),
  // https://docs.mistral.ai/api/#tag/chat: no stream_options; the last chunk carries usage.
  mistral: compatible(false),
  // https://console.groq.com/docs/api-reference#chat-create (stream_options.include_usage);
  // older streams put usage in the last chunk's x_groq.usage.
  groq: compatible(true),
  // https://openrouter.ai/docs/client-sdks/typescript/models/chatstreamoptions: include_usage
  // "has no effect. Full usage details are always included."
  openrouter: compatible(false),
  // https://docs.together.ai/reference/chat-completions-1: usage comes in the finish chunk.
  together: compatible(false),
  // https://inference-docs.cerebras.ai/resources/openai: usage comes in the finish chunk;
  // unsupported fields are refused with 400.
  cerebras: compatible(false),
  // https://docs.sambanova.ai/cloud/api-reference/endpoints/chat (stream_options.include_usage)
  sambanova: compatible(true),
  // https://huggingface.co/docs/inference-providers/tasks/chat-completion (stream_options)
  huggingface: compatible(true),
  // https://docs.github.com/en/rest/models/inference (Bearer GITHUB_TOKEN, stream_options)
  "github-models": compatible(true),
  // https://docs.ollama.com/api/openai-compatibility (stream_options.include_usage, max_tokens)
  ollama: compatible(true),
  // https://docs.vllm.ai/en/latest/serving/openai_compatible_server.html (stream_options)
  vllm: compatible(true),
};

/** The dialect of a provider type; throws an `Error` for a type that does not speak the wire. */
export function openAiDialectOf(type: ProviderType): OpenAiDialect {
  const dialect: OpenAiDialect | undefined = Object.hasOwn(OPENAI_DIALECTS, type)
    ? OPENAI_DIALECTS[type as OpenAiWireType]
    : undefined;
  if (dialect === undefined)
    throw new Error(`provider type ${type} does not speak the OpenAI wire`);
  return dialect;
}
