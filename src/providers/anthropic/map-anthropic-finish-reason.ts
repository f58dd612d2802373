import type { FinishReason } from "../chat-provider.js";

/**
 * Maps an Anthropic `stop_reason` to Switchboard's:
 * - `end_turn`, `stop_sequence` → "stop" (the answer is complete);
 * - `max_tokens` → "length";
 * - `model_context_window_exceeded` → "length" too: the answer was cut because the window is
 *   full, which for the caller is the same as running out of output tokens;
 * - `refusal` → "content_filter" (Claude's streaming classifiers stopped the answer);
 * - `tool_use` and `pause_turn` (the gateway sends no tools and no server tools, so these
 *   should not happen) and any reason added later → "unknown".
 */
export function mapAnthropicFinishReason(reason: string): FinishReason {
  switch (reason) {
    case "end_turn":
    case "stop_sequence":
      return "stop";
    case "max_tokens":
    case "model_context_window_exceeded":
      return "length";
    case "refusal":
      return "content_filter";
    default:
      return "unknown";
  }
}
