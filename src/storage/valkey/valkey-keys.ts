/**
 * The Valkey key layout. Every key starts with the configured prefix. The keys of one session
 * share the hash tag `{<sessionId>}`, the keys of one stream `{<streamId>}` and the keys of one
 * model `{<modelId>}`, so that each group lives in one Valkey Cluster slot and its multi-key
 * scripts stay legal there. The README's key layout table documents types and TTLs.
 */
export interface ValkeyKeys {
  /** Hash: the session record. */
  session(sessionId: string): string;
  /** List: the session's messages as JSON, oldest first. */
  sessionMessages(sessionId: string): string;
  /** Set: ids of the session's streams (for DeleteSession). */
  sessionStreams(sessionId: string): string;
  /** String: the id of the session's latest stream. */
  sessionLatestStream(sessionId: string): string;
  /** Sorted set: the owner's session ids scored by update time (ms). */
  ownerSessions(owner: string): string;
  /** Hash: the stream record (state, end, owner, session, last sequence). */
  stream(streamId: string): string;
  /** Valkey Stream: the events, entry id `<sequence>-0`. */
  streamEvents(streamId: string): string;
  /** String with a TTL: held by the producing instance while it is alive. */
  streamLease(streamId: string): string;
  /** Hash: a model's health (state, available time, failures, probe lease). */
  model(modelId: string): string;
  /** String counter with a TTL: requests in one fixed rate-limit window. */
  rateWindow(key: string, windowIndex: number): string;
  /** Pub/sub channel: stream ids with new events or an end, to wake readers on any instance. */
  streamTailChannel(): string;
  /** Pub/sub channel: stream ids whose cancellation was requested. */
  streamCancelChannel(): string;
}

/** Builds the key layout for `prefix` (e.g. "switchboard:"). */
export function createValkeyKeys(prefix: string): ValkeyKeys {
  return {
    session: (id) => `${prefix}session:{${id}}`,
    sessionMessages: (id) => `${prefix}session:{${id}}:messages`,
    sessionStreams: (id) => `${prefix}session:{${id}}:streams`,
    sessionLatestStream: (id) => `${prefix}session:{${id}}:latest-stream`,
    ownerSessions: (owner) => `${prefix}owner:{${owner}}:sessions`,
    stream: (id) => `${prefix}stream:{${id}}`,
    streamEvents: (id) => `${prefix}stream:{${id}}:events`,
    streamLease: (id) => `${prefix}stream:{${id}}:lease`,
    model: (id) => `${prefix}model:{${id}}`,
    rateWindow: (key, windowIndex) => `${prefix}rate:{${key}}:${windowIndex}`,
    streamTailChannel: () => `${prefix}stream-tail`,
    streamCancelChannel: () => `${prefix}stream-cancel`,
  };
}
