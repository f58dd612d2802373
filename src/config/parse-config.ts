import type { z } from "zod";
import { ConfigError, type ConfigPath, type ConfigProblem } from "./config-error.js";
import { type ConfigSectionName, configFileSchema } from "./config-schema.js";
import { type Environment, substituteEnv } from "./env-substitution.js";
import type { GatewayConfig } from "./gateway-config.js";
import { issuesToProblems } from "./issues-to-problems.js";
import { modelEntrySchema } from "./model-schema.js";
import { providerSchema } from "./provider-schema.js";
import { type ResolverInput, resolveConfig } from "./resolve-config.js";

/** Options of `parseConfig`. */
export interface ParseConfigOptions {
  /** Directory relative TLS paths are resolved against. Default: the working directory. */
  readonly baseDir?: string | undefined;
  /** Names the file in the error message. */
  readonly source?: string | undefined;
}

/**
 * Validates a parsed YAML/JSON tree and resolves it into a deep-frozen `GatewayConfig`:
 * substitutes `${VAR}` references from `env`, validates strictly and fills in defaults.
 *
 * Every section, provider and model is validated on its own, and the checks across sections (a
 * model naming an unknown provider) run on whatever is valid, so that one error reports
 * everything there is to fix.
 *
 * @throws ConfigError listing every problem with its path.
 */
export function parseConfig(
  raw: unknown,
  env: Environment = process.env,
  options: ParseConfigOptions = {},
): GatewayConfig {
  const substituted = substituteEnv(raw, env);
  const tree = substituted.value;
  if (!isMapping(tree)) {
    const message = "expected a mapping of sections (server, providers, models …)";
    throw new ConfigError([{ path: [], message }], options.source);
  }
  const shape = configFileSchema.shape;
  const problems: ConfigProblem[] = [];
  for (const key of Object.keys(tree)) {
    if (!Object.hasOwn(shape, key)) {
      const allowed = Object.keys(shape).filter((k) => k !== "$schema");
      problems.push({ path: [key], message: `unknown key (allowed: ${allowed.join(", ")})` });
    }
  }
  const input: Record<string, unknown> = {};
  const invalidSections = new Set<ConfigSectionName>();
  const fail = (key: ConfigSectionName, issues: readonly z.core.$ZodIssue[], path: ConfigPath) => {
    invalidSections.add(key);
    problems.push(...issuesToProblems(issues, path, tree));
  };
  for (const key of Object.keys(shape) as ConfigSectionName[]) {
    const value = tree[key];
    if (key === "providers" && isMapping(value)) {
      const valid: Record<string, unknown> = {};
      for (const [name, provider] of Object.entries(value)) {
        const result = providerSchema.safeParse(provider);
        if (result.success) valid[name] = result.data;
        else fail(key, result.error.issues, [key, name]);
      }
      input[key] = valid;
    } else if (key === "models" && Array.isArray(value)) {
      // Invalid entries stay as holes so that later problems keep their original index.
      input[key] = value.map((entry: unknown, index) => {
        const result = modelEntrySchema.safeParse(entry);
        if (!result.success) fail(key, result.error.issues, [key, index]);
        return result.data;
      });
    } else {
      const result = shape[key].safeParse(value);
      if (result.success) input[key] = result.data;
      else fail(key, result.error.issues, [key]);
    }
  }

  const config = resolveConfig(
    // Each key holds the output of that key's own schema (per entry for providers and models).
    input as ResolverInput,
    {
      invalidSections,
      providerNames: providerNames(tree.providers),
      baseDir: options.baseDir ?? process.cwd(),
    },
    problems,
  );
  // A missing variable also makes its value invalid: report the cause once, not the symptom.
  const envPaths = substituted.problems.map((p) => p.path);
  const symptoms = problems.filter((p) => !envPaths.some((path) => startsWith(p.path, path)));
  const all = inFileOrder([...substituted.problems, ...symptoms], Object.keys(tree));
  if (all.length > 0) {
    throw new ConfigError(all, options.source);
  }
  return deepFreeze(config);
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The names under `providers`; none when absent; unknown when it is not a mapping. */
function providerNames(providers: unknown): string[] | undefined {
  if (providers === undefined) return [];
  return isMapping(providers) ? Object.keys(providers) : undefined;
}

function startsWith(path: ConfigPath, prefix: ConfigPath): boolean {
  return prefix.length <= path.length && prefix.every((segment, i) => path[i] === segment);
}

/** Sorts problems by their section's position in the file, then by list index (stable). */
function inFileOrder(problems: ConfigProblem[], keys: readonly string[]): ConfigProblem[] {
  const rank = (p: ConfigProblem) => {
    const index = keys.indexOf(String(p.path[0]));
    return index === -1 ? keys.length : index;
  };
  const position = (p: ConfigProblem) => (typeof p.path[1] === "number" ? p.path[1] : -1);
  return problems.sort((a, b) => rank(a) - rank(b) || position(a) - position(b));
}

/** Freezes a plain tree in place, so that no layer can change the configuration it was given. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) {
      deepFreeze(child);
    }
  }
  return value;
}
