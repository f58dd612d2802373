import { resolve as resolvePath } from "node:path";
import { CONFIG_DEFAULTS as D } from "./config-defaults.js";
import { type ConfigPath, type ConfigProblem, formatConfigPath } from "./config-error.js";
import type { ConfigFile, ConfigSectionName } from "./config-schema.js";
import { formatDuration } from "./duration.js";
import type { GatewayConfig, RestoreConfig, ServerConfig } from "./gateway-config.js";
import type { ModelEntry } from "./model-schema.js";
import { resolveModels } from "./resolve-models.js";
import { resolveProviders } from "./resolve-providers.js";
import { resolveStorage } from "./resolve-storage.js";

/**
 * The validated file: each section as its schema outputs it, except `models`, where an entry
 * that failed validation is `undefined` so the others keep their index.
 */
export type ResolverInput = Omit<ConfigFile, "models"> & {
  readonly models?: readonly (ModelEntry | undefined)[] | undefined;
};

/** Inputs of `resolveConfig` besides the file. */
export interface ResolveConfigOptions {
  /**
   * Sections that failed validation (for providers and models: at least one entry did); checks
   * that depend on what is missing are skipped.
   */
  readonly invalidSections: ReadonlySet<ConfigSectionName>;
  /**
   * Names under `providers` as written, even those whose settings are invalid; `undefined` when
   * `providers` is not a mapping, in which case models' providers are not checked.
   */
  readonly providerNames: readonly string[] | undefined;
  /**
   * Directory relative TLS file paths (`server.tls`, `storage.tls.ca`) are resolved against
   * (the config file's).
   */
  readonly baseDir: string;
}

/**
 * Turns a validated file into the `GatewayConfig` every layer reads: fills defaults from
 * `CONFIG_DEFAULTS`, folds AI Warp's names into ours, resolves providers and models, and checks
 * what spans sections. Appends problems to `problems`; the result is only meaningful when none
 * were added.
 *
 * AI Warp names accepted:
 * - `historyExpiration` and `limits.historyExpiration` → `sessions.ttl`;
 * - `limits.requestTimeout` → `timeouts.total`;
 * - `limits.retry.max` → `retry.maxRetries`, `limits.retry.interval` → `retry.baseDelay`;
 * - `limits.maxTokens`, `limits.rate` → every model's default limits;
 *   giving an alias and our name with different values is a problem;
 * - `restore.providerExceededError` → `restore.rateLimit` and `restore.retry` →
 *   `restore.providerError`, each only when our name is not set (they are close, not equal).
 */
export function resolveConfig(
  file: ResolverInput,
  options: ResolveConfigOptions,
  problems: ConfigProblem[],
): GatewayConfig {
  const { invalidSections, providerNames } = options;
  const warp = file.limits ?? {};
  const providers = resolveProviders(file.providers ?? {}, problems);
  const models = resolveModels(
    file.models,
    {
      // An entry may have failed, or the whole list: either way, "none left" is not news.
      requireOne: !invalidSections.has("models"),
      providerNames,
      defaultLimits: {
        maxTokens: warp.maxTokens,
        rate: warp.rate && { max: warp.rate.max, timeWindowMs: warp.rate.timeWindow },
      },
    },
    problems,
  );
  const pick = (candidates: readonly Candidate[], fallback: number) =>
    pickAlias(candidates, problems) ?? fallback;

  return {
    server: resolveServer(file.server, options.baseDir),
    logging: { level: file.logging?.level ?? D.logging.level },
    providers,
    models,
    retry: {
      maxRetries: pick(
        [
          { path: ["retry", "maxRetries"], value: file.retry?.maxRetries },
          { path: ["limits", "retry", "max"], value: warp.retry?.max },
        ],
        D.retry.maxRetries,
      ),
      baseDelayMs: pick(
        [
          { path: ["retry", "baseDelay"], value: file.retry?.baseDelay, duration: true },
          { path: ["limits", "retry", "interval"], value: warp.retry?.interval, duration: true },
        ],
        D.retry.baseDelayMs,
      ),
      maxDelayMs: file.retry?.maxDelay ?? D.retry.maxDelayMs,
      maxRetryAfterMs: file.retry?.maxRetryAfter ?? D.retry.maxRetryAfterMs,
    },
    restore: resolveRestore(file.restore, problems),
    timeouts: {
      headersMs: file.timeouts?.headers ?? D.timeouts.headersMs,
      firstTokenMs: file.timeouts?.firstToken ?? D.timeouts.firstTokenMs,
      stallMs: file.timeouts?.stall ?? D.timeouts.stallMs,
      totalMs: pick(
        [
          { path: ["timeouts", "total"], value: file.timeouts?.total, duration: true },
          { path: ["limits", "requestTimeout"], value: warp.requestTimeout, duration: true },
        ],
        D.timeouts.totalMs,
      ),
    },
    streaming: {
      midStreamFailure: file.streaming?.midStreamFailure ?? D.streaming.midStreamFailure,
      retentionMs: file.streaming?.retention ?? D.streaming.retentionMs,
      maxDurationMs: file.streaming?.maxDuration ?? D.streaming.maxDurationMs,
      maxRetainedStreams: file.streaming?.maxRetainedStreams ?? D.streaming.maxRetainedStreams,
      maxEventsPerStream: file.streaming?.maxEventsPerStream ?? D.streaming.maxEventsPerStream,
      maxRetainedBytes: file.streaming?.maxRetainedBytes ?? D.streaming.maxRetainedBytes,
      commitIntervalMs: file.streaming?.commitInterval ?? D.streaming.commitIntervalMs,
    },
    sessions: {
      ttlMs: pick(
        [
          { path: ["sessions", "ttl"], value: file.sessions?.ttl, duration: true },
          { path: ["historyExpiration"], value: file.historyExpiration, duration: true },
          {
            path: ["limits", "historyExpiration"],
            value: warp.historyExpiration,
            duration: true,
          },
        ],
        D.sessions.ttlMs,
      ),
      historyMaxMessages: file.sessions?.history?.maxMessages ?? D.sessions.historyMaxMessages,
      historyMaxChars: file.sessions?.history?.maxChars ?? D.sessions.historyMaxChars,
      maxSessions: file.sessions?.maxSessions ?? D.sessions.maxSessions,
    },
    storage: resolveStorage(file.storage, options.baseDir, problems),
  };
}

