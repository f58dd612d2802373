import type { Logger } from "pino";
import { ConfigError } from "../config/config-error.js";
import type { Environment } from "../config/env-substitution.js";
import type { GatewayConfig } from "../config/gateway-config.js";
import { DEMO_MODEL_ID, type LoadedConfig, loadConfig } from "../config/load-config.js";
import { deepFreeze } from "../config/parse-config.js";
import { createLogger } from "../logging/create-logger.js";
import { createSecretRegistry } from "../secrets/secret-registry.js";
import type { CommandOutput } from "./check-config-command.js";

/** What `switchboard serve` was given on the command line. */
export interface ServeOptions {
  readonly configPath: string | undefined;
  readonly port: number | undefined;
  readonly host: string | undefined;
}

/** Time the process waits beyond the grace period before giving up on a stuck shutdown. */
const SHUTDOWN_BACKSTOP_MS = 5_000;

/**
 * `switchboard serve`: loads the configuration (`--config`, else `SWITCHBOARD_CONFIG`, else the
 * environment or demo fallback), starts the gateway and logs where it listens. From then on the
 * process belongs to the gateway: SIGTERM/SIGINT shut it down gracefully and exit 0 (a second
 * signal exits at once, 130/143); an uncaught exception or unhandled rejection is logged as
 * fatal and exits 1.
 *
 * @returns 1 when the configuration is invalid (the message goes to stderr, no stack) or the
 *   gateway fails to start; `undefined` once the gateway is running.
 */
export async function runServe(
  options: ServeOptions,
  env: Environment,
  output: CommandOutput,
): Promise<number | undefined> {
  const configPath = options.configPath ?? (env.SWITCHBOARD_CONFIG || undefined);
  // Made before anything may log and filled by startGateway from the configuration before it
  // logs a line: every line the root logger writes, and every error the gateway sends, has
  // these secrets replaced.
  const secrets = createSecretRegistry();
  let loaded: LoadedConfig;
  try {
    loaded = await loadConfig(configPath, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      output.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
  const config = withServerOverrides(loaded.config, options);
  const log = createLogger({ level: config.logging.level, secrets });
  exitOnCrash(log);

  // Loaded here, not at the top, so that check-config and usage errors never load the server.
  const { startGateway } = await import("../gateway.js");
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  try {
    gateway = await startGateway({ config, log, secrets });
  } catch (error) {
    log.fatal({ err: error }, "gateway failed to start");
    // Also in plain words for whoever reads the terminal rather than the JSON log.
    process.stderr.write(`switchboard: cannot start: ${(error as Error).message}\n`);
    return 1;
  }
  // Before the first line that says the gateway is up: whoever reads it may signal at once.
  stopOnSignals(gateway, log, config.server.shutdownGraceMs);
  log.info(
    {
      url: gateway.url,
      port: gateway.port,
      storage: config.storage.type,
      models: config.models.map((m) => m.id),
      configSource: loaded.source,
      configPath: loaded.path,
    },
    "gateway started",
  );
  if (loaded.source === "demo") {
    log.warn(
      { model: DEMO_MODEL_ID },
      "serving the built-in offline demo model: its answers are canned, not from an LLM. To use a real provider, set OPENAI_API_KEY (or DEEPSEEK_API_KEY) or pass --config FILE; see README",
    );
  }
  return undefined;
}

function withServerOverrides(config: GatewayConfig, options: ServeOptions): GatewayConfig {
  if (options.port === undefined && options.host === undefined) {
    return config;
  }
  const server = {
    ...config.server,
    port: options.port ?? config.server.port,
    host: options.host ?? config.server.host,
  };
  return deepFreeze({ ...config, server });
}

/** Never carry on after an unexpected error: the state it left behind is unknown. */
function exitOnCrash(log: Logger): void {
  process.on("uncaughtException", (error, origin) => {
    log.fatal({ err: error, origin }, "uncaught exception; exiting");
    process.exit(1);
  });
  process.on("unhandledRejection", (reason) => {
    log.fatal({ err: reason }, "unhandled promise rejection; exiting");
    process.exit(1);
  });
}

function stopOnSignals(
  gateway: { shutdown(): Promise<void> },
  log: Logger,
  shutdownGraceMs: number,
): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, "second signal; exiting without waiting");
      // 128 + the signal number, as a shell reports a process killed by it.
      process.exit(signal === "SIGINT" ? 130 : 143);
    }
    stopping = true;
    log.info({ signal, shutdownGraceMs }, "shutting down");
    // A shutdown that hangs must not keep a terminating pod alive forever.
    setTimeout(() => {
      log.error({ shutdownGraceMs }, "shutdown did not finish in time; exiting");
      process.exit(1);
    }, shutdownGraceMs + SHUTDOWN_BACKSTOP_MS);
    gateway.shutdown().then(
      () => {
        log.info("stopped");
        process.exit(0);
      },
      (error: unknown) => {
        log.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}
