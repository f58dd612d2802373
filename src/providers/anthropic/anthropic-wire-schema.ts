import { z } from "zod";

/**
 * The Anthropic Messages API wire format (`anthropic-version: 2023-06-01`), as far as
 * Switchboard uses it. Response schemas keep only the fields read; unknown keys are dropped, so
 * that fields Anthropic adds later (its versioning policy allows it) never break parsing.
 */

/** One message of a request body; Switchboard sends text content as a plain string. */
export const anthropicMessageSchema = z.object({
  role: z.enum(["user", "assistant"]),
  content: z.string(),
});

/** The body of `POST /v1/messages` as Switchboard sends it. */
export const anthropicRequestSchema = z.object({
  model: z.string(),
  /** Required by the API. */
  max_tokens: z.number().int().positive(),
  /** The system prompt: a top-level field, never a message role. */
  system: z.string().optional(),
  messages: z.array(anthropicMessageSchema),
  temperature: z.number().optional(),
  top_p: z.number().optional(),
  stop_sequences: z.array(z.string()).optional(),
  stream: z.boolean().optional(),
});

const tokenCount = z.number().int().nonnegative();

/**
 * Token counts. `input_tokens` excludes the tokens read from or written to the prompt cache,
 * which are counted separately.
 */
export const anthropicUsageSchema = z.object({
  input_tokens: tokenCount,
  output_tokens: tokenCount,
  cache_creation_input_tokens: tokenCount.nullish(),
  cache_read_input_tokens: tokenCount.nullish(),
});

/** `message_delta.usage`: `output_tokens` is cumulative; newer API versions repeat the input. */
export const anthropicDeltaUsageSchema = z.object({
  output_tokens: tokenCount,
  input_tokens: tokenCount.nullish(),
  cache_creation_input_tokens: tokenCount.nullish(),
  cache_read_input_tokens: tokenCount.nullish(),
});

/** The error object of an error body and of an `error` stream event. */
export const anthropicErrorSchema = z.object({
  type: z.string(),
  message: z.string().nullish(),
});

/** An error body (and `event: error` data): `{type: "error", error: {type, message}, request_id}`. */
export const anthropicErrorBodySchema = z.object({
  type: z.literal("error").optional(),
  error: anthropicErrorSchema,
  request_id: z.string().nullish(),
});

const contentBlockSchema = z.looseObject({ type: z.string(), text: z.string().optional() });

/** The events of a streamed answer, discriminated by `type` (equal to the SSE event name). */
export const anthropicStreamEventSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("message_start"),
    message: z.object({ usage: anthropicUsageSchema.nullish() }),
  }),
  z.object({
    type: z.literal("content_block_start"),
    index: z.number(),
    content_block: contentBlockSchema,
  }),
  z.object({
    type: z.literal("content_block_delta"),
    index: z.number(),
    // Text, thinking, signature, input_json, citations …: only text_delta carries answer text.
    delta: z.looseObject({ type: z.string(), text: z.string().optional() }),
  }),
  z.object({ type: z.literal("content_block_stop"), index: z.number() }),
  z.object({
    type: z.literal("message_delta"),
    delta: z.object({ stop_reason: z.string().nullish() }),
    usage: anthropicDeltaUsageSchema.nullish(),
  }),
  z.object({ type: z.literal("message_stop") }),
  z.object({ type: z.literal("ping") }),
  z.object({ type: z.literal("error"), error: anthropicErrorSchema }),
]);

export type AnthropicMessage = z.infer<typeof anthropicMessageSchema>;
export type AnthropicRequest = z.infer<typeof anthropicRequestSchema>;
export type AnthropicUsage = z.infer<typeof anthropicUsageSchema>;
export type AnthropicDeltaUsage = z.infer<typeof anthropicDeltaUsageSchema>;
export type AnthropicErrorBody = z.infer<typeof anthropicErrorBodySchema>;
export type AnthropicStreamEvent = z.infer<typeof anthropicStreamEventSchema>;
