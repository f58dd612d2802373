import type { ChatOptions } from "../providers/chat-provider.js";

/** A prompt as the engine receives it, independent of the wire format. */
export interface PromptInput {
  /** Whose session this is. */
  readonly owner: string;
  /** The user's message. */
  readonly prompt: string;
  /** The session to continue; empty starts a new one. */
  readonly sessionId: string;
  /** System instructions for a new session. */
  readonly system: string;
  /** "provider:model" ids overriding the default route; empty uses the default. */
  readonly models: readonly string[];
  readonly options: ChatOptions;
  /** Labels stored with the turn. */
  readonly metadata: Readonly<Record<string, string>>;
}

/** The owner of everything until API keys exist (DESIGN §2 "Sessions and history"). */
export const defaultOwner = "default";
