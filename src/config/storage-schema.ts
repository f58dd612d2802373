import { z } from "zod";
import { CONFIG_DEFAULTS as D } from "./config-defaults.js";
import { duration, integer, MINUTE_MS, oneOfMessage, trimmedString } from "./schema-primitives.js";

const UNAVAILABLE_POLICIES = ["fail", "stateless"] as const;

/**
 * `storage`: memory, or Valkey by `url` or AI Warp's `valkey: { host, port, … }`, optionally with
 * `tls` (a private CA) and `cluster`.
 */
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
      tls: z
        .strictObject({
          ca: trimmedString(
            "PEM file of the CA that signs Valkey's certificate, relative to the config file.",
          ),
          servername: trimmedString(
            "Name Valkey's certificate must be for, when it is not the URL's host.",
          ).optional(),
        })
        .meta({
          description:
            "Trust a private CA for rediss:// (or valkey.tls: true); without it the system's CAs are used.",
        })
        .optional(),
      cluster: z
        .boolean()
        .meta({
          description:
            "Valkey Cluster: url (or valkey.host/port) names one seed node; the others are discovered.",
          default: D.storage.valkeyCluster,
        })
        .optional(),
      whenUnavailable: z
        .enum(UNAVAILABLE_POLICIES, { error: oneOfMessage(UNAVAILABLE_POLICIES) })
        .meta({
          description:
            'While Valkey cannot be reached: "fail" refuses to start and fails every RPC that needs state with UNAVAILABLE; "stateless" starts anyway and keeps answering Prompt without session_id (nothing stored, rate limits fail open and are logged), the rest fails UNAVAILABLE.',
          default: D.storage.whenUnavailable,
        })
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
