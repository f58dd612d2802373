import { z } from "zod";
import { CONFIG_DEFAULTS as D } from "./config-defaults.js";
import { formatDuration } from "./duration.js";
import { maxTokensSchema, modelEntrySchema, rateSchema } from "./model-schema.js";
import { providerSchema } from "./provider-schema.js";
import {
  DAY_MS,
  duration,
  HOUR_MS,
  integer,
  MINUTE_MS,
  oneOfMessage,
  SECOND_MS,
  trimmedString,
} from "./schema-primitives.js";
import { storageSchema } from "./storage-schema.js";

/**
 * The configuration FILE format (YAML or JSON), strict: every object rejects unknown keys.
 * Leaves are parsed here (durations to milliseconds, integers, URLs, `"provider:model"`);
 * defaults, aliases and cross-references (a model's provider, duplicate ids) are the resolver's
 * job (`resolve-config.ts`), because they span sections and must be reported even when another
 * section is invalid. `config.schema.json` is generated from this schema.
 */

const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
const MID_STREAM_POLICIES = ["restart", "continue", "fail"] as const;

const corsOrigin = z.string().check((ctx) => {
  const origin = ctx.value;
  const valid = origin === "*" || (URL.canParse(origin) && new URL(origin).origin === origin);
  if (!valid) {
    const message =
      'must be "*" or an origin such as "https://app.example.com" (no path, no slash)';
    ctx.issues.push({ code: "custom", message, input: origin });
  }
});

const serverSchema = z.strictObject({
  host: trimmedString("Interface to listen on.", D.server.host).optional(),
  port: integer(
    "TCP port; 0 picks any free port.",
    { min: 0, max: 65_535 },
    D.server.port,
  ).optional(),
  tls: z
    .strictObject({
      cert: trimmedString("PEM certificate chain file, relative to the config file."),
      key: trimmedString("PEM private key file, relative to the config file."),
    })
    .meta({ description: "Serve TLS (ALPN h2 and http/1.1) with these PEM files." })
    .optional(),
  cors: z
    .strictObject({
      origins: z
        .array(corsOrigin)
        .meta({ description: 'Allowed browser origins; "*" allows any.', default: [] }),
    })
    .optional(),
  limits: z
    .strictObject({
      maxMessageBytes: integer(
        "Largest request or response message, in bytes.",
        { min: 1_024, max: 256 * 1024 * 1024 },
        D.server.maxMessageBytes,
      ).optional(),
      maxConcurrentStreams: integer(
        "HTTP/2 concurrent streams per connection.",
        { min: 1, max: 100_000 },
        D.server.maxConcurrentStreams,
      ).optional(),
      idleTimeout: duration(
        "A connection that sends nothing for this long is closed.",
        { minMs: SECOND_MS, maxMs: DAY_MS },
        D.server.idleTimeoutMs,
      ).optional(),
      maxPromptChars: integer(
        "Longest accepted prompt, in Unicode code points.",
        { min: 1, max: 10_000_000 },
        D.server.maxPromptChars,
      ).optional(),
      maxConnections: integer(
        "Open TCP connections in total; more are closed on accept.",
        { min: 1, max: 1_000_000 },
        D.server.maxConnections,
      ).optional(),
      maxConnectionsPerClient: integer(
        "Open TCP connections per remote address (behind a proxy: the proxy's); more are closed on accept.",
        { min: 1, max: 1_000_000 },
        D.server.maxConnectionsPerClient,
      ).optional(),
      streamResets: z
        .strictObject({
          burst: integer(
            "HTTP/2 streams a client may reset at once, per connection.",
            { min: 1, max: 1_000_000 },
            D.server.streamResetBurst,
          ).optional(),
          perSecond: integer(
            "Resets per second refilled into the burst.",
            { min: 1, max: 1_000_000 },
            D.server.streamResetRatePerSecond,
          ).optional(),
        })
        .meta({
          description:
            "Budget of HTTP/2 streams reset by the client, per connection; beyond it: GOAWAY ENHANCE_YOUR_CALM.",
        })
        .optional(),
      blockAbusiveClients: duration(
        "A client address whose HTTP/2 connections were closed for too many resets 3 times within a minute is refused connections for this long; 0 never (behind a proxy every client shares its address).",
        { minMs: 0, maxMs: DAY_MS },
        D.server.blockAbusiveClientsMs,
      ).optional(),
      requestBodyTimeout: duration(
        "A request must deliver its whole body within this long (HTTP/1.1, and per HTTP/2 stream).",
        { minMs: 100, maxMs: HOUR_MS },
        D.server.requestBodyTimeoutMs,
      ).optional(),
      headersTimeout: duration(
        "An HTTP/1.1 request must deliver its headers within this long.",
        { minMs: 100, maxMs: HOUR_MS },
        D.server.headersTimeoutMs,
      ).optional(),
      maxConcurrentGenerations: integer(
        "Answers generated at once in this process; beyond: RESOURCE_EXHAUSTED.",
        { min: 1, max: 1_000_000 },
        D.server.maxConcurrentGenerations,
      ).optional(),
      maxConcurrentCallsPerClient: integer(
        "RPCs in progress per remote address; beyond: RESOURCE_EXHAUSTED.",
        { min: 1, max: 1_000_000 },
        D.server.maxConcurrentCallsPerClient,
      ).optional(),
      maxDecompressingBytes: integer(
        "Bytes inflated from compressed requests at once, process-wide; beyond: RESOURCE_EXHAUSTED.",
        { min: 1_024, max: 64 * 1024 * 1024 * 1024 },
        D.server.maxDecompressingBytes,
      ).optional(),
      maxCompressionRatio: integer(
        "Largest inflated size per compressed byte of a request message.",
        { min: 1, max: 100_000 },
        D.server.maxCompressionRatio,
      ).optional(),
    })
    .optional(),
  shutdownGracePeriod: duration(
    "Time in-flight RPCs get to finish on shutdown.",
    { minMs: 0, maxMs: HOUR_MS },
    D.server.shutdownGraceMs,
  ).optional(),
  playground: z
    .boolean()
    .meta({
      description: "Serve the browser playground at GET /playground.",
      default: D.server.playground,
    })
    .optional(),
});