/** One place a value may be given, in order of precedence. */
interface Candidate {
  readonly path: ConfigPath;
  readonly value: number | undefined;
  /** Format the value as a duration in messages. */
  readonly duration?: boolean;
}

/** The first given value; every later one that differs from it is a problem. */
function pickAlias(
  candidates: readonly Candidate[],
  problems: ConfigProblem[],
): number | undefined {
  const given = candidates.filter((c) => c.value !== undefined);
  const [first, ...rest] = given;
  if (first === undefined) {
    return undefined;
  }
  const show = (c: Candidate) =>
    c.duration === true ? formatDuration(c.value ?? 0) : String(c.value);
  for (const other of rest) {
    if (other.value !== first.value) {
      problems.push({
        path: other.path,
        message: `conflicts with ${formatConfigPath(first.path)} (${show(other)} vs ${show(first)}); set only one`,
      });
    }
  }
  return first.value;
}

function resolveServer(server: ConfigFile["server"], baseDir: string): ServerConfig {
  const s = D.server;
  const limits = server?.limits;
  return {
    host: server?.host ?? s.host,
    port: server?.port ?? s.port,
    tls: server?.tls && {
      certPath: resolvePath(baseDir, server.tls.cert),
      keyPath: resolvePath(baseDir, server.tls.key),
    },
    corsOrigins: server?.cors?.origins ?? s.corsOrigins,
    maxMessageBytes: server?.limits?.maxMessageBytes ?? s.maxMessageBytes,
    maxConcurrentStreams: server?.limits?.maxConcurrentStreams ?? s.maxConcurrentStreams,
    idleTimeoutMs: server?.limits?.idleTimeout ?? s.idleTimeoutMs,
    shutdownGraceMs: server?.shutdownGracePeriod ?? s.shutdownGraceMs,
    maxPromptChars: server?.limits?.maxPromptChars ?? s.maxPromptChars,
    playground: server?.playground ?? s.playground,
    maxConnections: limits?.maxConnections ?? s.maxConnections,
    maxConnectionsPerClient: limits?.maxConnectionsPerClient ?? s.maxConnectionsPerClient,
    streamResetBurst: limits?.streamResets?.burst ?? s.streamResetBurst,
    streamResetRatePerSecond: limits?.streamResets?.perSecond ?? s.streamResetRatePerSecond,
    blockAbusiveClientsMs: limits?.blockAbusiveClients ?? s.blockAbusiveClientsMs,
    requestBodyTimeoutMs: limits?.requestBodyTimeout ?? s.requestBodyTimeoutMs,
    headersTimeoutMs: limits?.headersTimeout ?? s.headersTimeoutMs,
    maxConcurrentGenerations: limits?.maxConcurrentGenerations ?? s.maxConcurrentGenerations,
    maxConcurrentCallsPerClient:
      limits?.maxConcurrentCallsPerClient ?? s.maxConcurrentCallsPerClient,
    maxDecompressingBytes: limits?.maxDecompressingBytes ?? s.maxDecompressingBytes,
    maxCompressionRatio: limits?.maxCompressionRatio ?? s.maxCompressionRatio,
  };
}

function resolveRestore(restore: ConfigFile["restore"], problems: ConfigProblem[]): RestoreConfig {
  const r = D.restore;
  const cooldowns = {
    rateLimitMs: restore?.rateLimit ?? restore?.providerExceededError ?? r.rateLimitMs,
    timeoutMs: restore?.timeout ?? r.timeoutMs,
    providerErrorMs: restore?.providerError ?? restore?.retry ?? r.providerErrorMs,
    providerCommunicationErrorMs:
      restore?.providerCommunicationError ?? r.providerCommunicationErrorMs,
  };
  const longest = Math.max(...Object.values(cooldowns));
  if (restore?.max !== undefined && longest > restore.max) {
    problems.push({
      path: ["restore", "max"],
      message: `${formatDuration(restore.max)} is shorter than the longest cooldown (${formatDuration(longest)}); raise max or shorten the cooldown`,
    });
  }
  return {
    ...cooldowns,
    // Without an explicit bound, never cut a configured cooldown short.
    maxMs: restore?.max ?? Math.max(r.maxMs, longest),
    probeLeaseMs: restore?.probeLease ?? r.probeLeaseMs,
  };
}
