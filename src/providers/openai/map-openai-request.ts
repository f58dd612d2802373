import type { ChatRequest } from "../chat-provider.js";
import type { OpenAiChatRequest } from "./openai-wire-schema.js";

/**
 * Which body field carries the output cap. OpenAI deprecated `max_tokens` (its reasoning models
 * reject it) in favour of `max_completion_tokens`, which OpenAI-compatible servers (Ollama, vLLM,
 * DeepSeek) do not know; so OpenAI gets the new field and everyone else the old one.
 */
export type MaxTokensField = "max_tokens" | "max_completion_tokens";

/** Options of `mapOpenAiRequest`. */
export interface MapOpenAiRequestOptions {
  /** The model name at the provider. */
  readonly model: string;
  readonly maxTokensField: MaxTokensField;
}

/**
 * Maps a provider-neutral request to a streaming Chat Completions body. Usage is requested with
 * `stream_options.include_usage`; unset sampling options are left out so that the provider's
 * defaults apply. The prefill is not mapped: these providers do not support it.
 */
export function mapOpenAiRequest(
  request: ChatRequest,
  options: MapOpenAiRequestOptions,
): OpenAiChatRequest {
  const body: OpenAiChatRequest = {
    model: options.model,
    messages: request.messages.map((message) => ({ role: message.role, content: message.content })),
    stream: true,
    stream_options: { include_usage: true },
  };
  const { temperature, maxTokens, topP, stop } = request.options;
  if (maxTokens !== undefined) body[options.maxTokensField] = maxTokens;
  if (temperature !== undefined) body.temperature = temperature;
  if (topP !== undefined) body.top_p = topP;
  if (stop !== undefined && stop.length > 0) body.stop = [...stop];
  return body;
}