const retrySchema = z.strictObject({
  maxRetries: integer(
    "Retries of the same model after a transient failure (5xx, reset before headers).",
    { min: 0, max: 10 },
    D.retry.maxRetries,
  ).optional(),
  baseDelay: duration(
    "Backoff base; the n-th retry waits a random time below min(maxDelay, baseDelay * 2^n).",
    { minMs: 0, maxMs: MINUTE_MS },
    D.retry.baseDelayMs,
  ).optional(),
  maxDelay: duration(
    "Longest backoff.",
    { minMs: 0, maxMs: 10 * MINUTE_MS },
    D.retry.maxDelayMs,
  ).optional(),
  maxRetryAfter: duration(
    "A 429 whose Retry-After is at most this long is waited out; longer ones fall over.",
    { minMs: 0, maxMs: HOUR_MS },
    D.retry.maxRetryAfterMs,
  ).optional(),
});

const cooldown = (what: string, defaultMs: number) =>
  duration(`Cooldown after ${what}.`, { minMs: 0, maxMs: DAY_MS }, defaultMs).optional();

const restoreSchema = z.strictObject({
  rateLimit: cooldown("a 429 without Retry-After", D.restore.rateLimitMs),
  timeout: cooldown("a timeout", D.restore.timeoutMs),
  providerError: cooldown(
    "a 5xx, malformed response or interrupted stream",
    D.restore.providerErrorMs,
  ),
  providerCommunicationError: cooldown(
    "a refused or reset connection",
    D.restore.providerCommunicationErrorMs,
  ),
  max: duration(
    `Upper bound of a cooldown that doubles with repeated failures. Default ${formatDuration(D.restore.maxMs)} or the longest cooldown.`,
    { minMs: 0, maxMs: 7 * DAY_MS },
  ).optional(),
  probeLease: duration(
    "How long a granted half-open probe is exclusive.",
    { minMs: SECOND_MS, maxMs: HOUR_MS },
    D.restore.probeLeaseMs,
  ).optional(),
  retry: duration("AI Warp name: used as providerError when that is not set.", {
    minMs: 0,
    maxMs: DAY_MS,
  }).optional(),
  providerExceededError: duration("AI Warp name: used as rateLimit when that is not set.", {
    minMs: 0,
    maxMs: DAY_MS,
  }).optional(),
});

const timeout = (description: string, maxMs: number, defaultMs: number) =>
  duration(description, { minMs: 1, maxMs }, defaultMs).optional();

const timeoutsSchema = z.strictObject({
  headers: timeout("Upstream response headers.", HOUR_MS, D.timeouts.headersMs),
  firstToken: timeout("From the request to the first text.", HOUR_MS, D.timeouts.firstTokenMs),
  stall: timeout("Longest silence between two chunks.", HOUR_MS, D.timeouts.stallMs),
  total: timeout("A whole generation, all attempts included.", DAY_MS, D.timeouts.totalMs),
});

