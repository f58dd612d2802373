import { z } from "zod";
import { DAY_MS, duration, integer, SECOND_MS, trimmedString } from "./schema-primitives.js";

/** AI Warp's `rate`: requests per fixed window. */
export const rateSchema = z
  .strictObject({
    max: integer("Requests allowed per window.", { min: 1, max: 1_000_000_000 }),
    timeWindow: duration("Window length.", { minMs: SECOND_MS, maxMs: 7 * DAY_MS }),
  })
  .meta({ description: "Requests per fixed window (AI Warp's `rate`)." });

/** A cap on generated tokens per request. */
export const maxTokensSchema = integer("Cap on generated tokens per request.", {
  min: 1,
  max: 10_000_000,
});

const modelLimitsSchema = z.strictObject({
  maxTokens: maxTokensSchema.optional(),
  rate: rateSchema.optional(),
});

const capabilitiesSchema = z
  .strictObject({
    contextWindow: integer("Input plus output tokens the model accepts.", {
      min: 1,
      max: 100_000_000,
    }).optional(),
    maxOutput: integer("The most tokens one answer may have.", {
      min: 1,
      max: 10_000_000,
    }).optional(),
    prefill: z
      .boolean()
      .meta({ description: "Whether the model continues an assistant prefill." })
      .optional(),
  })
  .meta({
    description: "What the model can take and give; overrides the built-in table (see the README).",
  });

const modelString = z
  .string()
  .meta({ pattern: "^[^:\\s]+:\\S.*$", description: '"provider:model", split at the first colon.' })
  .transform((text, ctx) => {
    const colon = text.indexOf(":");
    const provider = text.slice(0, colon);
    const model = text.slice(colon + 1);
    if (colon <= 0 || model === "" || provider.trim() !== provider || model.trim() !== model) {
      const message = `"${text}" is not "provider:model" (e.g. "openai:gpt-4o-mini")`;
      ctx.issues.push({ code: "custom", message, input: text });
      return z.NEVER;
    }
    return { provider, model, limits: undefined, capabilities: undefined };
  });

const modelObject = z.strictObject({
  provider: trimmedString("A configured provider's name."),
  model: trimmedString("The model name at the provider (may contain colons)."),
  limits: modelLimitsSchema.optional(),
  capabilities: capabilitiesSchema.optional(),
});

/** One entry of `models`: a `"provider:model"` string or an object with limits. */
export const modelEntrySchema = z.union([modelString, modelObject], {
  error: 'expected "provider:model" or { provider, model, limits }',
});

/** One model entry as parsed from the file. */
export type ModelEntry = z.output<typeof modelEntrySchema>;
