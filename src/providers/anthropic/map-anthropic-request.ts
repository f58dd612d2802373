import type { ChatRequest } from "../chat-provider.js";
import type { AnthropicMessage, AnthropicRequest } from "./anthropic-wire-schema.js";

/**
 * The `max_tokens` sent when neither the request (`options.maxTokens`) nor the model's
 * configured capabilities (`maxOutputTokens`) give one: the API requires the field, and 4096 is
 * the largest answer every Claude model accepts (Claude 3 Haiku's limit), so it is never refused.
 */
export const DEFAULT_ANTHROPIC_MAX_TOKENS = 4096;

/** Anthropic accepts temperatures in [0, 1]; OpenAI-style values up to 2 are clamped to 1. */
const MAX_TEMPERATURE = 1;

/** Options of `mapAnthropicRequest`. */
export interface MapAnthropicRequestOptions {
  /** The model name at the provider. */
  readonly model: string;
  /** The model's largest answer in tokens, when known (`ChatCallOptions.maxOutputTokens`). */
  readonly maxOutputTokens?: number | undefined;
  /**
   * The final assistant message's content (the prefill with its trailing whitespace cut, see
   * `prepareAnthropicPrefill`); undefined or "" sends none.
   */
  readonly prefillText?: string | undefined;
}

/**
 * Maps a provider-neutral request to a streaming Messages API body:
 * - system messages become the top-level `system` (joined by a blank line; left out when none
 *   or empty): the API has no "system" role;
 * - user and assistant turns become `messages` with string content, then the prefill, if any,
 *   as a final assistant message;
 * - `max_tokens` = `options.maxTokens` ?? `maxOutputTokens` ?? `DEFAULT_ANTHROPIC_MAX_TOKENS`;
 * - `temperature` (clamped to [0, 1], so that a route shared with OpenAI models, which accept
 *   up to 2, does not fail here as a rejected request), `top_p`, `stop_sequences` only when set.
 */
export function mapAnthropicRequest(
  request: ChatRequest,
  options: MapAnthropicRequestOptions,
): AnthropicRequest {
  const systemTexts: string[] = [];
  const messages: AnthropicMessage[] = [];
  for (const message of request.messages) {
    if (message.role === "system") {
      if (message.content !== "") systemTexts.push(message.content);
    } else {
      messages.push({ role: message.role, content: message.content });
    }
  }
  if (options.prefillText !== undefined && options.prefillText !== "") {
    messages.push({ role: "assistant", content: options.prefillText });
  }
  const { temperature, maxTokens, topP, stop } = request.options;
  const body: AnthropicRequest = {
    model: options.model,
    max_tokens: maxTokens ?? options.maxOutputTokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS,
    messages,
    stream: true,
  };
  if (systemTexts.length > 0) body.system = systemTexts.join("\n\n");
  if (temperature !== undefined)
    body.temperature = Math.min(Math.max(temperature, 0), MAX_TEMPERATURE);
  if (topP !== undefined) body.top_p = topP;
  if (stop !== undefined && stop.length > 0) body.stop_sequences = [...stop];
  return body;
}
