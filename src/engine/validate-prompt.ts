import type { ModelConfig } from "../config/gateway-config.js";
import { GatewayError } from "../gateway-error.js";
import type { ChatOptions } from "../providers/chat-provider.js";
import { codePointsOverLimit } from "./code-points-over-limit.js";
import type { PromptInput } from "./prompt-input.js";

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Throws `invalid_argument` unless `id` is a session id the server could have generated. */
export function assertSessionId(id: string, field = "session_id"): void {
  if (!uuidPattern.test(id)) {
    throw new GatewayError(
      "invalid_argument",
      `${field} "${truncate(id, 64)}" is not a valid session id: expected a UUID returned by the gateway`,
    );
  }
}

/** Limits applied to every prompt. */
export interface PromptLimits {
  /** Longest prompt, in Unicode code points. */
  readonly maxPromptChars: number;
}

/**
 * Checks a prompt's fields and returns the route it will take. Throws `invalid_argument`
 * naming the field and what to do.
 */
export function validatePrompt(
  input: PromptInput,
  models: readonly ModelConfig[],
  limits: PromptLimits,
): readonly ModelConfig[] {
  if (input.prompt.trim() === "") {
    throw new GatewayError(
      "invalid_argument",
      "prompt is empty: send the user's message in `prompt`",
    );
  }
  const promptChars = codePointsOverLimit(input.prompt, limits.maxPromptChars);
  if (promptChars !== undefined) {
    throw new GatewayError(
      "invalid_argument",
      `prompt has ${promptChars} characters (Unicode code points); the limit is ${limits.maxPromptChars}`,
    );
  }
  if (input.sessionId !== "") assertSessionId(input.sessionId);
  validateOptions(input.options);
  return resolveRoute(input.models, models);
}

/** The models named by the request, or the default route (every configured model) when none. */
export function resolveRoute(
  requested: readonly string[],
  models: readonly ModelConfig[],
): readonly ModelConfig[] {
  if (requested.length === 0) return models;
  const byId = new Map(models.map((model) => [model.id, model]));
  const route: ModelConfig[] = [];
  for (const id of requested) {
    const model = byId.get(id);
    if (!model) {
      const known = models.map((m) => m.id).join(", ");
      throw new GatewayError(
        "invalid_argument",
        `models: "${truncate(id, 100)}" is not a configured model (configured: ${known})`,
      );
    }
    if (!route.includes(model)) route.push(model);
  }
  return route;
}

function validateOptions(options: ChatOptions): void {
  const { temperature, topP, maxTokens, stop } = options;
  if (temperature !== undefined && !(temperature >= 0 && temperature <= 2)) {
    throw new GatewayError("invalid_argument", "options.temperature must be between 0 and 2");
  }
  if (topP !== undefined && !(topP > 0 && topP <= 1)) {
    throw new GatewayError(
      "invalid_argument",
      "options.top_p must be greater than 0 and at most 1",
    );
  }
  if (maxTokens !== undefined && maxTokens < 1) {
    throw new GatewayError("invalid_argument", "options.max_tokens must be at least 1 when set");
  }
  if (stop && stop.length > 4) {
    throw new GatewayError("invalid_argument", "options.stop takes at most 4 sequences");
  }
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
