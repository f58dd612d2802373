import type { ChatRequest } from "../chat-provider.js";
import type { GeminiGenerationConfig, GeminiRequest } from "./gemini-wire-schema.js";

/**
 * Maps a provider-neutral request to a `streamGenerateContent` body: system messages become
 * `systemInstruction` (one part each, in order), user and assistant turns become `contents`
 * with roles "user" and "model". `generationConfig` carries only the options that are set, so
 * that the model's defaults apply otherwise; no output cap is invented (the API needs none).
 * The prefill is not mapped: the provider refuses it.
 */
export function mapGeminiRequest(request: ChatRequest): GeminiRequest {
  const system = request.messages.filter((message) => message.role === "system");
  const body: GeminiRequest = {
    contents: request.messages
      .filter((message) => message.role !== "system")
      .map((message) => ({
        role: message.role === "assistant" ? "model" : "user",
        parts: [{ text: message.content }],
      })),
  };
  if (system.length > 0) {
    body.systemInstruction = { parts: system.map((message) => ({ text: message.content })) };
  }
  const { temperature, maxTokens, topP, stop } = request.options;
  const config: GeminiGenerationConfig = {};
  if (temperature !== undefined) config.temperature = temperature;
  if (topP !== undefined) config.topP = topP;
  if (maxTokens !== undefined) config.maxOutputTokens = maxTokens;
  if (stop !== undefined && stop.length > 0) config.stopSequences = [...stop];
  if (Object.keys(config).length > 0) body.generationConfig = config;
  return body;
}
