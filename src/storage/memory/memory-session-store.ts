import { randomUUID } from "node:crypto";
import {
  decodeMessagesPageToken,
  decodeSessionsPageToken,
  encodeMessagesPageToken,
  encodeSessionsPageToken,
  invalidToken,
  resolvePageSize,
  type SessionsCursor,
} from "../page-token.js";
import type { MessageRecord, NewMessage, Page, PageRequest, SessionRecord } from "../records.js";
import {
  MESSAGES_PAGE_SIZE,
  newestWithin,
  SESSIONS_PAGE_SIZE,
  titleFrom,
} from "../session-rules.js";
import type { HistoryWindow, NewSession, SessionStore } from "../session-store.js";
import { frozenCopy } from "./frozen-copy.js";

/** Options of `createMemorySessionStore`. */
export interface MemorySessionStoreOptions {
  /** Inactivity after which a session and its history are gone, in milliseconds. */
  readonly ttlMs: number;
  /**
   * Sessions held at most: creating one more first evicts the least recently used one (read or
   * written), with its history. Default: no bound.
   */
  readonly maxSessions?: number | undefined;
  /** The clock, epoch milliseconds. Default `Date.now`. */
  readonly now?: (() => number) | undefined;
}

/** A `SessionStore` held in this process, with the hooks its owner needs. */
export interface MemorySessionStore extends SessionStore {
  /** Removes every expired session now (expiry is also checked on every access). */
  sweep(): void;
  /** Sessions held, expired ones not yet swept included. */
  readonly size: number;
}

interface SessionEntry {
  record: SessionRecord;
  readonly messages: MessageRecord[];
}

/**
 * Creates an in-memory session store. Records and messages are stored as frozen copies and
 * returned as they are, so a returned value is a snapshot nobody can change.
 *
 * Decisions beyond the interface:
 * - `listSessions` pages default to 20 sessions and hold at most 100; `listMessages` pages
 *   default to 100 messages and hold at most 1000. A negative page size is `invalid_argument`.
 * - A sessions page token is the cursor `{updateTimeMs, id}` of the last session returned, so
 *   a session updated during a listing moves ahead of the cursor: later pages never repeat a
 *   session and never skip one that was not updated meanwhile.
 * - Appending no messages changes nothing (it is not activity).
 * - The title taken from the first user message has its whitespace runs collapsed to one space.
 * - `recentMessages` counts characters as UTF-16 code units of `text`. It never splits a
 *   message: when the newest message alone exceeds `maxChars`, the window is empty.
 */
