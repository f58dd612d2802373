import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
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
import { type ValkeyClient, withValkey } from "./valkey-connection.js";
import type { ValkeyKeys } from "./valkey-keys.js";
import { compareSessions, walkOwnerIndex } from "./valkey-owner-index.js";
import { defineValkeyScript, stringArrayReply } from "./valkey-script.js";
import {
  decodeMessages,
  decodeSession,
  encodeMessage,
  encodeSession,
  SESSION_FIELDS,
} from "./valkey-session-codec.js";
import { APPEND_MESSAGES_LUA, DELETE_SESSION_LUA } from "./valkey-session-scripts.js";

/** Options of `createValkeySessionStore`. */
export interface ValkeySessionStoreOptions {
  /** The shared command connection. */
  readonly client: ValkeyClient;
  readonly keys: ValkeyKeys;
  /** Inactivity after which a session and its history are gone, in milliseconds. */
  readonly ttlMs: number;
  /** The clock that judges expiry, epoch milliseconds. */
  readonly now: () => number;
  readonly log: Logger;
}

/**
 * Creates the session store on Valkey, with the memory store's semantics (page sizes, tokens,
 * title rule, history window; see `createMemorySessionStore`). Layout: a hash per session
 * (`SESSION_FIELDS`), a list of message JSON, and the owner's sorted set of session ids scored
 * by update time. Expiry is judged by `now()` from the stored `expireTimeMs`; every key also
 * gets a PEXPIRE of the TTL so that Valkey frees it by itself.
 *
 * Atomicity: a session's own keys change in one Lua script (one hash tag). The owner index has
 * another tag, so its update is a second command sent in the same round trip, not atomic with
 * the script: an index entry whose session is gone or expired is skipped and removed by the
 * next listing. Every method throws `storage_unavailable` when Valkey cannot be reached.
 */
