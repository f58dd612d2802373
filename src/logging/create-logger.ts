import { type DestinationStream, type Logger, pino } from "pino";
import type { LogLevel } from "../config/gateway-config.js";

/** Options of `createLogger`. */
export interface LoggerOptions {
  /** Lowest level written. */
  readonly level: LogLevel;
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
 * (see `REDACTED_PATHS`).
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
  const loggerOptions = {
    level: options.level,
    base: { service: "switchboard" },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label: string) => ({ level: label }),
    },
    redact: { paths: [...REDACTED_PATHS], censor: "[redacted]" },
  };
  return pino(loggerOptions, destination ?? pino.destination({ dest: 1, sync: true }));
}
