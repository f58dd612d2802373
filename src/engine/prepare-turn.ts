import type { ModelConfig } from "../config/gateway-config.js";
import { GatewayError } from "../gateway-error.js";
import type { SessionRecord } from "../storage/records.js";
import type { HistoryWindow, SessionStore } from "../storage/session-store.js";
import { buildConversation } from "./conversation.js";
import type { GenerationRequest } from "./generate-answer.js";
import type { PromptInput } from "./prompt-input.js";
import { type PromptLimits, validatePrompt } from "./validate-prompt.js";

/** A validated prompt with its session and everything that goes upstream. */
export interface PreparedTurn {
  readonly input: PromptInput;
  readonly session: SessionRecord;
  readonly request: GenerationRequest;
}

/** What preparing a turn reads. */
export interface PrepareTurnDeps {
  readonly sessions: SessionStore;
  readonly models: readonly ModelConfig[];
  readonly limits: PromptLimits;
  readonly historyWindow: HistoryWindow;
}

/**
 * Validates the prompt, loads its session (or creates one when `sessionId` is empty) with the
 * history window, and builds the upstream conversation. Throws `invalid_argument` for bad
 * input and `not_found` for an unknown or expired session: a session is never created silently
 * for an id the caller named.
 */
export async function prepareTurn(
  input: PromptInput,
  deps: PrepareTurnDeps,
): Promise<PreparedTurn> {
  const route = validatePrompt(input, deps.models, deps.limits);
  let session: SessionRecord | undefined;
  let history: Awaited<ReturnType<SessionStore["recentMessages"]>> = [];
  if (input.sessionId === "") {
    session = await deps.sessions.createSession({
      owner: input.owner,
      system: input.system,
      title: "",
      metadata: {},
    });
  } else {
    // Both reads leave together: on Valkey they share one round trip.
    [session, history] = await Promise.all([
      deps.sessions.getSession(input.owner, input.sessionId),
      deps.sessions.recentMessages(input.owner, input.sessionId, deps.historyWindow),
    ]);
    if (!session || !history) throw sessionNotFound(input.sessionId);
  }
  return {
    input,
    session,
    request: {
      messages: buildConversation(session.system, history, input.prompt),
      options: input.options,
      route,
    },
  };
}

/**
 * A turn without a stored session, for a prompt without `sessionId` while the storage is
 * unavailable (`storage.whenUnavailable: "stateless"`): validated like any turn, its session is
 * a stand-in with an empty id that is never stored.
 */
export function prepareUnstoredTurn(
  input: PromptInput,
  deps: PrepareTurnDeps,
  nowMs: number,
): PreparedTurn {
  const route = validatePrompt(input, deps.models, deps.limits);
  const session: SessionRecord = {
    id: "",
    owner: input.owner,
    system: input.system,
    title: "",
    metadata: {},
    messageCount: 0,
    createTimeMs: nowMs,
    updateTimeMs: nowMs,
    expireTimeMs: nowMs,
  };
  return {
    input,
    session,
    request: {
      messages: buildConversation(session.system, [], input.prompt),
      options: input.options,
      route,
    },
  };
}

/** The error for a session id that is unknown, expired or another owner's. */
export function sessionNotFound(sessionId: string): GatewayError {
  return new GatewayError(
    "not_found",
    `session ${sessionId} does not exist or has expired; omit session_id to start a new session`,
  );
}
