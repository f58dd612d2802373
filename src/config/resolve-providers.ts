import { CONFIG_DEFAULTS as D } from "./config-defaults.js";
import type { ConfigProblem } from "./config-error.js";
import type { ProviderConfig, ProviderType } from "./gateway-config.js";
import type { ProviderFile } from "./provider-schema.js";
import { PROVIDER_TYPE_INFO, PROVIDER_TYPES } from "./provider-types.js";

/** Provider names appear before the colon of "provider:model", so they cannot hold one. */
const PROVIDER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

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
  const info = PROVIDER_TYPE_INFO[type];
  const notUsed = (key: keyof ProviderFile, why: string) => {
    if (provider[key] !== undefined) problems.push({ path: at(key), message: why });
  };
  if (type === "demo") {
    for (const key of ["baseUrl", "apiKey", "headers", "maxConnections"] as const) {
      notUsed(key, "not used by type demo; remove it");
    }
  }
  if (type !== "demo") notUsed("delay", "only valid for type demo");
  if (type !== "azure-openai") notUsed("apiVersion", "only valid for type azure-openai");
  if (type !== "bedrock") notUsed("region", "only valid for type bedrock");
  if (type === "bedrock") {
    notUsed(
      "apiKey",
      "bedrock takes credentials from the AWS chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, SSO, instance roles); remove apiKey",
    );
  }
  if (info.keyRequired && apiKey === undefined) {
    const variable = info.keyVariable ?? "YOUR_API_KEY";
    problems.push({
      path: at("apiKey"),
      message: `missing; set ${variable} and write apiKey: \${${variable}}`,
    });
  }
  if (info.defaultBaseUrl === undefined && provider.baseUrl === undefined) {
    problems.push({
      path: at("baseUrl"),
      message:
        type === "azure-openai"
          ? "missing; an azure-openai provider needs its resource endpoint, e.g. https://NAME.openai.azure.com"
          : "missing; an openai-compatible provider needs its server's URL, e.g. http://127.0.0.1:11434/v1",
    });
  }
  if (problems.length > before) {
    return undefined;
  }
  return {
    name,
    type,
    baseUrl: provider.baseUrl ?? info.defaultBaseUrl ?? "",
    apiKey: type === "demo" ? undefined : apiKey,
    headers: provider.headers ?? {},
    maxConnections: provider.maxConnections ?? D.provider.maxConnections,
    demoDelayMs: type === "demo" ? (provider.delay ?? D.provider.demoDelayMs) : 0,
    // Unset: the provider's default, a current GA version.
    apiVersion: provider.apiVersion,
    region: provider.region,
  };
}

function isProviderType(name: string): name is ProviderType {
  return (PROVIDER_TYPES as readonly string[]).includes(name);
}
