import type { StreamEnd } from "../records.js";
import type { ValkeyKeys } from "./valkey-keys.js";
import {
  execPipeline,
  type ValkeyStreamClient,
  type ValkeyStreamPipeline,
} from "./valkey-stream-scripts.js";

/** Options of `createStreamRetention`. */
export interface StreamRetentionOptions {
  readonly scripts: ValkeyStreamClient;
  readonly keys: ValkeyKeys;
  readonly retentionMs: number;
  readonly maxRetainedStreams: number;
  /** Physical TTL of a running stream's keys, in milliseconds. */
  readonly keyTtlMs: number;
  readonly now: () => number;
}

/**
 * Ending streams and the retention index: two sorted sets under the hash tag `{_retention}`
 * (stream ids are UUIDs, so no stream is called that): `running`, scored by the real time after
 * which a stream whose heartbeat stopped is presumed gone, and `ended`, scored by `endTimeMs`.
 * Their updates are separate commands from the stream's own script (another hash tag).
 */
export interface StreamRetention {
  /** The running index key (the heartbeat refreshes its scores). */
  readonly runningIndexKey: string;
  /**
   * Queues the admission of a new stream: drops dead and expired index entries, pops the
   * earliest-ended streams while at the cap (never a running one) and adds the stream. The
   * reply is the evicted ids, to pass to `deleteStreams`.
   */
  queueAdmit(pipeline: ValkeyStreamPipeline, streamId: string): void;
  /** Deletes the keys of evicted streams; 1 round trip. */
  deleteStreams(streamIds: readonly string[]): Promise<void>;
  /**
   * Ends a running stream (the first end wins) and records it as ended; with `onlyIfLeaseLost`
   * only while its producer's lease is absent. Returns whether this call ended it. 2 round
   * trips: the end script, then the index and the session keys' TTLs.
   */
  end(streamId: string, end: StreamEnd, onlyIfLeaseLost: boolean): Promise<boolean>;
  /** Forgets deleted streams in both indexes; queued on `pipeline`. */
  queueForget(pipeline: ValkeyStreamPipeline, streamIds: readonly string[]): void;
}

/** Creates the retention bookkeeping of a stream store. */
export function createStreamRetention(options: StreamRetentionOptions): StreamRetention {
  const { scripts, keys, retentionMs, keyTtlMs, now } = options;
  const runningIndexKey = `${keys.stream("_retention")}:running`;
  const endedIndexKey = `${keys.stream("_retention")}:ended`;

  return {
    runningIndexKey,

    queueAdmit(pipeline, streamId) {
      const realNowMs = Date.now();
      pipeline.sbStreamAdmit(
        runningIndexKey,
        endedIndexKey,
        streamId,
        realNowMs + keyTtlMs,
        realNowMs,
        now() - retentionMs,
        options.maxRetainedStreams,
      );
    },

    async deleteStreams(streamIds) {
      if (streamIds.length === 0) return;
      const pipeline = scripts.pipeline();
      for (const id of streamIds) {
        pipeline.del(keys.stream(id), keys.streamEvents(id), keys.streamLease(id));
      }
      await execPipeline(pipeline);
    },

    async end(streamId, streamEnd, onlyIfLeaseLost) {
      const endTimeMs = now();
      const sessionId = await scripts.commands.sbStreamEnd(
        keys.stream(streamId),
        keys.streamEvents(streamId),
        keys.streamLease(streamId),
        JSON.stringify(streamEnd),
        streamEnd.state,
        endTimeMs,
        retentionMs,
        keys.streamTailChannel(),
        streamId,
        onlyIfLeaseLost ? "1" : "0",
      );
      if (typeof sessionId !== "string") return false;
      const pipeline = scripts
        .pipeline()
        .zrem(runningIndexKey, streamId)
        .zadd(endedIndexKey, endTimeMs, streamId)
        // GT: never shorten the TTL that another, still running stream of the session set.
        .pexpire(keys.sessionStreams(sessionId), retentionMs, "GT")
        .pexpire(keys.sessionLatestStream(sessionId), retentionMs, "GT");
      await execPipeline(pipeline);
      return true;
    },

    queueForget(pipeline, streamIds) {
      pipeline.zrem(runningIndexKey, ...streamIds).zrem(endedIndexKey, ...streamIds);
    },
  };
}
