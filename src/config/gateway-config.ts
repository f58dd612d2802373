/**
 * The validated, resolved configuration: durations in milliseconds, models as objects, defaults
 * filled in. Produced by `loadConfig`/`parseConfig` and frozen; everything else reads only this.
 */
export interface GatewayConfig {
  readonly server: ServerConfig;
  readonly logging: { readonly level: LogLevel };
  /** Providers by their configured name. */
  readonly providers: Readonly<Record<string, ProviderConfig>>;
  /** Every configured model, in order; this order is the default route. */
  readonly models: readonly ModelConfig[];
  readonly retry: RetryConfig;
  readonly restore: RestoreConfig;
  readonly timeouts: TimeoutConfig;
  readonly streaming: StreamingConfig;
  readonly sessions: SessionConfig;
  readonly storage: StorageConfig;
}

export type LogLevel = "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";

export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  /** PEM file paths; when set the port speaks TLS (ALPN h2 and http/1.1). */
  readonly tls: { readonly certPath: string; readonly keyPath: string } | undefined;
  /** Browser origins allowed by CORS; empty disables CORS. `"*"` allows any. */
  readonly corsOrigins: readonly string[];
  /** Largest request or response message, in bytes. */
  readonly maxMessageBytes: number;
  /** HTTP/2 concurrent streams per connection. */
  readonly maxConcurrentStreams: number;
  /** A connection that sends nothing for this long is closed, in milliseconds. */
  readonly idleTimeoutMs: number;
  /** Time in-flight RPCs get to finish on shutdown, in milliseconds. */
  readonly shutdownGraceMs: number;
  /** Longest accepted prompt, in Unicode code points. */
  readonly maxPromptChars: number;
  /** Serve the browser playground at `GET /playground`. */
  readonly playground: boolean;
  /** Open TCP connections in total; more are closed on accept. */
  readonly maxConnections: number;
  /**
   * Open TCP connections per remote address; more are closed on accept. Behind a proxy or a
   * mesh sidecar every connection comes from the proxy's address.
   */
  readonly maxConnectionsPerClient: number;
  /**
   * Token bucket of HTTP/2 streams a client may reset (RST_STREAM before the response ended) per
   * connection: `streamResetBurst` at once, refilled by `streamResetRatePerSecond`. A client
   * that exceeds it gets GOAWAY with ENHANCE_YOUR_CALM and the connection is closed.
   */
  readonly streamResetBurst: number;
  readonly streamResetRatePerSecond: number;
  /**
   * A client address that had 3 connections closed for exceeding the reset budget within a
   * minute is refused new connections for this long (its open ones are closed), in
   * milliseconds; 0 never blocks. Behind a proxy every client shares the proxy's address.
   */
  readonly blockAbusiveClientsMs: number;
  /** A request must deliver its whole body within this long (HTTP/1.1 and per HTTP/2 stream), in milliseconds. */
  readonly requestBodyTimeoutMs: number;
  /** An HTTP/1.1 request must deliver its headers within this long, in milliseconds. */
  readonly headersTimeoutMs: number;
  /** Answers (Prompt and StreamPrompt generations) generated at once in this process; beyond: RESOURCE_EXHAUSTED. */
  readonly maxConcurrentGenerations: number;
  /** RPCs in progress per remote address; beyond: RESOURCE_EXHAUSTED. */
  readonly maxConcurrentCallsPerClient: number;
  /** Bytes being inflated from compressed requests at once, process-wide; beyond: RESOURCE_EXHAUSTED. */
  readonly maxDecompressingBytes: number;
  /** Largest inflated size per compressed byte of a request message. */
  readonly maxCompressionRatio: number;
}

/**
 * Hosted APIs that speak the OpenAI Chat Completions format: presets of `openai-compatible`
 * with their base URL and key variable filled in.
 */
export type OpenAiCompatiblePreset =
  | "mistral"
  | "groq"
  | "openrouter"
  | "together"
  | "cerebras"
  | "sambanova"
  | "huggingface"
  | "github-models"
  | "ollama"
  | "vllm";

/** The upstream APIs the gateway speaks, by the name users configure as `type`. */
export type ProviderType =
  | "openai"
  | "deepseek"
  | "azure-openai"
  | "openai-compatible"
  | OpenAiCompatiblePreset
  | "anthropic"
  | "gemini"
  | "bedrock"
  | "demo";

export interface ProviderConfig {
  /** The configured name ("openai", "local" …). */
  readonly name: string;
  readonly type: ProviderType;
  /**
   * Base URL of the API, e.g. "https://api.openai.com/v1"; for azure-openai the resource
   * endpoint ("https://NAME.openai.azure.com"). Empty for `demo`, and for `bedrock` unless an
   * endpoint override is configured (the SDK then derives the endpoint from the region).
   */
  readonly baseUrl: string;
  /** Secret; never logged. */
  readonly apiKey: string | undefined;
  /** Extra request headers sent upstream. */
  readonly headers: Readonly<Record<string, string>>;
  /** Keep-alive connections per origin. */
  readonly maxConnections: number;
  /** `demo` only: delay between streamed words, in milliseconds. */
  readonly demoDelayMs: number;
  /** `azure-openai` only: the `api-version` query parameter. */
  readonly apiVersion?: string | undefined;
  /** `bedrock` only: the AWS region; unset means the SDK's default chain (AWS_REGION …). */
  readonly region?: string | undefined;
}

