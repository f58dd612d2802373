import type { FinishReason } from "../chat-provider.js";

/**
 * Maps a Converse `stopReason` to Switchboard's finish reason. `model_context_window_exceeded`
 * maps to "length": it arrives after the text, which is a valid answer cut short because the
 * window filled up, exactly like `max_tokens`; failing the attempt as `context_too_long` would
 * throw away text the caller may already have. `tool_use` (the gateway sends no tools),
 * `malformed_model_output`, `malformed_tool_use` and reasons added later map to "unknown".
 */
export function mapBedrockStopReason(stopReason: string): FinishReason {
  switch (stopReason) {
    case "end_turn":
    case "stop_sequence":
      return "stop";
    case "max_tokens":
    case "model_context_window_exceeded":
      return "length";
    case "content_filtered":
    case "guardrail_intervened":
      return "content_filter";
    default:
      return "unknown";
  }
}
