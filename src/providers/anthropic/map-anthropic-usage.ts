import type { TokenUsage } from "../chat-provider.js";
import type { AnthropicDeltaUsage, AnthropicUsage } from "./anthropic-wire-schema.js";

/**
 * Input token counts of an answer. Anthropic reports the prompt in three parts: `input_tokens`
 * (after the last cache breakpoint), `cache_creation_input_tokens` (written to the cache) and
 * `cache_read_input_tokens` (read from it).
 */
export interface AnthropicInputTokens {
  readonly uncached: number;
  readonly cacheCreation: number;
  readonly cacheRead: number;
}

/** The input counts of `message_start.message.usage` (or of a non-streamed message). */
export function anthropicInputTokens(
  usage: AnthropicUsage | AnthropicDeltaUsage,
): AnthropicInputTokens | undefined {
  if (usage.input_tokens === null || usage.input_tokens === undefined) return undefined;
  return {
    uncached: usage.input_tokens,
    cacheCreation: usage.cache_creation_input_tokens ?? 0,
    cacheRead: usage.cache_read_input_tokens ?? 0,
  };
}

/**
 * Maps Anthropic's counts to Switchboard's. `inputTokens` is the WHOLE prompt: uncached plus
 * cache-creation plus cache-read tokens, so that it means the same as OpenAI's `prompt_tokens`
 * (which includes cached tokens) and a cache hit does not look like a tiny prompt. The split
 * (cache reads cost a tenth) is not part of `TokenUsage`. `outputTokens` is the cumulative count
 * of the last `message_delta`. Returns undefined when either side is unknown.
 */
export function mapAnthropicUsage(
  input: AnthropicInputTokens | undefined,
  outputTokens: number | undefined,
): TokenUsage | undefined {
  if (input === undefined || outputTokens === undefined) return undefined;
  return {
    inputTokens: input.uncached + input.cacheCreation + input.cacheRead,
    outputTokens,
  };
}
