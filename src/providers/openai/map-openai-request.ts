import type { ChatRequest } from "../chat-provider.js";
import type { MaxTokensField } from "./openai-dialects.js";
import type { OpenAiChatRequest } from "./openai-wire-schema.js";

export type { MaxTokensField } from "./openai-dialects.js";

/** Options of `mapOpenAiRequest`. */
export interface MapOpenAiRequestOptions {
  /** The model name at the provider (for Azure, the deployment; it is in the URL too). */
  readonly model: string;
  readonly maxTokensField: MaxTokensField;
  /** Whether to ask for usage with `stream_options.include_usage`. Default true. */
  readonly streamOptions?: boolean | undefined;
}

/**
 * Maps a provider-neutral request to a streaming Chat Completions body. Usage is requested with
 * `stream_options.include_usage` unless the dialect says otherwise; unset sampling options are
 * left out so that the provider's defaults apply. The prefill is not mapped: these providers do
 * not support it.
 */
export function mapOpenAiRequest(
  request: ChatRequest,
  options: MapOpenAiRequestOptions,
): OpenAiChatRequest {
  const body: OpenAiChatRequest = {
    model: options.model,
    messages: request.messages.map((message) => ({ role: message.role, content: message.content })),
    stream: true,
  };
  if (options.streamOptions ?? true) body.stream_options = { include_usage: true };
  const { temperature, maxTokens, topP, stop } = request.options;
  if (maxTokens !== undefined) body[options.maxTokensField] = maxTokens;
  if (temperature !== undefined) body.temperature = temperature;
  if (topP !== undefined) body.top_p = topP;
  if (stop !== undefined && stop.length > 0) body.stop = [...stop];
  return body;
}