export interface ModelConfig {
  /** "provider:model". */
  readonly id: string;
  /** The provider's configured name. */
  readonly provider: string;
  /** The model name at the provider (may contain colons). */
  readonly model: string;
  readonly limits: ModelLimits;
  /** What the model can do: from the configuration, else the built-in table, else unknown. */
  readonly capabilities: ModelCapabilities;
}

/**
 * What a model can take and give, used for routing: a conversation estimated larger than
 * `contextWindowTokens` skips the model, and a mid-stream failure continues from the partial
 * text only on a model with `prefill`. `undefined` means unknown (never a reason to skip).
 */
export interface ModelCapabilities {
  /** Input plus output tokens the model accepts. */
  readonly contextWindowTokens: number | undefined;
  /** The most tokens one answer may have. */
  readonly maxOutputTokens: number | undefined;
  /** Whether the model continues an assistant prefill (its provider must support it too). */
  readonly prefill: boolean | undefined;
}

export interface ModelLimits {
  /** Cap on generated tokens per request. */
  readonly maxTokens: number | undefined;
  /** Requests per fixed window. */
  readonly rate: { readonly max: number; readonly timeWindowMs: number } | undefined;
}

export interface RetryConfig {
  /** Retries of the same model after a transient failure (5xx, reset before headers). */
  readonly maxRetries: number;
  /** Backoff base: the n-th retry waits a random time in [0, min(maxDelayMs, baseDelayMs * 2^n)). */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** A 429 whose `Retry-After` is at most this long is waited out and retried; longer ones fall over. */
  readonly maxRetryAfterMs: number;
}

/** Cooldown after a model fails, per reason (AI Warp's `restore`), in milliseconds. */
export interface RestoreConfig {
  readonly rateLimitMs: number;
  readonly timeoutMs: number;
  /** 5xx, malformed responses, interrupted streams. */
  readonly providerErrorMs: number;
  /** Connection refused or reset. */
  readonly providerCommunicationErrorMs: number;
  /** Upper bound of a cooldown that doubles with repeated failures. */
  readonly maxMs: number;
  /** How long a granted half-open probe is exclusive. */
  readonly probeLeaseMs: number;
}

export interface TimeoutConfig {
  /** Upstream response headers. */
  readonly headersMs: number;
  /** From the request to the first text. */
  readonly firstTokenMs: number;
  /** Longest silence between two chunks of a stream. */
  readonly stallMs: number;
  /** A whole generation, all attempts included; a shorter client deadline wins. */
  readonly totalMs: number;
}

/** What to do when the answering model fails after text has reached the client. */
export type MidStreamFailurePolicy = "restart" | "continue" | "fail";

export interface StreamingConfig {
  readonly midStreamFailure: MidStreamFailurePolicy;
  /** How long a finished stream's events stay readable. */
  readonly retentionMs: number;
  /** A detached generation is stopped after this long. */
  readonly maxDurationMs: number;
  /** Streams kept at most (memory storage); the oldest finished are evicted first. */
  readonly maxRetainedStreams: number;
  /** Events kept per stream at most; a generation that would exceed it fails. */
  readonly maxEventsPerStream: number;
  /**
   * Bytes of event text retained across all streams at most (memory storage); the earliest
   * finished streams are evicted first, and a running generation that would exceed it fails.
   */
  readonly maxRetainedBytes: number;
  /**
   * Valkey storage: the longest an appended event waits to be committed together with the
   * stream's next ones (one script per batch), in milliseconds; readers everywhere see an event
   * once it is committed. 0 commits each event on its own before the next.
   */
  readonly commitIntervalMs: number;
}

export interface SessionConfig {
  /** Inactivity after which a session and everything it owns expire (AI Warp's `historyExpiration`). */
  readonly ttlMs: number;
  /** History sent upstream: at most this many newest messages … */
  readonly historyMaxMessages: number;
  /** … and at most this many characters. */
  readonly historyMaxChars: number;
  /**
   * Sessions memory storage keeps at most; creating one more evicts the least recently used
   * (read or written) with its history. Valkey keeps sessions until their TTL, bounded by its
   * own `maxmemory`.
   */
  readonly maxSessions: number;
}

export type StorageConfig =
  | { readonly type: "memory" }
  | {
      readonly type: "valkey";
      /** redis:// or rediss:// URL, credentials included (never logged). */
      readonly url: string;
      /** Prefix of every key. */
      readonly keyPrefix: string;
      /**
       * How long a stream's producer lease lasts without a heartbeat, in milliseconds: readers
       * on other instances learn within about this time that the producing instance died.
       */
      readonly streamLeaseMs: number;
      /**
       * PEM file of the CA that signs the server's certificate (absolute), for a `rediss://`
       * URL with a private CA; `undefined`: the system's CAs.
       */
      readonly tlsCaPath: string | undefined;
      /** Name the server's certificate must be for, when not the URL's host; `undefined`: the host. */
      readonly tlsServername: string | undefined;
      /** The URL names one seed node of a Valkey Cluster (cluster mode has database 0 only). */
      readonly cluster: boolean;
      /**
       * What happens while Valkey cannot be reached. `"fail"`: the gateway refuses to start, and
       * every RPC that needs state fails `UNAVAILABLE`. `"stateless"`: it starts anyway and a
       * `Prompt` without a session still answers (nothing stored, rate limits fail open, models
       * admitted as ready); everything else fails `UNAVAILABLE`.
       */
      readonly whenUnavailable: StorageUnavailablePolicy;
    };

/** What the gateway does while Valkey cannot be reached (see `StorageConfig`). */
export type StorageUnavailablePolicy = "fail" | "stateless";
