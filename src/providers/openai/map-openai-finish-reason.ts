import type { FinishReason } from "../chat-provider.js";

/**
 * Maps an OpenAI `finish_reason` to Switchboard's. Tool and function calls are not requested by
 * the gateway, so they (and any reason a compatible server invents) map to "unknown".
 */
export function mapOpenAiFinishReason(reason: string): FinishReason {
  switch (reason) {
    case "stop":
      return "stop";
    case "length":
      return "length";
    case "content_filter":
      return "content_filter";
    default:
      return "unknown";
  }
}