const streamingSchema = z.strictObject({
  midStreamFailure: z
    .enum(MID_STREAM_POLICIES, { error: oneOfMessage(MID_STREAM_POLICIES) })
    .meta({
      description: "When the answering model fails after text reached the client.",
      default: D.streaming.midStreamFailure,
    })
    .optional(),
  retention: duration(
    "How long a finished stream's events stay readable.",
    { minMs: 0, maxMs: 7 * DAY_MS },
    D.streaming.retentionMs,
  ).optional(),
  maxDuration: duration(
    "A detached generation is stopped after this long.",
    { minMs: SECOND_MS, maxMs: DAY_MS },
    D.streaming.maxDurationMs,
  ).optional(),
  maxRetainedStreams: integer(
    "Streams kept at most (memory storage).",
    { min: 1, max: 10_000_000 },
    D.streaming.maxRetainedStreams,
  ).optional(),
  maxEventsPerStream: integer(
    "Events kept per stream at most.",
    { min: 10, max: 10_000_000 },
    D.streaming.maxEventsPerStream,
  ).optional(),
  maxRetainedBytes: integer(
    "Bytes of event text retained across all streams at most (memory storage).",
    { min: 1_024, max: 64 * 1024 * 1024 * 1024 },
    D.streaming.maxRetainedBytes,
  ).optional(),
  commitInterval: duration(
    "Valkey storage: the longest an appended event waits to be committed with the stream's next ones (one Valkey script per batch); readers see an event once it is committed. 0 commits each event on its own.",
    { minMs: 0, maxMs: SECOND_MS },
    D.streaming.commitIntervalMs,
  ).optional(),
});

const ttl = (description: string, defaultMs?: number) =>
  duration(description, { minMs: SECOND_MS, maxMs: 365 * DAY_MS }, defaultMs).optional();

const sessionsSchema = z.strictObject({
  ttl: ttl("Inactivity after which a session expires.", D.sessions.ttlMs),
  maxSessions: integer(
    "Sessions memory storage keeps at most; the least recently used are evicted first.",
    { min: 1, max: 100_000_000 },
    D.sessions.maxSessions,
  ).optional(),
  history: z
    .strictObject({
      maxMessages: integer(
        "Newest messages sent upstream at most.",
        { min: 0, max: 100_000 },
        D.sessions.historyMaxMessages,
      ).optional(),
      maxChars: integer(
        "Characters of history sent upstream at most.",
        { min: 0, max: 100_000_000 },
        D.sessions.historyMaxChars,
      ).optional(),
    })
    .optional(),
});

const warpLimitsSchema = z
  .strictObject({
    maxTokens: maxTokensSchema.optional(),
    rate: rateSchema.optional(),
    requestTimeout: timeout("Same as timeouts.total.", DAY_MS, D.timeouts.totalMs),
    retry: z
      .strictObject({
        max: integer("Same as retry.maxRetries.", { min: 0, max: 10 }).optional(),
        interval: duration("Same as retry.baseDelay.", { minMs: 0, maxMs: MINUTE_MS }).optional(),
      })
      .optional(),
    historyExpiration: ttl("Same as sessions.ttl."),
  })
  .meta({ description: "AI Warp's `limits`: defaults for every model and request." });

/** The file schema. Its output is validated leaves; `resolveConfig` makes a `GatewayConfig`. */
export const configFileSchema = z
  .strictObject({
    $schema: z.string().meta({ description: "Path or URL of config.schema.json." }).optional(),
    server: serverSchema.optional(),
    logging: z
      .strictObject({
        level: z
          .enum(LOG_LEVELS, { error: oneOfMessage(LOG_LEVELS) })
          .meta({ default: D.logging.level })
          .optional(),
      })
      .optional(),
    providers: z
      .record(z.string(), providerSchema)
      .meta({ description: "Providers by name; a model refers to one as its prefix." })
      .optional(),
    models: z
      .array(modelEntrySchema)
      .meta({ description: "Every model, in order; this order is the default route." })
      .optional(),
    retry: retrySchema.optional(),
    restore: restoreSchema
      .meta({ description: "Cooldown of a failed model, per reason (AI Warp's restore)." })
      .optional(),
    timeouts: timeoutsSchema.optional(),
    streaming: streamingSchema.optional(),
    sessions: sessionsSchema.optional(),
    historyExpiration: ttl("AI Warp name of sessions.ttl."),
    limits: warpLimitsSchema.optional(),
    storage: storageSchema
      .meta({ description: "Where state lives. Default { type: memory }." })
      .optional(),
  })
  .meta({
    title: "Switchboard configuration",
    description: "Configuration file of the Switchboard LLM gateway (YAML or JSON).",
  });

/** A parsed, leaf-validated configuration file. */
export type ConfigFile = z.output<typeof configFileSchema>;

/** A top-level key of the file. */
export type ConfigSectionName = keyof ConfigFile;
