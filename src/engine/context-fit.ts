import type { ModelConfig } from "../config/gateway-config.js";
import type { ChatMessage } from "../providers/chat-provider.js";

/**
 * Tokenizers of current models average 3–4.5 characters per token for prose and code, and
 * fewer for most other scripts; dividing by 6 gives a count the real one is very unlikely to be
 * below. The estimate only decides whether to skip a model without asking it, so it must never
 * overshoot: a conversation it lets through that does not fit is refused by the provider as
 * `context_too_long`, which costs a request but nothing else.
 */
const MAX_CHARACTERS_PER_TOKEN = 6;

/** Per-message framing tokens (role markers) every chat format adds. */
const TOKENS_PER_MESSAGE = 3;

/** A lower bound of the input tokens of a conversation. */
export function lowerBoundInputTokens(messages: readonly ChatMessage[]): number {
  let characters = 0;
  for (const message of messages) characters += message.content.length;
  return Math.ceil(characters / MAX_CHARACTERS_PER_TOKEN) + TOKENS_PER_MESSAGE * messages.length;
}

/**
 * Tracks what the route learned about the conversation's size, to skip models it cannot fit:
 * a known window smaller than the lower-bound estimate, or no larger than the window of a model
 * that already refused the conversation as too long.
 */
export interface ContextFit {
  /** Why `model` cannot take the conversation, or `undefined` when it may. */
  reasonToSkip(model: ModelConfig): string | undefined;
  /** Records that `model` refused the conversation as too long. */
  recordTooLong(model: ModelConfig): void;
}

/** Creates the context-fit tracker of one generation. */
export function createContextFit(messages: readonly ChatMessage[]): ContextFit {
  let estimate: number | undefined;
  let refusedBy: { readonly id: string; readonly windowTokens: number } | undefined;
  return {
    reasonToSkip(model) {
      const windowTokens = model.capabilities.contextWindowTokens;
      if (windowTokens === undefined) return undefined;
      if (refusedBy !== undefined && windowTokens <= refusedBy.windowTokens) {
        return `its context window (${windowTokens} tokens) is no larger than that of ${refusedBy.id}, which refused the conversation as too long`;
      }
      estimate ??= lowerBoundInputTokens(messages);
      if (estimate > windowTokens) {
        return `the conversation has at least ${estimate} tokens, more than its context window of ${windowTokens}`;
      }
      return undefined;
    },
    recordTooLong(model) {
      const windowTokens = model.capabilities.contextWindowTokens;
      if (windowTokens === undefined) return;
      if (refusedBy === undefined || windowTokens > refusedBy.windowTokens) {
        refusedBy = { id: model.id, windowTokens };
      }
    },
  };
}
