import { z } from "zod";
import { CONFIG_DEFAULTS as D } from "./config-defaults.js";
import type { ProviderType } from "./gateway-config.js";
import { duration, httpUrl, integer, oneOfMessage, SECOND_MS } from "./schema-primitives.js";

/** The provider types the gateway can talk to. */
export const PROVIDER_TYPES = [
  "openai",
  "deepseek",
  "openai-compatible",
  "demo",
] as const satisfies readonly ProviderType[];

/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** One entry of `providers`. */
export const providerSchema = z.strictObject({
  type: z
    .enum(PROVIDER_TYPES, { error: oneOfMessage(PROVIDER_TYPES) })
    .meta({ description: "Wire format; defaults to the provider's name when that is a type." })
    .optional(),
  baseUrl: httpUrl(
    `API base URL. Defaults: openai ${D.provider.baseUrls.openai}, deepseek ${D.provider.baseUrls.deepseek}; required for openai-compatible.`,
  ).optional(),
  apiKey: z
    .string()
    .meta({ description: `Secret; write \${OPENAI_API_KEY} to read it from the environment.` })
    .optional(),
  headers: z
    .record(z.string(), z.string())
    .check((ctx) => {
      for (const [header, value] of Object.entries(ctx.value)) {
        if (!HEADER_NAME.test(header)) {
          const message = "is not a valid HTTP header name";
          ctx.issues.push({ code: "custom", message, path: [header], input: header });
        } else if (/[\r\n\0]/.test(value)) {
          const message = "header values must not contain line breaks";
          ctx.issues.push({ code: "custom", message, path: [header], input: header });
        }
      }
    })
    .meta({ description: "Extra request headers sent upstream." })
    .optional(),
  maxConnections: integer(
    "Keep-alive connections per origin.",
    { min: 1, max: 1_000 },
    D.provider.maxConnections,
  ).optional(),
  delay: duration(
    "demo only: delay between streamed words.",
    { minMs: 0, maxMs: 10 * SECOND_MS },
    D.provider.demoDelayMs,
  ).optional(),
});

/** One provider as parsed from the file. */
export type ProviderFile = z.output<typeof providerSchema>;
