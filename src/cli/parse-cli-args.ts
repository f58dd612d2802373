import { parseArgs } from "node:util";

/** What the command line asks for. */
export type CliCommand =
  | { readonly kind: "help" }
  | { readonly kind: "version" }
  | {
      readonly kind: "serve";
      /** `--config`; when absent, `SWITCHBOARD_CONFIG`, then the no-file fallbacks. */
      readonly configPath: string | undefined;
      readonly port: number | undefined;
      readonly host: string | undefined;
    }
  | { readonly kind: "check-config"; readonly file: string };

/** A command line that cannot be run; the CLI prints the message and the usage, and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** The help text. */
export const USAGE = `Usage: switchboard <command> [options]

Commands:
  serve [--config FILE] [--port N] [--host H]
      Start the gateway. The config file may also come from SWITCHBOARD_CONFIG. Without one,
      OPENAI_API_KEY / DEEPSEEK_API_KEY configure those providers; with neither, an offline
      demo model is served.
  check-config FILE
      Validate a configuration file, print a summary and exit (1 when invalid).

Options:
  -c, --config FILE   configuration file (YAML or JSON)
  -p, --port N        port to listen on, overriding the file (0 = any free port)
      --host H        interface to listen on, overriding the file
  -h, --help          show this help
  -v, --version       print the version
`;

/**
 * Parses the arguments after the executable and script (`process.argv.slice(2)`).
 *
 * @throws UsageError for an unknown command or option, a missing or extra argument, or a bad
 *   `--port`.
 */
export function parseCliArgs(args: readonly string[]): CliCommand {
  const [first, ...rest] = args;
  switch (first) {
    case undefined:
      throw new UsageError("missing command");
    case "-h":
    case "--help":
    case "help":
      return { kind: "help" };
    case "-v":
    case "--version":
      return { kind: "version" };
    case "serve":
      return parseServe(rest);
    case "check-config":
      return parseCheckConfig(rest);
    default:
      throw new UsageError(
        first.startsWith("-") ? `unknown option "${first}"` : `unknown command "${first}"`,
      );
  }
}

function parseServe(args: readonly string[]): CliCommand {
  const { values, positionals } = parseStrict(args, {
    config: { type: "string", short: "c" },
    port: { type: "string", short: "p" },
    host: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help === true) {
    return { kind: "help" };
  }
  if (positionals.length > 0) {
    throw new UsageError(`serve takes no arguments (got "${positionals[0]}"); use --config FILE`);
  }
  if (values.host === "") {
    throw new UsageError("--host must not be empty");
  }
  return {
    kind: "serve",
    configPath: values.config === "" ? undefined : values.config,
    port: values.port === undefined ? undefined : parsePort(values.port),
    host: values.host,
  };
}

function parseCheckConfig(args: readonly string[]): CliCommand {
  const { values, positionals } = parseStrict(args, {
    help: { type: "boolean", short: "h" },
  });
  if (values.help === true) {
    return { kind: "help" };
  }
  const [file, ...extra] = positionals;
  if (file === undefined || file === "") {
    throw new UsageError("check-config needs the FILE to check");
  }
  if (extra.length > 0) {
    throw new UsageError(`check-config takes one FILE, got ${positionals.length}`);
  }
  return { kind: "check-config", file };
}

type OptionSpec = Record<string, { readonly type: "string" | "boolean"; readonly short?: string }>;

function parseStrict<T extends OptionSpec>(args: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: true });
  } catch (error) {
    // parseArgs explains at length how to pass positionals that start with "-"; the first
    // sentence is the part that matters here.
    const message = (error as Error).message.split(". ")[0] ?? "invalid arguments";
    throw new UsageError(message);
  }
}

function parsePort(text: string): number {
  const port = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(port) || port > 65_535) {
    throw new UsageError(`--port must be an integer between 0 and 65535, got "${text}"`);
  }
  return port;
}
