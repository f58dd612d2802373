import type { TokenUsage } from "../chat-provider.js";
import type { GeminiUsageMetadata } from "./gemini-wire-schema.js";

/**
 * Maps Gemini's `usageMetadata` to Switchboard's token counts; absent metadata stays undefined.
 * `outputTokens` is `candidatesTokenCount + thoughtsTokenCount`: thinking tokens are generated
 * and billed as output even though the gateway does not forward the thoughts, and `usage`
 * exists to account for what the attempt cost. Missing counts (a blocked prompt has no
 * candidates count) are 0.
 */
export function mapGeminiUsage(usage: GeminiUsageMetadata | undefined): TokenUsage | undefined {
  if (usage === undefined) return undefined;
  return {
    inputTokens: usage.promptTokenCount ?? 0,
    outputTokens: (usage.candidatesTokenCount ?? 0) + (usage.thoughtsTokenCount ?? 0),
  };
}
