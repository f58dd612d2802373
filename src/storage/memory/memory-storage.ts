import type { Storage } from "../storage.js";
import { createMemoryModelStateStore } from "./memory-model-state-store.js";
import { createMemoryRateLimiter } from "./memory-rate-limiter.js";
import { createMemorySessionStore } from "./memory-session-store.js";
import { createMemoryStreamStore } from "./memory-stream-store.js";

/** Default time between two sweeps of expired sessions and streams, in milliseconds. */
export const DEFAULT_SWEEP_INTERVAL_MS = 60_000;

/** Options of `createMemoryStorage`. */
export interface MemoryStorageOptions {
  /** Inactivity after which a session and its history are gone, in milliseconds. */
  readonly sessionTtlMs: number;
  /** Sessions kept at most; one more evicts the least recently used. */
  readonly maxSessions: number;
  /** How long an ended stream stays readable, in milliseconds. */
  readonly streamRetentionMs: number;
  /** Streams kept at most; the earliest-ended are evicted first, running ones never. */
  readonly maxRetainedStreams: number;
  /** Events per stream at most; one more is `resource_exhausted`. */
  readonly maxEventsPerStream: number;
  /**
   * Estimated bytes of retained streams at most (`streaming.maxRetainedBytes`): the
   * earliest-ended are evicted first, running ones never; an event that would take one stream
   * alone over it is `resource_exhausted`. See retained-bytes.ts for the estimate.
   */
  readonly maxRetainedBytes: number;
  /** The clock, epoch milliseconds. Default `Date.now`. */
  readonly now?: (() => number) | undefined;
  /**
   * Time between two sweeps that free expired items, in milliseconds. Default 60 000; 0 turns
   * the timer off (expiry is still checked on every access, only memory is freed later).
   */
  readonly sweepIntervalMs?: number | undefined;
}

/** What a memory storage holds, for metrics and tests. */
export interface MemoryStorageStats {
  /** Sessions held, expired ones not yet swept included. */
  readonly sessions: number;
  /** Streams held, running and ended. */
  readonly streams: number;
  /** Events held across all streams. */
  readonly streamEvents: number;
  /** Estimated bytes held by streams and their events. */
  readonly streamBytes: number;
  /** Stream readers waiting for the next event. */
  readonly waitingReaders: number;
}

/** The storage of a single instance, held in this process's memory. */
export interface MemoryStorage extends Storage {
  /** Frees expired sessions, streams past retention and ended rate-limit windows now. */
  sweep(): void;
  /** Current counts of what is held. */
  stats(): MemoryStorageStats;
}

/**
 * Creates the storage of a single instance, held in memory and lost on restart. A sweep runs
 * every `sweepIntervalMs` on an `unref()`ed timer (it never keeps the process alive); `close()`
 * stops it. Readers still waiting on a stream when `close()` is called are left waiting: close
 * the server, which aborts them, first.
 */
export function createMemoryStorage(options: MemoryStorageOptions): MemoryStorage {
  const now = options.now ?? Date.now;
  const sessions = createMemorySessionStore({
    ttlMs: options.sessionTtlMs,
    maxSessions: options.maxSessions,
    now,
  });
  const streams = createMemoryStreamStore({
    retentionMs: options.streamRetentionMs,
    maxRetainedStreams: options.maxRetainedStreams,
    maxEventsPerStream: options.maxEventsPerStream,
    maxRetainedBytes: options.maxRetainedBytes,
    now,
  });
  const rateLimits = createMemoryRateLimiter();

  function sweep(): void {
    sessions.sweep();
    streams.sweep();
    rateLimits.sweep(now());
  }

  const sweepIntervalMs = options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS;
  let timer: NodeJS.Timeout | undefined =
    sweepIntervalMs > 0 ? setInterval(sweep, sweepIntervalMs).unref() : undefined;

  return {
    sessions,
    streams,
    models: createMemoryModelStateStore(),
    rateLimits,
    sweep,
    stats: () => ({
      sessions: sessions.size,
      streams: streams.size,
      streamEvents: streams.eventCount,
      streamBytes: streams.retainedBytes,
      waitingReaders: streams.waitingReaders,
    }),
    async close() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
