import type { TokenUsage as BedrockTokenUsage } from "@aws-sdk/client-bedrock-runtime";
import type { TokenUsage } from "../chat-provider.js";

/**
 * Maps the `usage` of a Converse `metadata` event to Switchboard's token counts; absent usage,
 * or usage without both counts, stays undefined.
 */
export function mapBedrockUsage(usage: BedrockTokenUsage | undefined): TokenUsage | undefined {
  if (usage === undefined) return undefined;
  const { inputTokens, outputTokens } = usage;
  if (typeof inputTokens !== "number" || typeof outputTokens !== "number") return undefined;
  return { inputTokens, outputTokens };
}
