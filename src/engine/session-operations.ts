import { GatewayError } from "../gateway-error.js";
import type {
  MessageRecord,
  NewMessage,
  Page,
  PageRequest,
  SessionRecord,
} from "../storage/records.js";
import type { SessionStore } from "../storage/session-store.js";
import type { StreamStore } from "../storage/stream-store.js";
import { codePointsOverLimit } from "./code-points-over-limit.js";
import { sessionNotFound } from "./prepare-turn.js";
import { assertSessionId } from "./validate-prompt.js";

/** Fields of a new session. */
export interface SessionDraft {
  readonly system: string;
  readonly title: string;
  readonly metadata: Readonly<Record<string, string>>;
}

/** The session RPCs' domain operations, validated; every one is scoped by owner. */
export interface SessionOperations {
  create(owner: string, draft: SessionDraft): Promise<SessionRecord>;
  get(owner: string, sessionId: string): Promise<SessionRecord>;
  list(owner: string, page: PageRequest): Promise<Page<SessionRecord>>;
  listMessages(owner: string, sessionId: string, page: PageRequest): Promise<Page<MessageRecord>>;
  append(owner: string, sessionId: string, messages: readonly NewMessage[]): Promise<SessionRecord>;
  /** Deletes the session, its history and its streams. */
  delete(owner: string, sessionId: string): Promise<void>;
}

/** Most messages one `AppendMessages` call may carry. */
export const maxMessagesPerAppend = 1000;

/**
 * Creates the validated session operations over the stores. `limits.maxMessageChars` bounds
 * each appended message's text, in Unicode code points.
 */
export function createSessionOperations(
  sessions: SessionStore,
  streams: StreamStore,
  limits: { readonly maxMessageChars: number },
): SessionOperations {
  const found = <T>(sessionId: string, value: T | undefined): T => {
    if (value === undefined) throw sessionNotFound(sessionId);
    return value;
  };
  return {
    create: (owner, draft) => sessions.createSession({ owner, ...draft }),

    async get(owner, sessionId) {
      assertSessionId(sessionId);
      return found(sessionId, await sessions.getSession(owner, sessionId));
    },

    list: (owner, page) => sessions.listSessions(owner, page),

    async listMessages(owner, sessionId, page) {
      assertSessionId(sessionId);
      return found(sessionId, await sessions.listMessages(owner, sessionId, page));
    },

    async append(owner, sessionId, messages) {
      assertSessionId(sessionId);
      if (messages.length === 0) {
        throw new GatewayError("invalid_argument", "messages is empty: send at least one message");
      }
      if (messages.length > maxMessagesPerAppend) {
        throw new GatewayError(
          "invalid_argument",
          `messages has ${messages.length} entries; at most ${maxMessagesPerAppend} per call`,
        );
      }
      messages.forEach((message, index) => {
        if (message.text === "") {
          throw new GatewayError("invalid_argument", `messages[${index}].text is empty`);
        }
        const chars = codePointsOverLimit(message.text, limits.maxMessageChars);
        if (chars !== undefined) {
          throw new GatewayError(
            "invalid_argument",
            `messages[${index}].text has ${chars} characters (Unicode code points); the limit is ${limits.maxMessageChars}`,
          );
        }
      });
      return found(sessionId, await sessions.appendMessages(owner, sessionId, messages));
    },

    async delete(owner, sessionId) {
      assertSessionId(sessionId);
      if (!(await sessions.deleteSession(owner, sessionId))) throw sessionNotFound(sessionId);
      await streams.deleteSessionStreams(owner, sessionId);
    },
  };
}
