import type {
  LogLevel,
  RestoreConfig,
  RetryConfig,
  SessionConfig,
  StorageUnavailablePolicy,
  StreamingConfig,
  TimeoutConfig,
} from "./gateway-config.js";

/**
 * Every default of the configuration, in resolved units (milliseconds, bytes, counts). The
 * schema documents these in `config.schema.json` and the resolver fills them in; nothing else
 * hard-codes a default.
 */
export const CONFIG_DEFAULTS = Object.freeze({
  server: Object.freeze({
    host: "127.0.0.1",
    /** 0 asks the OS for any free port. */
    port: 8080,
    corsOrigins: Object.freeze([] as string[]),
    maxMessageBytes: 4 * 1024 * 1024, // 4 MiB
    maxConcurrentStreams: 100, // per HTTP/2 connection
    idleTimeoutMs: 30_000, // 30 s
    shutdownGraceMs: 30_000, // 30 s
    maxPromptChars: 100_000, // Unicode code points
    playground: true, // GET /playground
    maxConnections: 10_000, // open TCP connections in total
    maxConnectionsPerClient: 1_000, // open TCP connections per remote address
    streamResetBurst: 200, // HTTP/2 streams a client may reset at once, per connection …
    streamResetRatePerSecond: 20, // … and per second after that
    blockAbusiveClientsMs: 10_000, // 10 s without connections for a client calmed 3 times in 1 min
    requestBodyTimeoutMs: 30_000, // 30 s to deliver a request body
    headersTimeoutMs: 10_000, // 10 s to deliver HTTP/1.1 request headers
    maxConcurrentGenerations: 2_000, // answers being generated at once, process-wide
    maxConcurrentCallsPerClient: 1_000, // RPCs in progress per remote address
    maxDecompressingBytes: 64 * 1024 * 1024, // 64 MiB of inflated bytes at once, process-wide
    maxCompressionRatio: 100, // inflated bytes per compressed byte
  }),
  logging: Object.freeze({ level: "info" as LogLevel }),
  provider: Object.freeze({
    maxConnections: 10, // keep-alive connections per origin
    demoDelayMs: 20, // 20 ms between streamed words
  }),
  retry: Object.freeze({
    maxRetries: 2, // retries of the same model
    baseDelayMs: 250, // 250 ms
    maxDelayMs: 4_000, // 4 s
    maxRetryAfterMs: 5_000, // 5 s
  } satisfies RetryConfig),
  restore: Object.freeze({
    rateLimitMs: 60_000, // 1 min
    timeoutMs: 30_000, // 30 s
    providerErrorMs: 30_000, // 30 s
    providerCommunicationErrorMs: 30_000, // 30 s
    maxMs: 600_000, // 10 min; raised to the longest cooldown when `restore.max` is not set
    probeLeaseMs: 30_000, // 30 s
  } satisfies RestoreConfig),
  timeouts: Object.freeze({
    headersMs: 15_000, // 15 s
    firstTokenMs: 30_000, // 30 s
    stallMs: 20_000, // 20 s
    totalMs: 300_000, // 5 min
  } satisfies TimeoutConfig),
  streaming: Object.freeze({
    midStreamFailure: "restart",
    retentionMs: 600_000, // 10 min
    maxDurationMs: 600_000, // 10 min
    maxRetainedStreams: 1_000, // streams
    maxEventsPerStream: 20_000, // events
    maxRetainedBytes: 256 * 1024 * 1024, // 256 MiB of retained event text (memory storage)
    commitIntervalMs: 50, // 50 ms: an event's longest wait for its batch's commit (Valkey storage)
  } satisfies StreamingConfig),
  sessions: Object.freeze({
    ttlMs: 86_400_000, // 1 day
    historyMaxMessages: 50, // messages
    historyMaxChars: 100_000, // characters
    maxSessions: 10_000, // sessions kept by memory storage; the least recently used go first
  } satisfies SessionConfig),
  storage: Object.freeze({
    valkeyUrl: "redis://127.0.0.1:6379", // when neither url nor valkey.host/port is given
    valkeyHost: "127.0.0.1",
    valkeyPort: 6379,
    valkeyKeyPrefix: "switchboard:",
    streamLeaseMs: 5_000, // 5 s without a heartbeat: the producing instance is gone
    valkeyCluster: false, // the URL is one standalone server
    whenUnavailable: "fail" as StorageUnavailablePolicy, // refuse to start; stateful RPCs fail
  }),
});
