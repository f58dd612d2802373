import { z } from "zod";
import { CONFIG_DEFAULTS as D } from "./config-defaults.js";
import { duration, integer, MINUTE_MS, oneOfMessage, trimmedString } from "./schema-primitives.js";

/** `storage`: memory, or Valkey by `url` or AI Warp's `valkey: { host, port, … }`. */
export const storageSchema = z.discriminatedUnion(
  "type",
  [
    z.strictObject({ type: z.literal("memory") }),
    z.strictObject({
      type: z.literal("valkey"),
      url: z
        .string()
        .meta({
          description: `redis://, rediss://, valkey:// or valkeys:// URL. Default ${D.storage.valkeyUrl}.`,
        })
        .optional(),
      valkey: z
        .strictObject({
          host: trimmedString("Valkey host.", D.storage.valkeyHost).optional(),
          port: integer("Valkey port.", { min: 1, max: 65_535 }, D.storage.valkeyPort).optional(),
          username: z.string().optional(),
          password: z.string().optional(),
          database: integer("Database number.", { min: 0, max: 1_000 }).optional(),
          tls: z.boolean().optional(),
        })
        .meta({ description: "AI Warp style connection fields; the alternative to url." })
        .optional(),
      keyPrefix: z
        .string()
        .max(100)
        .meta({ description: "Prefix of every key.", default: D.storage.valkeyKeyPrefix })
        .optional(),
      streamLease: duration(
        "A stream's producer lease: readers on other instances learn within about this time that the producing instance died.",
        { minMs: 100, maxMs: MINUTE_MS },
        D.storage.streamLeaseMs,
      ).optional(),
    }),
  ],
  { error: oneOfMessage(["memory", "valkey"]) },
);
