import type { MessageRecord, NewMessage, Page, PageRequest, SessionRecord } from "./records.js";

/** What a new session starts with. */
export interface NewSession {
  readonly owner: string;
  readonly system: string;
  readonly title: string;
  readonly metadata: Readonly<Record<string, string>>;
}

/** Bounds of the history sent upstream with a new turn. */
export interface HistoryWindow {
  /** At most this many of the newest messages. */
  readonly maxMessages: number;
  /** At most this many characters of message text, newest first; the oldest are dropped. */
  readonly maxChars: number;
}

/**
 * Sessions and their history. Every method is scoped by owner: a session of another owner is
 * reported exactly like an unknown one. Sessions expire after the store's TTL of inactivity;
 * creating a session and appending to it are activity. An expired session is gone for every
 * method. Invalid page tokens throw `GatewayError("invalid_argument")`.
 */
export interface SessionStore {
  /** Creates a session with a new UUID. */
  createSession(session: NewSession): Promise<SessionRecord>;
  /** The session, or undefined when unknown, expired or another owner's. */
  getSession(owner: string, sessionId: string): Promise<SessionRecord | undefined>;
  /** The owner's sessions, most recently updated first. */
  listSessions(owner: string, page: PageRequest): Promise<Page<SessionRecord>>;
  /**
   * Appends messages atomically (all or none) and refreshes the TTL. When the session has no
   * title, it takes the first user message's text (trimmed to 80 characters).
   * Returns undefined when the session is unknown, expired or another owner's.
   */
  appendMessages(
    owner: string,
    sessionId: string,
    messages: readonly NewMessage[],
  ): Promise<SessionRecord | undefined>;
  /** The session's messages, oldest first; undefined when the session is unknown. */
  listMessages(
    owner: string,
    sessionId: string,
    page: PageRequest,
  ): Promise<Page<MessageRecord> | undefined>;
  /**
   * The newest messages that fit the window, returned oldest first; undefined when the session
   * is unknown.
   */
  recentMessages(
    owner: string,
    sessionId: string,
    window: HistoryWindow,
  ): Promise<readonly MessageRecord[] | undefined>;
  /** Deletes the session and its history; false when it did not exist. */
  deleteSession(owner: string, sessionId: string): Promise<boolean>;
}
