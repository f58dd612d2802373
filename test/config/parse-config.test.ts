// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} references are the subject under test.
import { describe, expect, it } from "vitest";
import { ConfigError, formatConfigPath } from "../../src/config/config-error.js";
import { parseConfig } from "../../src/config/parse-config.js";

const demo = { providers: { demo: { type: "demo" } }, models: ["demo:echo"] };

/** The problems of an invalid configuration as "path: message" lines; fails if it is valid. */
function problemsOf(raw: unknown, env: Record<string, string> = {}): string[] {
  try {
    parseConfig(raw, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      return error.problems.map((p) => `${formatConfigPath(p.path)}: ${p.message}`);
    }
    throw error;
  }
  throw new Error("expected the configuration to be invalid");
}

describe("parseConfig", () => {
  it("fills every default into a minimal configuration", () => {
    const config = parseConfig(demo, {});
    expect(config.server).toEqual({
      host: "127.0.0.1",
      port: 8080,
      tls: undefined,
      corsOrigins: [],
      maxMessageBytes: 4_194_304,
      maxConcurrentStreams: 100,
      idleTimeoutMs: 30_000,
      shutdownGraceMs: 30_000,
      maxPromptChars: 100_000,
      playground: true,
      maxConnections: 10_000,
      maxConnectionsPerClient: 1_000,
      streamResetBurst: 200,
      streamResetRatePerSecond: 20,
      blockAbusiveClientsMs: 10_000,
      requestBodyTimeoutMs: 30_000,
      headersTimeoutMs: 10_000,
      maxConcurrentGenerations: 2_000,
      maxConcurrentCallsPerClient: 1_000,
      maxDecompressingBytes: 64 * 1024 * 1024,
      maxCompressionRatio: 100,
    });
    expect(config.providers.demo).toEqual({
      name: "demo",
      type: "demo",
      baseUrl: "",
      apiKey: undefined,
      headers: {},
      maxConnections: 10,
      demoDelayMs: 20,
    });
    expect(config.models).toEqual([
      {
        id: "demo:echo",
        provider: "demo",
        model: "echo",
        limits: { maxTokens: undefined, rate: undefined },
        capabilities: {
          contextWindowTokens: undefined,
          maxOutputTokens: undefined,
          prefill: undefined,
        },
      },
    ]);
    expect(config.retry).toEqual({
      maxRetries: 2,
      baseDelayMs: 250,
      maxDelayMs: 4_000,
      maxRetryAfterMs: 5_000,
    });
    expect(config.restore).toEqual({
      rateLimitMs: 60_000,
      timeoutMs: 30_000,
      providerErrorMs: 30_000,
      providerCommunicationErrorMs: 30_000,
      maxMs: 600_000,
      probeLeaseMs: 30_000,
    });
    expect(config.timeouts).toEqual({
      headersMs: 15_000,
      firstTokenMs: 30_000,
      stallMs: 20_000,
      totalMs: 300_000,
    });
    expect(config.streaming).toEqual({
      midStreamFailure: "restart",
      retentionMs: 600_000,
      maxDurationMs: 600_000,
      maxRetainedStreams: 1_000,
      maxEventsPerStream: 20_000,
      maxRetainedBytes: 256 * 1024 * 1024,
      commitIntervalMs: 50,
    });
    expect(config.sessions).toEqual({
      ttlMs: 86_400_000,
      historyMaxMessages: 50,
      historyMaxChars: 100_000,
      maxSessions: 10_000,
    });
    expect(config.storage).toEqual({ type: "memory" });
    expect(config.logging).toEqual({ level: "info" });
  });

  it("returns a deeply frozen configuration", () => {
    const config = parseConfig(
      {
        ...demo,
        providers: {
          demo: { type: "demo" },
          o: { type: "openai", apiKey: "k", headers: { a: "b" } },
        },
      },
      {},
    );
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.server)).toBe(true);
    expect(Object.isFrozen(config.models[0]?.limits)).toBe(true);
    expect(Object.isFrozen(config.providers.o?.headers)).toBe(true);
    expect(() => {
      (config.server as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it("lists every problem at once, each with its path", () => {
    const raw = {
      server: { port: 70_000, limits: { idleTimeout: "5x" } },
      providers: { openai: {}, demo: { type: "demo" } },
      models: ["demo:echo", "foo:bar", "no-colon"],
      timeouts: { total: -1 },
      storage: { type: "disk" },
    };
    let error: unknown;
    try {
      parseConfig(raw, {});
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const configError = error as ConfigError;
    expect(configError.code).toBe("invalid_config");
    expect(configError.message).toMatch(/^Invalid configuration \(7 problems\):\n {2}- /);
    expect(configError.message.split("\n").slice(1)).toEqual([
      "  - server.port: expected an integer between 0 and 65535",
      '  - server.limits.idleTimeout: "5x" has an unknown unit "x"; use ms, s, m, h or d (e.g. "250ms", "30s", "5m", "1d") or a number of milliseconds',
      "  - providers.openai.apiKey: missing; set OPENAI_API_KEY and write apiKey: ${OPENAI_API_KEY}",
      '  - models[1]: unknown provider "foo" (configured: openai, demo)',
      '  - models[2]: "no-colon" is not "provider:model" (e.g. "openai:gpt-4o-mini")',
      "  - timeouts.total: -1 is negative; a duration must be 0 or more",
      "  - storage.type: expected one of: memory, valkey",
    ]);
  });

  it("rejects unknown keys at every level and names the allowed ones", () => {
    expect(
      problemsOf({
        ...demo,
        sever: {},
        server: { limits: { idleTimout: "1s" } },
        providers: { demo: { type: "demo", dealy: "1s" } },
        storage: { type: "valkey", prefix: "x" },
      }),
    ).toEqual([
      // In file order: the spread of `demo` puts providers first.
      "providers.demo.dealy: unknown key (allowed: type, baseUrl, apiKey, headers, maxConnections, apiVersion, region, delay)",
      expect.stringMatching(/^sever: unknown key \(allowed: server, logging, providers, models,/),
      "server.limits.idleTimout: unknown key (allowed: maxMessageBytes, maxConcurrentStreams, idleTimeout, maxPromptChars, maxConnections, maxConnectionsPerClient, streamResets, blockAbusiveClients, requestBodyTimeout, headersTimeout, maxConcurrentGenerations, maxConcurrentCallsPerClient, maxDecompressingBytes, maxCompressionRatio)",
      "storage.prefix: unknown key (allowed: type, url, valkey, keyPrefix, tls, cluster, whenUnavailable, streamLease)",
    ]);
  });

  it("splits a model id at the first colon only", () => {
    const config = parseConfig(
      {
        providers: { local: { type: "openai-compatible", baseUrl: "http://127.0.0.1:11434/v1" } },
        models: ["local:llama3:8b", { provider: "local", model: "qwen2.5:7b-instruct" }],
      },
      {},
    );
    expect(config.models.map((m) => [m.id, m.provider, m.model])).toEqual([
      ["local:llama3:8b", "local", "llama3:8b"],
      ["local:qwen2.5:7b-instruct", "local", "qwen2.5:7b-instruct"],
    ]);
  });

  it("rejects duplicate model ids, an empty model list and malformed ids", () => {
    expect(problemsOf({ ...demo, models: ["demo:a", { provider: "demo", model: "a" }] })).toEqual([
      'models[1]: duplicate of models[0] ("demo:a"); list each model once',
    ]);
    expect(problemsOf({ ...demo, models: [] })).toEqual([
      'models: at least one model is required, e.g. models: ["openai:gpt-4o-mini"]',
    ]);
    expect(problemsOf({ providers: demo.providers })).toHaveLength(1);
    expect(problemsOf({ ...demo, models: [":a", "demo:", 42] })).toEqual([
      'models[0]: ":a" is not "provider:model" (e.g. "openai:gpt-4o-mini")',
      'models[1]: "demo:" is not "provider:model" (e.g. "openai:gpt-4o-mini")',
      'models[2]: expected "provider:model" or { provider, model, limits }',
    ]);
  });

  it("applies the provider rules of each type", () => {
    expect(
      problemsOf({
        providers: {
          deepseek: { apiKey: "" },
          local: { type: "openai-compatible" },
          llama: { baseUrl: "http://127.0.0.1:11434/v1" },
          demo: { apiKey: "k" },
          openai: { apiKey: "k", delay: "1s", baseUrl: "ftp://example.com" },
        },
        models: ["demo:echo"],
      }),
    ).toEqual([
      "providers.openai.baseUrl: must be an http:// or https:// URL",
      "providers.deepseek.apiKey: missing; set DEEPSEEK_API_KEY and write apiKey: ${DEEPSEEK_API_KEY}",
      "providers.local.baseUrl: missing; an openai-compatible provider needs its server's URL, e.g. http://127.0.0.1:11434/v1",
      'providers.llama.type: missing; "llama" is not a provider type, so set type to one of: openai, deepseek, azure-openai, openai-compatible, mistral, groq, openrouter, together, cerebras, sambanova, huggingface, github-models, ollama, vllm, anthropic, gemini, bedrock, demo',
      "providers.demo.apiKey: not used by type demo; remove it",
    ]);
  });

  it("resolves provider types, base URLs and keys", () => {
    const config = parseConfig(
      {
        providers: {
          openai: { apiKey: "${OPENAI_API_KEY}" },
          deepseek: { apiKey: "sk-ds", maxConnections: 4 },
          proxy: { type: "openai", apiKey: "k", baseUrl: "https://proxy.example.com/v1/" },
          local: {
            type: "openai-compatible",
            baseUrl: "http://127.0.0.1:11434/v1",
            headers: { "x-a": "1" },
          },
        },
        models: ["openai:gpt-4o-mini"],
      },
      { OPENAI_API_KEY: "sk-env" },
    );
    const { openai, deepseek, proxy, local } = config.providers;
    expect([openai?.type, openai?.baseUrl, openai?.apiKey]).toEqual([
      "openai",
      "https://api.openai.com/v1",
      "sk-env",
    ]);
    expect([deepseek?.type, deepseek?.baseUrl, deepseek?.maxConnections]).toEqual([
      "deepseek",
      "https://api.deepseek.com/v1",
      4,
    ]);
    expect(proxy?.baseUrl).toBe("https://proxy.example.com/v1");
    expect([local?.type, local?.apiKey, local?.headers]).toEqual([
      "openai-compatible",
      undefined,
      { "x-a": "1" },
    ]);
  });

  it("reports a missing environment variable once, at its path", () => {
    expect(
      problemsOf({ providers: { openai: { apiKey: "${OPENAI_API_KEY}" } }, models: ["openai:x"] }),
    ).toEqual(["providers.openai.apiKey: environment variable OPENAI_API_KEY is not set"]);
  });

  it("accepts numbers and durations from environment variables", () => {
    const config = parseConfig(
      { ...demo, server: { port: "${PORT}", limits: { idleTimeout: "${IDLE:-45s}" } } },
      { PORT: "9090" },
    );
    expect(config.server.port).toBe(9_090);
    expect(config.server.idleTimeoutMs).toBe(45_000);
  });

  it("accepts a stream commit interval from 0 (each event alone) up to 1s", () => {
    const commitIntervalMs = (commitInterval: string | number) =>
      parseConfig({ ...demo, streaming: { commitInterval } }, {}).streaming.commitIntervalMs;
    expect(commitIntervalMs(0)).toBe(0);
    expect(commitIntervalMs("20ms")).toBe(20);
    expect(commitIntervalMs("1s")).toBe(1_000);
    expect(problemsOf({ ...demo, streaming: { commitInterval: "2s" } })).toEqual([
      "streaming.commitInterval: must be at most 1s",
    ]);
  });

  it("maps an AI Warp style configuration onto ours", () => {
    const config = parseConfig(
      {
        providers: { openai: { apiKey: "k" } },
        models: [
          { provider: "openai", model: "gpt-4o", limits: { maxTokens: 4000 } },
          "openai:gpt-4o-mini",
        ],
        limits: {
          maxTokens: 1000,
          rate: { max: 100, timeWindow: "1m" },
          requestTimeout: 60_000,
          retry: { max: 4, interval: 2_000 },
          historyExpiration: "2d",
        },
        restore: { providerExceededError: "20m", retry: "3m", timeout: "2m" },
      },
      {},
    );
    expect(config.models.map((m) => m.limits)).toEqual([
      { maxTokens: 4000, rate: { max: 100, timeWindowMs: 60_000 } },
      { maxTokens: 1000, rate: { max: 100, timeWindowMs: 60_000 } },
    ]);
    expect(config.timeouts.totalMs).toBe(60_000);
    expect(config.retry.maxRetries).toBe(4);
    expect(config.retry.baseDelayMs).toBe(2_000);
    expect(config.sessions.ttlMs).toBe(2 * 86_400_000);
    expect(config.restore.rateLimitMs).toBe(20 * 60_000);
    expect(config.restore.providerErrorMs).toBe(3 * 60_000);
    expect(config.restore.timeoutMs).toBe(2 * 60_000);
    // Without an explicit max, a cooldown longer than the default bound is not cut short.
    expect(config.restore.maxMs).toBe(20 * 60_000);
  });

  it("prefers our restore names over AI Warp's", () => {
    const config = parseConfig(
      {
        ...demo,
        restore: {
          rateLimit: "1m",
          providerExceededError: "5m",
          providerError: "10s",
          retry: "1m",
        },
      },
      {},
    );
    expect(config.restore.rateLimitMs).toBe(60_000);
    expect(config.restore.providerErrorMs).toBe(10_000);
  });

  it("accepts historyExpiration as sessions.ttl and rejects the two when they differ", () => {
    expect(parseConfig({ ...demo, historyExpiration: "1h" }, {}).sessions.ttlMs).toBe(3_600_000);
    expect(
      parseConfig({ ...demo, historyExpiration: "1h", sessions: { ttl: 3_600_000 } }, {}).sessions
        .ttlMs,
    ).toBe(3_600_000);
    expect(problemsOf({ ...demo, historyExpiration: "1h", sessions: { ttl: "2h" } })).toEqual([
      "historyExpiration: conflicts with sessions.ttl (1h vs 2h); set only one",
    ]);
    expect(
      problemsOf({ ...demo, retry: { maxRetries: 1 }, limits: { retry: { max: 3 } } }),
    ).toEqual(["limits.retry.max: conflicts with retry.maxRetries (3 vs 1); set only one"]);
  });

  it("rejects a restore.max shorter than a cooldown", () => {
    expect(problemsOf({ ...demo, restore: { rateLimit: "20m", max: "10m" } })).toEqual([
      "restore.max: 10m is shorter than the longest cooldown (20m); raise max or shorten the cooldown",
    ]);
  });

  it("resolves Valkey storage from a url or AI Warp's host fields", () => {
    const fromUrl = parseConfig(
      { ...demo, storage: { type: "valkey", url: "valkey://cache:6380/1" } },
      {},
    );
    expect(fromUrl.storage).toEqual({
      type: "valkey",
      url: "redis://cache:6380/1",
      keyPrefix: "switchboard:",
      streamLeaseMs: 5_000,
      tlsCaPath: undefined,
      tlsServername: undefined,
      cluster: false,
      whenUnavailable: "fail",
    });
    const fromFields = parseConfig(
      {
        ...demo,
        storage: {
          type: "valkey",
          keyPrefix: "sb:",
          streamLease: "2s",
          valkey: { host: "cache", port: 6390, password: "p@ss", database: 2, tls: true },
        },
      },
      {},
    );
    expect(fromFields.storage).toEqual({
      type: "valkey",
      url: "rediss://:p%40ss@cache:6390/2",
      keyPrefix: "sb:",
      streamLeaseMs: 2_000,
      tlsCaPath: undefined,
      tlsServername: undefined,
      cluster: false,
      whenUnavailable: "fail",
    });
    const byDefault = parseConfig({ ...demo, storage: { type: "valkey" } }, {});
    expect(byDefault.storage).toEqual({
      type: "valkey",
      url: "redis://127.0.0.1:6379",
      keyPrefix: "switchboard:",
      streamLeaseMs: 5_000,
      tlsCaPath: undefined,
      tlsServername: undefined,
      cluster: false,
      whenUnavailable: "fail",
    });
  });

  it("resolves what to do while Valkey is unavailable: fail by default, or stateless", () => {
    const stateless = parseConfig(
      { ...demo, storage: { type: "valkey", whenUnavailable: "stateless" } },
      {},
    );
    expect(stateless.storage).toMatchObject({ type: "valkey", whenUnavailable: "stateless" });
    const explicitFail = parseConfig(
      { ...demo, storage: { type: "valkey", whenUnavailable: "fail" } },
      {},
    );
    expect(explicitFail.storage).toMatchObject({ whenUnavailable: "fail" });
    expect(
      problemsOf({ ...demo, storage: { type: "valkey", whenUnavailable: "degraded" } }),
    ).toEqual(["storage.whenUnavailable: expected one of: fail, stateless"]);
    expect(
      problemsOf({ ...demo, storage: { type: "memory", whenUnavailable: "stateless" } }),
    ).toEqual([expect.stringMatching(/^storage(\.whenUnavailable)?: /)]);
  });

  it("resolves Valkey TLS trust against the base directory and a cluster seed", () => {
    const config = parseConfig(
      {
        ...demo,
        storage: {
          type: "valkey",
          url: "valkeys://alice:secret@cache.internal:6380",
          tls: { ca: "certs/valkey-ca.pem", servername: "valkey.internal" },
          cluster: true,
        },
      },
      {},
      { baseDir: "/etc/switchboard" },
    );
    expect(config.storage).toEqual({
      type: "valkey",
      url: "rediss://alice:secret@cache.internal:6380",
      keyPrefix: "switchboard:",
      streamLeaseMs: 5_000,
      tlsCaPath: "/etc/switchboard/certs/valkey-ca.pem",
      tlsServername: "valkey.internal",
      cluster: true,
      whenUnavailable: "fail",
    });
    const fromFields = parseConfig(
      {
        ...demo,
        storage: {
          type: "valkey",
          valkey: { host: "cache", tls: true },
          tls: { ca: "/abs/ca.pem" },
        },
      },
      {},
      { baseDir: "/etc/switchboard" },
    );
    expect(fromFields.storage).toMatchObject({ tlsCaPath: "/abs/ca.pem", cluster: false });
  });

  it("rejects Valkey TLS trust without a TLS URL, and a database on a cluster", () => {
    expect(
      problemsOf({
        ...demo,
        storage: { type: "valkey", url: "redis://cache:6379", tls: { ca: "ca.pem" } },
      }),
    ).toEqual([
      "storage.tls: needs a TLS connection: a rediss:// or valkeys:// url, or valkey.tls: true",
    ]);
    expect(
      problemsOf({
        ...demo,
        storage: { type: "valkey", url: "redis://cache:6379/2", cluster: true },
      }),
    ).toEqual(["storage.url: Valkey Cluster has database 0 only; remove the database"]);
    const databaseZero = parseConfig(
      {
        ...demo,
        storage: { type: "valkey", valkey: { host: "cache", database: 0 }, cluster: true },
      },
      {},
    );
    expect(databaseZero.storage).toMatchObject({ url: "redis://cache:6379/0", cluster: true });
    expect(problemsOf({ ...demo, storage: { type: "valkey", tls: { servername: "x" } } })).toEqual([
      expect.stringMatching(/^storage\.tls\.ca: /),
    ]);
  });

  it("never repeats a storage URL in a problem, since it may hold a password", () => {
    const problems = problemsOf({
      ...demo,
      storage: { type: "valkey", url: "http://user:hunter2@cache" },
    });
    expect(problems).toEqual([
      "storage.url: must be a redis://, rediss://, valkey:// or valkeys:// URL with a host",
    ]);
    expect(problems.join("\n")).not.toContain("hunter2");
  });

  it("validates CORS origins and resolves TLS paths against the base directory", () => {
    expect(
      problemsOf({ ...demo, server: { cors: { origins: ["*", "https://a.example/path"] } } }),
    ).toEqual([
      'server.cors.origins[1]: must be "*" or an origin such as "https://app.example.com" (no path, no slash)',
    ]);
    const config = parseConfig(
      { ...demo, server: { tls: { cert: "tls/cert.pem", key: "/abs/key.pem" } } },
      {},
      { baseDir: "/etc/switchboard" },
    );
    expect(config.server.tls).toEqual({
      certPath: "/etc/switchboard/tls/cert.pem",
      keyPath: "/abs/key.pem",
    });
  });

  it("rejects a document that is not a mapping", () => {
    expect(problemsOf(null)).toEqual([
      "(root): expected a mapping of sections (server, providers, models …)",
    ]);
    expect(problemsOf(["demo:echo"])).toHaveLength(1);
  });

  it("accepts a $schema key for editors", () => {
    expect(parseConfig({ $schema: "./config.schema.json", ...demo }, {}).models).toHaveLength(1);
  });
});
