import { CONFIG_DEFAULTS as D } from "./config-defaults.js";
import type { ConfigProblem } from "./config-error.js";
import type { ProviderConfig, ProviderType } from "./gateway-config.js";
import { PROVIDER_TYPES, type ProviderFile } from "./provider-schema.js";

/** Provider names appear before the colon of "provider:model", so they cannot hold one. */
const PROVIDER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The environment variable users conventionally keep each hosted API's key in. */
const KEY_VARIABLE: Readonly<Record<"openai" | "deepseek", string>> = {
  openai: "OPENAI_API_KEY",
  deepseek: "DEEPSEEK_API_KEY",
};

/**
 * Resolves the `providers` section: the type (defaulting to the name when the name is a type),
 * per-type requirements (a key for hosted APIs, a base URL for openai-compatible, `delay` only
 * for demo) and defaults. Problems are appended to `problems`; invalid providers are left out.
 */
export function resolveProviders(
  providers: Readonly<Record<string, ProviderFile>>,
  problems: ConfigProblem[],
): Record<string, ProviderConfig> {
  const resolved: Record<string, ProviderConfig> = {};
  for (const [name, provider] of Object.entries(providers)) {
    const config = resolveProvider(name, provider, problems);
    if (config !== undefined) {
      resolved[name] = config;
    }
  }
  return resolved;
}

function resolveProvider(
  name: string,
  provider: ProviderFile,
  problems: ConfigProblem[],
): ProviderConfig | undefined {
  const at = (...path: string[]) => ["providers", name, ...path];
  const before = problems.length;
  if (!PROVIDER_NAME.test(name)) {
    problems.push({
      path: at(),
      message:
        'provider names use letters, digits, ".", "_" and "-" (no colon: it separates provider and model)',
    });
  }
  const type = provider.type ?? (isProviderType(name) ? name : undefined);
  if (type === undefined) {
    problems.push({
      path: at("type"),
      message: `missing; "${name}" is not a provider type, so set type to one of: ${PROVIDER_TYPES.join(", ")}`,
    });
    return undefined;
  }
  const apiKey = provider.apiKey === "" ? undefined : provider.apiKey;
  if (type === "demo") {
    for (const key of ["baseUrl", "apiKey", "headers", "maxConnections"] as const) {
      if (provider[key] !== undefined) {
        problems.push({ path: at(key), message: "not used by type demo; remove it" });
      }
    }
  } else if (provider.delay !== undefined) {
    problems.push({ path: at("delay"), message: "only valid for type demo" });
  }
  if ((type === "openai" || type === "deepseek") && apiKey === undefined) {
    const variable = KEY_VARIABLE[type];
    problems.push({
      path: at("apiKey"),
      message: `missing; set ${variable} and write apiKey: \${${variable}}`,
    });
  }
  if (type === "openai-compatible" && provider.baseUrl === undefined) {
    problems.push({
      path: at("baseUrl"),
      message:
        "missing; an openai-compatible provider needs its server's URL, e.g. http://127.0.0.1:11434/v1",
    });
  }
  if (problems.length > before) {
    return undefined;
  }
  return {
    name,
    type,
    baseUrl: provider.baseUrl ?? defaultBaseUrl(type),
    apiKey: type === "demo" ? undefined : apiKey,
    headers: provider.headers ?? {},
    maxConnections: provider.maxConnections ?? D.provider.maxConnections,
    demoDelayMs: type === "demo" ? (provider.delay ?? D.provider.demoDelayMs) : 0,
  };
}

function defaultBaseUrl(type: ProviderType): string {
  switch (type) {
    case "openai":
      return D.provider.baseUrls.openai;
    case "deepseek":
      return D.provider.baseUrls.deepseek;
    // openai-compatible always has one (checked above); demo has none.
    case "openai-compatible":
    case "demo":
      return "";
  }
}

function isProviderType(name: string): name is ProviderType {
  return (PROVIDER_TYPES as readonly string[]).includes(name);
}
