import { z } from "zod";

/**
 * The OpenAI Chat Completions wire format, as far as Switchboard uses it. Response schemas are
 * lenient where OpenAI-compatible servers differ (vLLM sends `choices: null` on the usage chunk,
 * Ollama omits `id`, Azure sends a first chunk with `choices: []` and `prompt_filter_results`);
 * unknown keys (Azure's `content_filter_results` …) are dropped.
 */

/** One message of a request body. */
export const openAiMessageSchema = z.object({
  role: z.enum(["system", "user", "assistant"]),
  content: z.string(),
});

/** The body of `POST /chat/completions` as Switchboard sends it. */
export const openAiChatRequestSchema = z.object({
  model: z.string(),
  messages: z.array(openAiMessageSchema),
  stream: z.boolean().optional(),
  stream_options: z.object({ include_usage: z.boolean() }).optional(),
  /** Understood by OpenAI-compatible servers (Ollama, vLLM, DeepSeek); deprecated at OpenAI. */
  max_tokens: z.number().int().positive().optional(),
  /** OpenAI's replacement of `max_tokens`, required by its reasoning models. */
  max_completion_tokens: z.number().int().positive().optional(),
  temperature: z.number().optional(),
  top_p: z.number().optional(),
  stop: z.array(z.string()).optional(),
});

/** Token counts; `total_tokens` is not used. */
export const openAiUsageSchema = z.object({
  prompt_tokens: z.number(),
  completion_tokens: z.number(),
  total_tokens: z.number().optional(),
});

/** One `chat.completion.chunk` of a streamed answer (the JSON of one SSE `data:` line). */
export const openAiChatChunkSchema = z.object({
  id: z.string().optional(),
  object: z.string().optional(),
  created: z.number().optional(),
  model: z.string().optional(),
  choices: z
    .array(
      z.object({
        index: z.number().optional(),
        delta: z
          .object({
            role: z.string().nullish(),
            content: z.string().nullish(),
          })
          .nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .nullish(),
  usage: openAiUsageSchema.nullish(),
  /** Groq's older streams: the usage of the whole answer, in the last chunk only. */
  x_groq: z.object({ usage: openAiUsageSchema.nullish() }).nullish(),
});

/**
 * An error body: `{ error: { message, type, code, param } }`. Azure adds
 * `innererror.code` ("ResponsibleAIPolicyViolation"); some compatible servers send
 * `{ error: "text" }` or a top-level `message`.
 */
export const openAiErrorBodySchema = z.object({
  error: z
    .union([
      z.string(),
      z.object({
        message: z.string().nullish(),
        type: z.string().nullish(),
        code: z.union([z.string(), z.number()]).nullish(),
        param: z.string().nullish(),
        innererror: z.object({ code: z.string().nullish() }).nullish(),
      }),
    ])
    .optional(),
  message: z.string().optional(),
});

export type OpenAiMessage = z.infer<typeof openAiMessageSchema>;
export type OpenAiChatRequest = z.infer<typeof openAiChatRequestSchema>;
export type OpenAiUsage = z.infer<typeof openAiUsageSchema>;
export type OpenAiChatChunk = z.infer<typeof openAiChatChunkSchema>;
export type OpenAiErrorBody = z.infer<typeof openAiErrorBodySchema>;
