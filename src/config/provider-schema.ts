import { z } from "zod";
import { CONFIG_DEFAULTS as D } from "./config-defaults.js";
import type { ProviderType } from "./gateway-config.js";
import { PROVIDER_TYPES } from "./provider-types.js";
import { duration, httpUrl, integer, oneOfMessage, SECOND_MS } from "./schema-primitives.js";

/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** One entry of `providers`. */
export const providerSchema = z.strictObject({
  type: z
    .enum(PROVIDER_TYPES as [ProviderType, ...ProviderType[]], {
      error: oneOfMessage(PROVIDER_TYPES),
    })
    .meta({ description: "Wire format; defaults to the provider's name when that is a type." })
    .optional(),
  baseUrl: httpUrl(
    "API base URL; every hosted type has a default (see the README's provider table). Required for openai-compatible and azure-openai (the resource endpoint, https://NAME.openai.azure.com); for bedrock an endpoint override.",
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
  apiVersion: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/, "letters, digits, '.', '_' and '-' only")
    .meta({ description: "azure-openai only: the api-version query parameter." })
    .optional(),
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'an AWS region such as "us-east-1"')
    .meta({ description: "bedrock only: the AWS region; default from AWS_REGION or the profile." })
    .optional(),
  delay: duration(
    "demo only: delay between streamed words.",
    { minMs: 0, maxMs: 10 * SECOND_MS },
    D.provider.demoDelayMs,
  ).optional(),
});

/** One provider as parsed from the file. */
export type ProviderFile = z.output<typeof providerSchema>;
