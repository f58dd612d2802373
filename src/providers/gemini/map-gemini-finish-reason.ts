import type { FinishReason } from "../chat-provider.js";

const CONTENT_FILTER_REASONS = new Set([
  "SAFETY",
  "RECITATION",
  "BLOCKLIST",
  "PROHIBITED_CONTENT",
  "SPII",
  "IMAGE_SAFETY",
]);

/**
 * Maps a Gemini `finishReason` (or a prompt's `promptFeedback.blockReason`) to Switchboard's:
 * STOP → stop; MAX_TOKENS → length; the safety family (SAFETY, RECITATION, BLOCKLIST,
 * PROHIBITED_CONTENT, SPII, IMAGE_SAFETY) → content_filter; everything else (OTHER, LANGUAGE,
 * MALFORMED_FUNCTION_CALL, FINISH_REASON_UNSPECIFIED, reasons added later) → unknown.
 */
export function mapGeminiFinishReason(reason: string): FinishReason {
  if (reason === "STOP") return "stop";
  if (reason === "MAX_TOKENS") return "length";
  if (CONTENT_FILTER_REASONS.has(reason)) return "content_filter";
  return "unknown";
}