export function createMemorySessionStore(options: MemorySessionStoreOptions): MemorySessionStore {
  const { ttlMs } = options;
  const maxSessions = options.maxSessions ?? Number.POSITIVE_INFINITY;
  const now = options.now ?? Date.now;
  /** In order of use, least recent first: each access moves a session to the end. */
  const sessions = new Map<string, SessionEntry>();
  const sessionIdsByOwner = new Map<string, Set<string>>();

  function remove(sessionId: string, owner: string): void {
    sessions.delete(sessionId);
    const ids = sessionIdsByOwner.get(owner);
    ids?.delete(sessionId);
    if (ids?.size === 0) sessionIdsByOwner.delete(owner);
  }

  /** The owner's live session; removes it on the way when it has expired. */
  function find(owner: string, sessionId: string): SessionEntry | undefined {
    const entry = sessions.get(sessionId);
    if (entry === undefined || entry.record.owner !== owner) return undefined;
    if (now() >= entry.record.expireTimeMs) {
      remove(sessionId, owner);
      return undefined;
    }
    // Most recently used last: a delete and a set, no copy.
    sessions.delete(sessionId);
    sessions.set(sessionId, entry);
    return entry;
  }

  /** Evicts the least recently used sessions until one more fits under `maxSessions`. */
  function makeRoom(): void {
    for (const [id, entry] of sessions) {
      if (sessions.size < maxSessions) return;
      remove(id, entry.record.owner);
    }
  }

  return {
    get size() {
      return sessions.size;
    },

    sweep() {
      const nowMs = now();
      for (const [id, entry] of sessions) {
        if (nowMs >= entry.record.expireTimeMs) remove(id, entry.record.owner);
      }
    },

    async createSession(session: NewSession): Promise<SessionRecord> {
      const nowMs = now();
      const record: SessionRecord = frozenCopy({
        id: randomUUID(),
        owner: session.owner,
        system: session.system,
        title: session.title,
        metadata: session.metadata,
        messageCount: 0,
        createTimeMs: nowMs,
        updateTimeMs: nowMs,
        expireTimeMs: nowMs + ttlMs,
      });
      makeRoom();
      sessions.set(record.id, { record, messages: [] });
      let ids = sessionIdsByOwner.get(record.owner);
      if (ids === undefined) {
        ids = new Set();
        sessionIdsByOwner.set(record.owner, ids);
      }
      ids.add(record.id);
      return record;
    },

    async getSession(owner, sessionId) {
      return find(owner, sessionId)?.record;
    },

    async listSessions(owner: string, page: PageRequest): Promise<Page<SessionRecord>> {
      const pageSize = resolvePageSize(
        page.pageSize,
        SESSIONS_PAGE_SIZE.default,
        SESSIONS_PAGE_SIZE.max,
      );
      const cursor = page.pageToken === "" ? undefined : decodeSessionsPageToken(page.pageToken);
      const records: SessionRecord[] = [];
      for (const id of sessionIdsByOwner.get(owner) ?? []) {
        const record = find(owner, id)?.record;
        if (record !== undefined && (cursor === undefined || compareSessions(cursor, record) < 0)) {
          records.push(record);
        }
      }
      records.sort(compareSessions);
      const items = records.slice(0, pageSize);
      const last = items.at(-1);
      const nextPageToken =
        records.length > pageSize && last !== undefined ? encodeSessionsPageToken(last) : "";
      return { items, nextPageToken };
    },

    async appendMessages(owner, sessionId, messages: readonly NewMessage[]) {
      const entry = find(owner, sessionId);
      if (entry === undefined) return undefined;
      if (messages.length === 0) return entry.record;
      const nowMs = now();
      // Copy every message before touching the entry, so that nothing is stored unless all are.
      const stored = messages.map((message) => frozenCopy({ ...message, createTimeMs: nowMs }));
      entry.messages.push(...stored);
      const previous = entry.record;
      entry.record = frozenCopy({
        ...previous,
        title: previous.title === "" ? titleFrom(messages) : previous.title,
        messageCount: entry.messages.length,
        updateTimeMs: nowMs,
        expireTimeMs: nowMs + ttlMs,
      });
      return entry.record;
    },

    async listMessages(owner, sessionId, page: PageRequest) {
      const entry = find(owner, sessionId);
      if (entry === undefined) return undefined;
      const pageSize = resolvePageSize(
        page.pageSize,
        MESSAGES_PAGE_SIZE.default,
        MESSAGES_PAGE_SIZE.max,
      );
      const offset = page.pageToken === "" ? 0 : decodeMessagesPageToken(page.pageToken);
      // History only grows, so no token this store issued points past its end.
      if (offset > entry.messages.length) throw invalidToken();
      const end = offset + pageSize;
      const items = entry.messages.slice(offset, end);
      const nextPageToken = end < entry.messages.length ? encodeMessagesPageToken(end) : "";
      return { items, nextPageToken };
    },

    async recentMessages(owner, sessionId, window: HistoryWindow) {
      const entry = find(owner, sessionId);
      if (entry === undefined) return undefined;
      return newestWithin(entry.messages, window);
    },

    async deleteSession(owner, sessionId) {
      if (find(owner, sessionId) === undefined) return false;
      remove(sessionId, owner);
      return true;
    },
  };
}

/** Most recently updated first; ties broken by id so that the order (and the cursor) is total. */
function compareSessions(a: SessionsCursor, b: SessionsCursor): number {
  if (a.updateTimeMs !== b.updateTimeMs) return b.updateTimeMs - a.updateTimeMs;
  if (a.id === b.id) return 0;
  return a.id < b.id ? -1 : 1;
}
