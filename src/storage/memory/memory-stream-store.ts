import { GatewayError } from "../../gateway-error.js";
import type {
  StreamEnd,
  StreamEventPayload,
  StreamRead,
  StreamRecord,
  StreamState,
} from "../records.js";
import { aheadOfStream, type NewStream, type StreamStore } from "../stream-store.js";
import { frozenCopy } from "./frozen-copy.js";
import { retainedEventBytes, STREAM_OVERHEAD_BYTES } from "./retained-bytes.js";
import { changeOf, DELETED_STREAM_END, type StreamEntry, wake } from "./stream-entry.js";

/** Options of `createMemoryStreamStore`. */
export interface MemoryStreamStoreOptions {
  /** How long an ended stream stays readable, in milliseconds. */
  readonly retentionMs: number;
  /** Streams kept at most; when over, the earliest-ended streams are evicted first. */
  readonly maxRetainedStreams: number;
  /** Events per stream at most; one more is `resource_exhausted`. */
  readonly maxEventsPerStream: number;
  /**
   * Estimated bytes of all streams at most (see retained-bytes.ts): when over, the
   * earliest-ended streams are evicted first; an event that would take one stream alone over
   * it is `resource_exhausted`.
   */
  readonly maxRetainedBytes: number;
  /** The clock, epoch milliseconds. Default `Date.now`. */
  readonly now?: (() => number) | undefined;
}

/** A `StreamStore` held in this process, with the hooks its owner needs. */
export interface MemoryStreamStore extends StreamStore {
  /** Removes every stream past its retention now (retention is also checked on every access). */
  sweep(): void;
  /** Streams held, running and ended. */
  readonly size: number;
  /** Events held across all streams. */
  readonly eventCount: number;
  /** Estimated bytes held across all streams (see retained-bytes.ts). */
  readonly retainedBytes: number;
  /** Readers currently waiting for a stream to change (each holds one listener). */
  readonly waitingReaders: number;
}

/**
 * Creates an in-memory stream store. Readers wait on a per-stream set of waiters that every
 * change wakes: no polling, and a reader holds a listener only while it waits.
 *
 * Decisions beyond the interface:
 * - Over `maxRetainedStreams` or `maxRetainedBytes`, the stream that ended first is evicted
 *   first; running streams are never evicted, so when every stream runs the store goes over the
 *   caps (running streams are bounded by the generations in flight, each by
 *   `maxEventsPerStream`, `maxRetainedBytes` and its maximum duration) and logs nothing.
 * - An event that would take its stream alone over `maxRetainedBytes` is refused with
 *   `resource_exhausted`, like one over `maxEventsPerStream`: its generation fails.
 * - `endStream` of an unknown (deleted or expired) stream does nothing: a producer may lose that
 *   race with `deleteSessionStreams`. `appendEvent` of an unknown stream is `not_found`; after
 *   the end it is `internal` (a bug in the producer).
 * - Deleting a running stream asks its producer to stop, as `requestCancel` does.
 * - `onCancelRequested` after the request was made (and before the end) still calls back once.
 *   Callbacks run in a microtask, so that a throwing one cannot break the caller or the others.
 *
 * Memory: each stream is counted at the estimate of retained-bytes.ts (measured on Node 20:
 * about 800 bytes per stream and 160 per event, plus the text), and the sum is kept within
 * `maxRetainedBytes` except for running streams beyond it.
 */
