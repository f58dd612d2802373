import { z } from "zod";

/**
 * The Gemini API (Generative Language API, `v1beta`) wire format, as far as Switchboard uses it.
 * Response schemas are lenient: every field the gateway does not need is optional, and unknown
 * keys (`safetyRatings`, `citationMetadata`, `thoughtSignature` …) are dropped.
 */

/** One text part of a request `Content`. */
export const geminiTextPartSchema = z.object({ text: z.string() });

/** One turn of `contents`: "user" or "model" (the assistant). */
export const geminiContentSchema = z.object({
  role: z.enum(["user", "model"]),
  parts: z.array(geminiTextPartSchema),
});

/** `generationConfig` with only the sampling fields the gateway sets. */
export const geminiGenerationConfigSchema = z.object({
  temperature: z.number().optional(),
  topP: z.number().optional(),
  maxOutputTokens: z.number().int().positive().optional(),
  stopSequences: z.array(z.string()).optional(),
});

/** The body of `POST …/models/{model}:streamGenerateContent` as Switchboard sends it. */
export const geminiRequestSchema = z.object({
  contents: z.array(geminiContentSchema),
  systemInstruction: z.object({ parts: z.array(geminiTextPartSchema) }).optional(),
  generationConfig: geminiGenerationConfigSchema.optional(),
});

/** Token counts; every count may be absent (a blocked prompt has no candidates count). */
export const geminiUsageMetadataSchema = z.object({
  promptTokenCount: z.number().optional(),
  candidatesTokenCount: z.number().optional(),
  thoughtsTokenCount: z.number().optional(),
  totalTokenCount: z.number().optional(),
});

/** A response part: text, possibly a thought summary (`thought: true`). */
export const geminiResponsePartSchema = z.object({
  text: z.string().optional(),
  thought: z.boolean().optional(),
});

/** One `GenerateContentResponse`: a streamed chunk, or the whole unary answer. */
export const geminiResponseSchema = z.object({
  candidates: z
    .array(
      z.object({
        content: z
          .object({
            role: z.string().optional(),
            parts: z.array(geminiResponsePartSchema).optional(),
          })
          .optional(),
        finishReason: z.string().optional(),
        index: z.number().optional(),
      }),
    )
    .optional(),
  promptFeedback: z.object({ blockReason: z.string().optional() }).optional(),
  usageMetadata: geminiUsageMetadataSchema.optional(),
  modelVersion: z.string().optional(),
  responseId: z.string().optional(),
});

/**
 * A Google API error (`google.rpc.Status` in JSON): `{ error: { code, message, status,
 * details } }`; `details` entries are typed by `@type` (ErrorInfo has `reason`, RetryInfo has
 * `retryDelay` as a protobuf duration string such as "30s" or "45.837906927s").
 */
export const geminiErrorBodySchema = z.object({
  error: z.object({
    code: z.number().optional(),
    message: z.string().optional(),
    status: z.string().optional(),
    details: z
      .array(
        z.looseObject({
          "@type": z.string().optional(),
          reason: z.string().optional(),
          retryDelay: z.string().optional(),
        }),
      )
      .optional(),
  }),
});

export type GeminiContent = z.infer<typeof geminiContentSchema>;
export type GeminiGenerationConfig = z.infer<typeof geminiGenerationConfigSchema>;
export type GeminiRequest = z.infer<typeof geminiRequestSchema>;
export type GeminiUsageMetadata = z.infer<typeof geminiUsageMetadataSchema>;
export type GeminiResponse = z.infer<typeof geminiResponseSchema>;
export type GeminiErrorBody = z.infer<typeof geminiErrorBodySchema>;
