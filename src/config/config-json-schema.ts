import { z } from "zod";
import { configFileSchema } from "./config-schema.js";

let cached: Readonly<Record<string, unknown>> | undefined;

/**
 * The JSON Schema (draft 2020-12) of the configuration FILE, generated from the zod schema
 * (input side: what users write, durations as strings or milliseconds). Error messages consult
 * it to list allowed keys. Shared: do not mutate.
 */
export function configJsonSchema(): Readonly<Record<string, unknown>> {
  cached ??= z.toJSONSchema(configFileSchema, { io: "input" }) as Record<string, unknown>;
  return cached;
}

/** The text of `config.schema.json`, as `scripts/write-config-schema.ts` writes it. */
export function renderConfigJsonSchema(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