export function createMemoryStreamStore(options: MemoryStreamStoreOptions): MemoryStreamStore {
  const { retentionMs, maxRetainedStreams, maxEventsPerStream, maxRetainedBytes } = options;
  const now = options.now ?? Date.now;
  const streams = new Map<string, StreamEntry>();
  // Ended streams in the order they ended: retention and eviction both take from the front.
  const ended = new Map<string, StreamEntry>();
  const streamIdsBySession = new Map<string, Set<string>>();
  const latestBySession = new Map<string, string>();
  let eventCount = 0;
  let retainedBytes = 0;

  function remove(entry: StreamEntry): void {
    streams.delete(entry.streamId);
    ended.delete(entry.streamId);
    eventCount -= entry.events.length;
    retainedBytes -= entry.bytes;
    const key = sessionKey(entry.owner, entry.sessionId);
    const ids = streamIdsBySession.get(key);
    ids?.delete(entry.streamId);
    if (ids?.size === 0) streamIdsBySession.delete(key);
    if (latestBySession.get(key) === entry.streamId) latestBySession.delete(key);
  }

  function isExpired(entry: StreamEntry, nowMs: number): boolean {
    return entry.end !== undefined && nowMs >= entry.endTimeMs + retentionMs;
  }

  /** The stream if retained; removes it on the way when its retention has passed. */
  function find(streamId: string): StreamEntry | undefined {
    const entry = streams.get(streamId);
    if (entry === undefined) return undefined;
    if (isExpired(entry, now())) {
      remove(entry);
      return undefined;
    }
    return entry;
  }

  function notifyCancel(entry: StreamEntry): void {
    entry.cancelRequested = true;
    const callbacks = [...entry.cancelCallbacks];
    entry.cancelCallbacks.clear();
    for (const callback of callbacks) queueMicrotask(callback);
  }

  /** Evicts ended streams, earliest-ended first, while the store is over one of its caps. */
  function evictOverCaps(): void {
    for (const entry of ended.values()) {
      if (streams.size <= maxRetainedStreams && retainedBytes <= maxRetainedBytes) return;
      remove(entry);
    }
  }

  return {
    get size() {
      return streams.size;
    },
    get eventCount() {
      return eventCount;
    },
    get retainedBytes() {
      return retainedBytes;
    },
    get waitingReaders() {
      let count = 0;
      for (const entry of streams.values()) count += entry.waiters.size;
      return count;
    },

    sweep() {
      const nowMs = now();
      for (const entry of ended.values()) {
        if (!isExpired(entry, nowMs)) return;
        remove(entry);
      }
    },

    async createStream(stream: NewStream) {
      if (streams.has(stream.streamId)) {
        throw new GatewayError("internal", `stream ${stream.streamId} already exists`);
      }
      const entry: StreamEntry = {
        streamId: stream.streamId,
        sessionId: stream.sessionId,
        owner: stream.owner,
        createTimeMs: now(),
        events: [],
        bytes: STREAM_OVERHEAD_BYTES,
        end: undefined,
        endTimeMs: 0,
        deleted: false,
        cancelRequested: false,
        cancelCallbacks: new Set(),
        waiters: new Set(),
      };
      streams.set(entry.streamId, entry);
      const key = sessionKey(entry.owner, entry.sessionId);
      let ids = streamIdsBySession.get(key);
      if (ids === undefined) {
        ids = new Set();
        streamIdsBySession.set(key, ids);
      }
      ids.add(entry.streamId);
      latestBySession.set(key, entry.streamId);
      retainedBytes += entry.bytes;
      evictOverCaps();
    },

    async appendEvent(streamId: string, payload: StreamEventPayload): Promise<number> {
      const entry = find(streamId);
      if (entry === undefined) {
        throw new GatewayError("not_found", `stream ${streamId} is unknown or was deleted`);
      }
      if (entry.end !== undefined) {
        throw new GatewayError("internal", `stream ${streamId} got an event after its end`);
      }
      if (entry.events.length >= maxEventsPerStream) {
        throw new GatewayError(
          "resource_exhausted",
          `the answer exceeded the limit of ${maxEventsPerStream} stream events; ask for a shorter answer or raise streaming.maxEventsPerStream`,
        );
      }
      const bytes = retainedEventBytes(payload);
      if (entry.bytes + bytes > maxRetainedBytes) {
        throw new GatewayError(
          "resource_exhausted",
          `the answer exceeded the ${maxRetainedBytes} bytes a stream may retain; ask for a shorter answer or raise streaming.maxRetainedBytes`,
        );
      }
      const sequence = entry.events.length + 1;
      entry.events.push(Object.freeze({ sequence, payload: frozenCopy(payload) }));
      eventCount += 1;
      entry.bytes += bytes;
      retainedBytes += bytes;
      if (retainedBytes > maxRetainedBytes) evictOverCaps();
      wake(entry);
      return sequence;
    },

    async endStream(streamId: string, end: StreamEnd) {
      const entry = find(streamId);
      if (entry === undefined || entry.end !== undefined) return;
      entry.end = frozenCopy(end);
      entry.endTimeMs = now();
      entry.cancelCallbacks.clear();
      ended.set(streamId, entry);
      wake(entry);
    },

    async getStream(streamId: string): Promise<StreamRecord | undefined> {
      const entry = find(streamId);
      if (entry === undefined) return undefined;
      return Object.freeze({
        streamId: entry.streamId,
        sessionId: entry.sessionId,
        owner: entry.owner,
        state: entry.end?.state ?? "running",
        end: entry.end,
        createTimeMs: entry.createTimeMs,
        lastSequence: entry.events.length,
      });
    },

    async latestStream(owner: string, sessionId: string) {
      const streamId = latestBySession.get(sessionKey(owner, sessionId));
      return streamId === undefined ? undefined : find(streamId)?.streamId;
    },

    async *readStream(
      streamId: string,
      afterSequence: number,
      signal: AbortSignal,
    ): AsyncGenerator<StreamRead> {
      const entry = find(streamId);
      if (entry === undefined) {
        throw new GatewayError("not_found", `stream ${streamId} is unknown or has expired`);
      }
      if (afterSequence > entry.events.length) {
        throw aheadOfStream(afterSequence, entry.events.length);
      }
      let next = Math.max(0, afterSequence);
      while (!signal.aborted) {
        if (entry.deleted) {
          yield { kind: "end", end: DELETED_STREAM_END };
          return;
        }
        const event = entry.events[next];
        if (event !== undefined) {
          next += 1;
          yield { kind: "event", event };
        } else if (entry.end !== undefined) {
          yield { kind: "end", end: entry.end };
          return;
        } else if (!(await changeOf(entry, signal))) {
          return;
        }
      }
    },

    async requestCancel(streamId: string): Promise<StreamState | undefined> {
      const entry = find(streamId);
      if (entry === undefined) return undefined;
      if (entry.end !== undefined) return entry.end.state;
      if (!entry.cancelRequested) notifyCancel(entry);
      return "canceled";
    },

    onCancelRequested(streamId: string, onCancel: () => void) {
      const entry = find(streamId);
      if (entry === undefined || entry.end !== undefined) return () => {};
      if (entry.cancelRequested) {
        queueMicrotask(onCancel);
        return () => {};
      }
      // A wrapper per subscription, so that the same function subscribed twice is called twice.
      const callback = (): void => onCancel();
      entry.cancelCallbacks.add(callback);
      return () => {
        entry.cancelCallbacks.delete(callback);
      };
    },

    async deleteSessionStreams(owner: string, sessionId: string) {
      const ids = streamIdsBySession.get(sessionKey(owner, sessionId));
      for (const streamId of [...(ids ?? [])]) {
        const entry = streams.get(streamId);
        if (entry === undefined) continue;
        remove(entry);
        entry.deleted = true;
        if (entry.end === undefined && !entry.cancelRequested) notifyCancel(entry);
        wake(entry);
      }
    },
  };
}

/** One key per (owner, session); JSON keeps any two different pairs apart. */
function sessionKey(owner: string, sessionId: string): string {
  return JSON.stringify([owner, sessionId]);
}
