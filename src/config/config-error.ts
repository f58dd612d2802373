/** Where a problem is in the configuration tree: keys and array indexes from the root. */
export type ConfigPath = readonly (string | number)[];

/** One thing wrong with a configuration, at one place. */
export interface ConfigProblem {
  readonly path: ConfigPath;
  /** What is wrong and, where possible, what to write instead. Never contains a secret. */
  readonly message: string;
}

const IDENTIFIER = /^[A-Za-z_$][\w$-]*$/;

/**
 * Formats a path the way users read it in the file: `models[1]`, `server.limits.idleTimeout`,
 * `providers["my.provider"]`; the root is `(root)`.
 */
export function formatConfigPath(path: ConfigPath): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") {
      text += `[${segment}]`;
    } else if (IDENTIFIER.test(segment)) {
      text += text === "" ? segment : `.${segment}`;
    } else {
      text += `[${JSON.stringify(segment)}]`;
    }
  }
  return text === "" ? "(root)" : text;
}

/**
 * The one error a configuration that cannot be used raises. Its message lists every problem
 * with its path, one per line, so that a single run shows everything to fix:
 *
 * ```text
 * Invalid configuration in switchboard.yaml (2 problems):
 *   - models[1]: unknown provider "foo" (configured: openai, demo)
 *   - server.port: must be at most 65535
 * ```
 */
export class ConfigError extends Error {
  /** Stable code for callers that switch on errors. */
  readonly code = "invalid_config";
  /** Every problem found, in file order as far as validation allows. */
  readonly problems: readonly ConfigProblem[];
  /** The file that was read, when there was one. */
  readonly source: string | undefined;

  constructor(problems: readonly ConfigProblem[], source?: string) {
    super(formatProblems(problems, source));
    this.name = "ConfigError";
    this.problems = problems;
    this.source = source;
  }
}

function formatProblems(problems: readonly ConfigProblem[], source: string | undefined): string {
  const where = source === undefined ? "" : ` in ${source}`;
  const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
  const lines = problems.map((p) => `  - ${formatConfigPath(p.path)}: ${p.message}`);
  return [`Invalid configuration${where} (${count}):`, ...lines].join("\n");
}
