import { constants } from "node:fs";
import { access, readFile } from "node:fs/promises";
import { dirname, extname, resolve } from "node:path";
import { parseDocument } from "yaml";
import { ConfigError, type ConfigProblem } from "./config-error.js";
import type { Environment } from "./env-substitution.js";
import type { GatewayConfig } from "./gateway-config.js";
import { parseConfig } from "./parse-config.js";

export { parseConfig } from "./parse-config.js";

/**
 * Where the configuration came from: a file; the environment (no file, but an
 * `OPENAI_API_KEY` or `DEEPSEEK_API_KEY`); or the built-in offline demo (neither).
 */
export type ConfigSource = "file" | "environment" | "demo";

/** A loaded configuration and its origin. */
export interface LoadedConfig {
  readonly config: GatewayConfig;
  readonly source: ConfigSource;
  /** Absolute path of the file, when `source` is `"file"`. */
  readonly path: string | undefined;
}

/** The model the demo fallback serves. */
export const DEMO_MODEL_ID = "demo:echo";

/**
 * Loads the configuration.
 *
 * With a path: reads the file (JSON when it ends in `.json`, YAML otherwise — YAML also reads
 * JSON), substitutes `${VAR}` from `env`, validates strictly, resolves relative TLS paths against
 * the file's directory and checks that the TLS files are readable.
 *
 * Without a path: when `OPENAI_API_KEY` or `DEEPSEEK_API_KEY` is set, configures those providers
 * with `openai:gpt-4o-mini` and `deepseek:deepseek-chat`; otherwise the built-in demo provider
 * (`demo:echo`, an offline, deterministic model). Both use memory storage and every default.
 *
 * @returns the deep-frozen configuration and where it came from.
 * @throws ConfigError listing every problem (or the one reason the file could not be read).
 */
export async function loadConfig(
  path: string | undefined,
  env: Environment = process.env,
): Promise<LoadedConfig> {
  if (path === undefined) {
    return loadWithoutFile(env);
  }
  const absolute = resolve(path);
  const raw = await readConfigFile(absolute, path);
  const config = parseConfig(raw, env, { baseDir: dirname(absolute), source: path });
  // Files the configuration names must be readable now, not when the first client connects.
  const problems: ConfigProblem[] = [];
  if (config.server.tls !== undefined) {
    const { certPath, keyPath } = config.server.tls;
    problems.push(...(await checkReadable(certPath, ["server", "tls", "cert"])));
    problems.push(...(await checkReadable(keyPath, ["server", "tls", "key"])));
  }
  if (config.storage.type === "valkey" && config.storage.tlsCaPath !== undefined) {
    problems.push(...(await checkReadable(config.storage.tlsCaPath, ["storage", "tls", "ca"])));
  }
  if (problems.length > 0) {
    throw new ConfigError(problems, path);
  }
  return { config, source: "file", path: absolute };
}

function loadWithoutFile(env: Environment): LoadedConfig {
  const providers: Record<string, unknown> = {};
  const models: string[] = [];
  if (isSet(env.OPENAI_API_KEY)) {
    // A reference, not the value: substitution does not rescan what it inserts.
    providers.openai = { apiKey: `\${OPENAI_API_KEY}` };
    models.push("openai:gpt-4o-mini");
  }
  if (isSet(env.DEEPSEEK_API_KEY)) {
    providers.deepseek = { apiKey: `\${DEEPSEEK_API_KEY}` };
    models.push("deepseek:deepseek-chat");
  }
  if (models.length > 0) {
    const config = parseConfig({ providers, models }, env, { source: "the environment" });
    return { config, source: "environment", path: undefined };
  }
  const demo = { providers: { demo: { type: "demo", delay: "20ms" } }, models: [DEMO_MODEL_ID] };
  return { config: parseConfig(demo, env), source: "demo", path: undefined };
}

function isSet(value: string | undefined): boolean {
  return value !== undefined && value !== "";
}

async function readConfigFile(absolute: string, shown: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(absolute, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ConfigError([{ path: [], message: `cannot read the file (${reason})` }], shown);
  }
  if (extname(absolute).toLowerCase() === ".json") {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      const message = `not valid JSON: ${(error as Error).message}`;
      throw new ConfigError([{ path: [], message }], shown);
    }
  }
  // Duplicate keys are errors (the default), so a key written twice cannot silently win.
  const document = parseDocument(text, { prettyErrors: true });
  if (document.errors.length > 0) {
    const lines = text.split("\n");
    const problems = document.errors.map((e) => {
      const summary = (e.message.split("\n")[0] ?? e.code).replace(/:$/, "");
      const line = lines[(e.linePos?.[0].line ?? 0) - 1] ?? "";
      // `{ apiKey: ${KEY} }` is the classic: braces end a flow mapping unless quoted.
      const hint = line.includes("${") ? ` (inside { } or [ ], quote references: "\${KEY}")` : "";
      return { path: [], message: `not valid YAML: ${summary}${hint}` };
    });
    throw new ConfigError(problems, shown);
  }
  return document.toJS() as unknown;
}

async function checkReadable(file: string, path: readonly string[]): Promise<ConfigProblem[]> {
  try {
    await access(file, constants.R_OK);
    return [];
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? "unreadable";
    return [{ path, message: `cannot read ${file} (${reason})` }];
  }
}
