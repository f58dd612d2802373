import { type DestinationStream, type Logger, pino } from "pino";
import type { LogLevel } from "../config/gateway-config.js";
import { REDACTED, type SecretRedactor } from "../secrets/secret-registry.js";

/** Options of `createLogger`. */
export interface LoggerOptions {
  /** Lowest level written. */
  readonly level: LogLevel;
  /**
   * Replaces the configured secrets in every serialized line, at every level (see
   * `SecretRegistry`); it may be filled after the logger is made, once the configuration is
   * loaded. Default: none, only `REDACTED_PATHS` apply.
   */
  readonly secrets?: SecretRedactor | undefined;
}

/**
 * Paths pino replaces with `"[redacted]"`. `*` matches one level, so both a provider config
 * (`{ apiKey }`) and an object holding one (`{ provider: { apiKey } }`) are covered.
 */
export const REDACTED_PATHS: readonly string[] = [
  "apiKey",
  "*.apiKey",
  "password",
  "*.password",
  "authorization",
  "headers.authorization",
  "*.headers.authorization",
  'headers["x-api-key"]',
  '*.headers["x-api-key"]',
  "headers.cookie",
  "*.headers.cookie",
  "req.headers.authorization",
  "req.headers.cookie",
  "config.providers.*.apiKey",
  "config.providers.*.headers",
  "config.storage.url",
  "providers.*.apiKey",
  "providers.*.headers",
];

/**
 * Creates the root logger, built once at start-up and passed down; use `log.child({ … })` for
 * request and attempt context, and put errors under `err`.
 *
 * Lines are JSON with an ISO `time`, the level as a label (`"level":"info"`) and
 * `service: "switchboard"`. Keys, passwords, auth headers and provider headers are redacted
 * (see `REDACTED_PATHS`), and every occurrence of a configured secret in a line, wherever it
 * is (an upstream's echo inside an error message, a raw body at debug), is replaced by
 * `options.secrets` as the line is written.
 *
 * Rule for callers: prompts, completions and raw upstream bodies are logged only at `debug` (or
 * `trace`), never above, because they may hold personal data; a secret is never logged at all.
 *
 * @param destination where lines go; default stdout, written synchronously: the gateway exits
 *   with `process.exit` after a signal or a fatal error, and an asynchronous write still in
 *   flight then is lost, precisely the last lines that explain the exit. Requests take
 *   milliseconds to seconds upstream, so a write syscall per line is not what limits throughput.
 */
export function createLogger(options: LoggerOptions, destination?: DestinationStream): Logger {
  const { secrets } = options;
  const loggerOptions = {
    level: options.level,
    base: { service: "switchboard" },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label: string) => ({ level: label }),
    },
    redact: { paths: [...REDACTED_PATHS], censor: REDACTED },
    // The serialized line, so that a secret is found whatever field or nesting it hides in.
    hooks: secrets === undefined ? {} : { streamWrite: (line: string) => secrets.redact(line) },
  };
  return pino(loggerOptions, destination ?? pino.destination({ dest: 1, sync: true }));
}
