import { CONFIG_DEFAULTS } from "../../src/config/config-defaults.js";
import type {
  GatewayConfig,
  ModelCapabilities,
  ModelConfig,
  ProviderConfig,
  ServerConfig,
} from "../../src/config/gateway-config.js";

/** The settings of what a client may hold or do (connections, resets, bodies, calls). */
const clientLimitKeys = [
  "maxConnections",
  "maxConnectionsPerClient",
  "streamResetBurst",
  "streamResetRatePerSecond",
  "blockAbusiveClientsMs",
  "requestBodyTimeoutMs",
  "headersTimeoutMs",
  "maxConcurrentGenerations",
  "maxConcurrentCallsPerClient",
  "maxDecompressingBytes",
  "maxCompressionRatio",
] as const;

/** Their production defaults, for the server configs of tests. */
export const defaultClientLimits = Object.fromEntries(
  clientLimitKeys.map((key) => [key, CONFIG_DEFAULTS.server[key]]),
) as Pick<ServerConfig, (typeof clientLimitKeys)[number]>;

/** A model config whose capabilities may be left out (unknown). */
export type TestModel = Omit<ModelConfig, "capabilities"> & {
  readonly capabilities?: Partial<ModelCapabilities>;
};

const UNKNOWN_CAPABILITIES: ModelCapabilities = {
  contextWindowTokens: undefined,
  maxOutputTokens: undefined,
  prefill: undefined,
};

/** Parts of the configuration a test may replace; nested sections merge over the defaults. */
export interface TestConfigOverrides {
  readonly providers?: Record<string, Partial<ProviderConfig> & Pick<ProviderConfig, "type">>;
  /** "provider:model" ids, or model configs (capabilities default to unknown). */
  readonly models?: readonly (string | TestModel)[];
  readonly server?: Partial<GatewayConfig["server"]>;
  readonly retry?: Partial<GatewayConfig["retry"]>;
  readonly restore?: Partial<GatewayConfig["restore"]>;
  readonly timeouts?: Partial<GatewayConfig["timeouts"]>;
  readonly streaming?: Partial<GatewayConfig["streaming"]>;
  readonly sessions?: Partial<GatewayConfig["sessions"]>;
}

/**
 * A resolved configuration for tests: a free port on 127.0.0.1, the demo provider, and limits
 * short enough that timeouts and backoffs take milliseconds rather than seconds.
 */
export function testConfig(overrides: TestConfigOverrides = {}): GatewayConfig {
  const providers: Record<string, ProviderConfig> = {};
  const providerInputs = overrides.providers ?? { demo: { type: "demo" } };
  for (const [name, provider] of Object.entries(providerInputs)) {
    providers[name] = {
      name,
      baseUrl: "",
      apiKey: undefined,
      headers: {},
      maxConnections: 10,
      demoDelayMs: 0,
      ...provider,
    };
  }
  const models = (overrides.models ?? ["demo:echo"]).map((entry): ModelConfig => {
    if (typeof entry !== "string") {
      return { ...entry, capabilities: { ...UNKNOWN_CAPABILITIES, ...entry.capabilities } };
    }
    const colon = entry.indexOf(":");
    return {
      id: entry,
      provider: entry.slice(0, colon),
      model: entry.slice(colon + 1),
      limits: { maxTokens: undefined, rate: undefined },
      capabilities: UNKNOWN_CAPABILITIES,
    };
  });
  return {
    server: {
      host: "127.0.0.1",
      port: 0,
      tls: undefined,
      corsOrigins: [],
      maxMessageBytes: 1024 * 1024,
      maxConcurrentStreams: 100,
      idleTimeoutMs: 5_000,
      shutdownGraceMs: 5_000,
      maxPromptChars: 20_000,
      playground: true,
      ...defaultClientLimits,
      ...overrides.server,
    },
    logging: { level: "silent" },
    providers,
    models,
    retry: {
      maxRetries: 2,
      baseDelayMs: 10,
      maxDelayMs: 50,
      maxRetryAfterMs: 3_000,
      ...overrides.retry,
    },
    restore: {
      rateLimitMs: 60_000,
      timeoutMs: 60_000,
      providerErrorMs: 60_000,
      providerCommunicationErrorMs: 60_000,
      maxMs: 600_000,
      probeLeaseMs: 30_000,
      ...overrides.restore,
    },
    timeouts: {
      headersMs: 2_000,
      firstTokenMs: 2_000,
      stallMs: 1_000,
      totalMs: 30_000,
      ...overrides.timeouts,
    },
    streaming: {
      midStreamFailure: "restart",
      retentionMs: 600_000,
      maxDurationMs: 60_000,
      maxRetainedStreams: 1_000,
      maxEventsPerStream: 20_000,
      maxRetainedBytes: 256 * 1024 * 1024,
      commitIntervalMs: 50,
      ...overrides.streaming,
    },
    sessions: {
      ttlMs: 86_400_000,
      historyMaxMessages: 50,
      historyMaxChars: 100_000,
      maxSessions: 10_000,
      ...overrides.sessions,
    },
    storage: { type: "memory" },
  };
}
