import type { ConfigProblem } from "./config-error.js";
import type { ModelCapabilities, ModelConfig, ModelLimits } from "./gateway-config.js";
import { knownModelCapabilities } from "./known-model-capabilities.js";
import type { ModelEntry } from "./model-schema.js";

/** Inputs of `resolveModels`. */
export interface ResolveModelsOptions {
  /** Whether an empty list is a problem (not when entries failed validation already). */
  readonly requireOne: boolean;
  /**
   * Names of the configured providers (valid or not), or `undefined` when the `providers`
   * section itself is unusable, in which case provider references are not checked.
   */
  readonly providerNames: readonly string[] | undefined;
  /** Limits every model gets unless it sets its own (AI Warp's top-level `limits`). */
  readonly defaultLimits: ModelLimits;
}

/**
 * Resolves the `models` section: ids are `"provider:model"`, each model's provider must be
 * configured, ids are unique and there is at least one model. `undefined` entries (invalid,
 * reported already) are skipped. A model's own `maxTokens` and
 * `rate` each override the default limits. Problems are appended to `problems`.
 */
export function resolveModels(
  models: readonly (ModelEntry | undefined)[] | undefined,
  options: ResolveModelsOptions,
  problems: ConfigProblem[],
): ModelConfig[] {
  if (models === undefined || models.length === 0) {
    if (!options.requireOne) {
      return [];
    }
    problems.push({
      path: ["models"],
      message: 'at least one model is required, e.g. models: ["openai:gpt-4o-mini"]',
    });
    return [];
  }
  const { providerNames, defaultLimits } = options;
  const firstIndexById = new Map<string, number>();
  const resolved: ModelConfig[] = [];
  models.forEach((entry, index) => {
    if (entry === undefined) {
      return; // already reported by validation
    }
    const id = `${entry.provider}:${entry.model}`;
    if (providerNames !== undefined && !providerNames.includes(entry.provider)) {
      const configured = providerNames.length === 0 ? "none" : providerNames.join(", ");
      problems.push({
        path: ["models", index],
        message: `unknown provider "${entry.provider}" (configured: ${configured})`,
      });
    }
    const first = firstIndexById.get(id);
    if (first !== undefined) {
      problems.push({
        path: ["models", index],
        message: `duplicate of models[${first}] ("${id}"); list each model once`,
      });
      return;
    }
    firstIndexById.set(id, index);
    resolved.push({
      id,
      provider: entry.provider,
      model: entry.model,
      limits: {
        maxTokens: entry.limits?.maxTokens ?? defaultLimits.maxTokens,
        rate: entry.limits?.rate
          ? { max: entry.limits.rate.max, timeWindowMs: entry.limits.rate.timeWindow }
          : defaultLimits.rate,
      },
      capabilities: resolveCapabilities(entry),
    });
  });
  return resolved;
}

/** Each configured capability wins over the built-in table's value for the model. */
function resolveCapabilities(entry: ModelEntry): ModelCapabilities {
  const known = knownModelCapabilities(entry.model);
  const configured = entry.capabilities;
  return {
    contextWindowTokens: configured?.contextWindow ?? known.contextWindowTokens,
    maxOutputTokens: configured?.maxOutput ?? known.maxOutputTokens,
    prefill: configured?.prefill ?? known.prefill,
  };
}