export function createValkeySessionStore(options: ValkeySessionStoreOptions): SessionStore {
  const { client, keys, ttlMs, now, log } = options;
  const append = defineValkeyScript(client, {
    name: "switchboardAppendMessages",
    numberOfKeys: 2,
    lua: APPEND_MESSAGES_LUA,
  });
  const remove = defineValkeyScript(client, {
    name: "switchboardDeleteSession",
    numberOfKeys: 2,
    lua: DELETE_SESSION_LUA,
  });

  function live(record: SessionRecord | undefined, owner: string): SessionRecord | undefined {
    if (record === undefined || record.owner !== owner || now() >= record.expireTimeMs) {
      return undefined;
    }
    return record;
  }

  async function readSession(sessionId: string): Promise<SessionRecord | undefined> {
    const values = await client.hmget(keys.session(sessionId), ...SESSION_FIELDS);
    return decodeSession(sessionId, values, log);
  }

  /** The session and a range of its messages, read together in one MULTI (one round trip). */
  async function readWithMessages(
    owner: string,
    sessionId: string,
    start: number,
    stop: number,
  ): Promise<{ record: SessionRecord; encoded: string[] } | undefined> {
    const replies = await client
      .multi()
      .hmget(keys.session(sessionId), ...SESSION_FIELDS)
      .lrange(keys.sessionMessages(sessionId), start, stop)
      .exec();
    const [sessionReply, messagesReply] = replies ?? [];
    if (sessionReply?.[0] || messagesReply?.[0]) {
      throw sessionReply?.[0] ?? messagesReply?.[0];
    }
    const values = stringArrayReply(sessionReply?.[1], "HMGET");
    const record = live(decodeSession(sessionId, values, log), owner);
    if (record === undefined) return undefined;
    const encoded = stringArrayReply(messagesReply?.[1], "LRANGE").filter(
      (item): item is string => item !== null,
    );
    return { record, encoded };
  }

  return {
    /**
     * One round trip (two on a Cluster): HSET + PEXPIRE of the session, ZADD + PEXPIRE of the
     * owner index.
     */
    createSession: (session: NewSession) =>
      withValkey(async () => {
        const nowMs = now();
        const record: SessionRecord = {
          id: randomUUID(),
          owner: session.owner,
          system: session.system,
          title: session.title,
          metadata: { ...session.metadata },
          messageCount: 0,
          createTimeMs: nowMs,
          updateTimeMs: nowMs,
          expireTimeMs: nowMs + ttlMs,
        };
        const sessionKey = keys.session(record.id);
        const indexKey = keys.ownerSessions(record.owner);
        // The index must never name a session that a reader could not find yet: a listing
        // would take it for a stale entry and remove it for good. On one connection, order
        // is enough; on a Cluster the two keys live on different nodes, so wait for the
        // session before indexing it (a second round trip).
        const writeSession = Promise.all([
          client.hset(sessionKey, ...encodeSession(record)),
          client.pexpire(sessionKey, ttlMs),
        ]);
        if (client.isCluster) await writeSession;
        await Promise.all([
          writeSession,
          client.zadd(indexKey, nowMs, record.id),
          client.pexpire(indexKey, ttlMs),
        ]);
        return record;
      }),

    /** One round trip (HMGET). */
    getSession: (owner, sessionId) =>
      withValkey(async () => live(await readSession(sessionId), owner)),

    /**
     * Two round trips per chunk of the owner index (ZREVRANGEBYSCORE, then one HMGET per
     * entry sent together); usually one chunk. Entries whose session is gone or expired are
     * removed from the index on the way (without waiting for it).
     */
    listSessions: (owner, page: PageRequest) =>
      withValkey(async (): Promise<Page<SessionRecord>> => {
        const pageSize = resolvePageSize(
          page.pageSize,
          SESSIONS_PAGE_SIZE.default,
          SESSIONS_PAGE_SIZE.max,
        );
        const cursor = page.pageToken === "" ? undefined : decodeSessionsPageToken(page.pageToken);
        const indexKey = keys.ownerSessions(owner);
        const found: { entry: SessionsCursor; record: SessionRecord }[] = [];
        const stale: string[] = [];
        const chunks = walkOwnerIndex(client, indexKey, cursor?.updateTimeMs, pageSize + 1);
        for await (const chunk of chunks) {
          const entries = chunk.filter(
            (entry) => cursor === undefined || compareSessions(cursor, entry) < 0,
          );
          const records = await Promise.all(entries.map((entry) => readSession(entry.id)));
          entries.forEach((entry, i) => {
            const record = live(records[i], owner);
            if (record === undefined) stale.push(entry.id);
            else found.push({ entry, record });
          });
          if (found.length > pageSize) break;
        }
        if (stale.length > 0) {
          client.zrem(indexKey, ...stale).catch((error: unknown) => {
            log.debug({ err: error }, "could not remove stale sessions from the owner index");
          });
        }
        const items = found.slice(0, pageSize);
        const last = items.at(-1);
        const nextPageToken =
          found.length > pageSize && last !== undefined ? encodeSessionsPageToken(last.entry) : "";
        return { items: items.map((item) => item.record), nextPageToken };
      }),

    /**
     * One round trip: the append script (check owner and expiry, RPUSH every message, update
     * count, times and title, PEXPIRE) and a ZADD XX + PEXPIRE of the owner index. XX only
     * re-scores an id already in the index, so a failed append never adds one.
     */
    appendMessages: (owner, sessionId, messages: readonly NewMessage[]) =>
      withValkey(async () => {
        if (messages.length === 0) return live(await readSession(sessionId), owner);
        const nowMs = now();
        const encoded = messages.map((message) =>
          encodeMessage({ ...message, createTimeMs: nowMs }),
        );
        const indexKey = keys.ownerSessions(owner);
        const [reply] = await Promise.all([
          append(
            [keys.session(sessionId), keys.sessionMessages(sessionId)],
            [owner, String(nowMs), String(nowMs + ttlMs), ttlMs, titleFrom(messages), ...encoded],
          ),
          client.zadd(indexKey, "XX", nowMs, sessionId),
          client.pexpire(indexKey, ttlMs),
        ]);
        if (reply === null) return undefined;
        return decodeSession(sessionId, stringArrayReply(reply, "append"), log);
      }),

    /** One round trip (MULTI: HMGET + LRANGE). */
    listMessages: (owner, sessionId, page: PageRequest) =>
      withValkey(async (): Promise<Page<MessageRecord> | undefined> => {
        const pageSize = resolvePageSize(
          page.pageSize,
          MESSAGES_PAGE_SIZE.default,
          MESSAGES_PAGE_SIZE.max,
        );
        const offset = page.pageToken === "" ? 0 : decodeMessagesPageToken(page.pageToken);
        const read = await readWithMessages(owner, sessionId, offset, offset + pageSize - 1);
        if (read === undefined) return undefined;
        const { record, encoded } = read;
        // History only grows, so no token this store issued points past its end.
        if (offset > record.messageCount) throw invalidToken();
        const end = offset + pageSize;
        const items = decodeMessages(sessionId, encoded, log);
        const nextPageToken = end < record.messageCount ? encodeMessagesPageToken(end) : "";
        return { items, nextPageToken };
      }),

    /** One round trip (MULTI: HMGET + LRANGE of the newest `maxMessages`). */
    recentMessages: (owner, sessionId, window: HistoryWindow) =>
      withValkey(async () => {
        if (window.maxMessages <= 0) {
          return live(await readSession(sessionId), owner) === undefined ? undefined : [];
        }
        const read = await readWithMessages(owner, sessionId, -window.maxMessages, -1);
        if (read === undefined) return undefined;
        return newestWithin(decodeMessages(sessionId, read.encoded, log), window);
      }),

    /** One round trip: the delete script and a ZREM from the owner index. */
    deleteSession: (owner, sessionId) =>
      withValkey(async () => {
        const [deleted] = await Promise.all([
          remove(
            [keys.session(sessionId), keys.sessionMessages(sessionId)],
            [owner, String(now())],
          ),
          // Harmless when the session is not this owner's: then the id is not in this index.
          client.zrem(keys.ownerSessions(owner), sessionId),
        ]);
        return deleted === 1;
      }),
  };
}
