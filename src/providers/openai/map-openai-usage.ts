import type { TokenUsage } from "../chat-provider.js";
import type { OpenAiUsage } from "./openai-wire-schema.js";

/** Maps OpenAI's `usage` to Switchboard's token counts; absent usage stays undefined. */
export function mapOpenAiUsage(usage: OpenAiUsage | null | undefined): TokenUsage | undefined {
  if (usage === null || usage === undefined) return undefined;
  return { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens };
}
