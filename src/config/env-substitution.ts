import type { ConfigPath, ConfigProblem } from "./config-error.js";

/** The environment variables substitution reads. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** A substituted tree and the references that could not be resolved. */
export interface SubstitutionResult {
  readonly value: unknown;
  /** One problem per unresolved or malformed reference, with the path of its string. */
  readonly problems: readonly ConfigProblem[];
}

/** `$${` (an escaped literal), `${NAME}`, `${NAME:-default}`, or a malformed `${…`. */
const REFERENCE = /\$\$\{|\$\{([^}]*)(\})?/g;
const NAME_AND_DEFAULT = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

/**
 * Replaces environment references in every string value of a parsed YAML/JSON tree (keys are
 * left alone). Substituting after parsing, not in the raw text, keeps a secret that contains
 * YAML or JSON syntax a plain string.
 *
 * - `${NAME}` is the variable's value (an empty value stays empty);
 * - `${NAME:-default}` is the default when the variable is unset or empty, as in a shell;
 * - `$${` is a literal `${`.
 *
 * A variable that is unset and has no default, or a malformed reference, becomes an empty
 * string and a problem at the string's path, so validation can go on and report everything.
 * The problem names the variable, never a value.
 */
export function substituteEnv(tree: unknown, env: Environment): SubstitutionResult {
  const problems: ConfigProblem[] = [];
  const value = substituteNode(tree, { env, problems, ancestors: new Set() }, []);
  return { value, problems };
}

interface Walk {
  readonly env: Environment;
  readonly problems: ConfigProblem[];
  /** Objects on the current path: a YAML alias can make a tree contain itself. */
  readonly ancestors: Set<object>;
}

function substituteNode(node: unknown, walk: Walk, path: ConfigPath): unknown {
  if (typeof node === "string") {
    return substituteString(node, walk, path);
  }
  if (node === null || typeof node !== "object") {
    return node;
  }
  if (walk.ancestors.has(node)) {
    walk.problems.push({ path, message: "contains itself (a circular YAML alias)" });
    return undefined;
  }
  walk.ancestors.add(node);
  let result: unknown;
  if (Array.isArray(node)) {
    result = node.map((item: unknown, index) => substituteNode(item, walk, [...path, index]));
  } else {
    const copy: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(node)) {
      copy[key] = substituteNode(child, walk, [...path, key]);
    }
    result = copy;
  }
  walk.ancestors.delete(node);
  return result;
}

function substituteString(text: string, walk: Walk, path: ConfigPath): string {
  const { env, problems } = walk;
  if (!text.includes("${")) {
    return text;
  }
  return text.replace(REFERENCE, (match: string, body?: string, closed?: string) => {
    if (match === "$${") {
      return "${";
    }
    const parsed = closed === undefined ? null : NAME_AND_DEFAULT.exec(body ?? "");
    if (parsed === null) {
      problems.push({
        path,
        message: `malformed environment reference; write \${NAME} or \${NAME:-default} (or $\${ for a literal \${)`,
      });
      return "";
    }
    const name = parsed[1] ?? "";
    const fallback = parsed[2];
    const current = env[name];
    if (fallback !== undefined) {
      return current === undefined || current === "" ? fallback : current;
    }
    if (current === undefined) {
      problems.push({ path, message: `environment variable ${name} is not set` });
      return "";
    }
    return current;
  });
}
