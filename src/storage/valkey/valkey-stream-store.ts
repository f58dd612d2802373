import type { Logger } from "pino";
import { GatewayError } from "../../gateway-error.js";
import type { StreamEnd, StreamEventPayload, StreamRecord, StreamState } from "../records.js";
import type { NewStream, StreamStore } from "../stream-store.js";
import { type ValkeyClient, withValkey } from "./valkey-connection.js";
import type { ValkeyKeys } from "./valkey-keys.js";
import { createStreamCancels } from "./valkey-stream-cancels.js";
import {
  logCorruption,
  parseStreamHash,
  STREAM_FIELDS,
  type StreamHash,
} from "./valkey-stream-codec.js";
import { createStreamCommits } from "./valkey-stream-commits.js";
import { deleteSessionStreams } from "./valkey-stream-deletion.js";
import { createStreamHeartbeat } from "./valkey-stream-heartbeat.js";
import { createStreamReader, LEASE_EXPIRED_END } from "./valkey-stream-reader.js";
import { createStreamRetention } from "./valkey-stream-retention.js";
import { appendReplyError, defineStreamScripts, execPipeline } from "./valkey-stream-scripts.js";
import { createStreamSubscriber } from "./valkey-stream-subscriber.js";
import { createStreamWaiters } from "./valkey-stream-waiters.js";

/** Options of `createValkeyStreamStore`. */
export interface ValkeyStreamStoreOptions {
  /** The shared command connection; the store duplicates it once for pub/sub. */
  readonly client: ValkeyClient;
  readonly keys: ValkeyKeys;
  /** How long an ended stream stays readable, in milliseconds. */
  readonly retentionMs: number;
  /** Streams kept at most; over it, the earliest-ended are evicted first (never a running one). */
  readonly maxRetainedStreams: number;
  /** Events per stream at most; one more is `resource_exhausted`. */
  readonly maxEventsPerStream: number;
  /**
   * How long an appended event may wait to be committed with the stream's next ones, in
   * milliseconds (`streaming.commitInterval`, default in the config: 50); 0 commits each event
   * before `appendEvent` resolves.
   */
  readonly commitIntervalMs: number;
  /** The producer lease, in milliseconds (default in the config: 5000). */
  readonly leaseMs: number;
  /** This gateway instance, stored as the lease holder. */
  readonly instanceId: string;
  /** The clock for logical expiry, epoch milliseconds. */
  readonly now: () => number;
  readonly log: Logger;
}

/** A `StreamStore` in Valkey, shared by every gateway instance using the same key prefix. */
export interface ValkeyStreamStore extends StreamStore {
  /** Connects the pub/sub subscriber; call once before use. Throws `storage_unavailable`. */
  start(): Promise<void>;
  /** Connects the pub/sub subscriber in the background, retrying until Valkey answers. */
  startInBackground(): void;
  /** Readers waiting on this instance (contract-suite hook). */
  waitingReaders(): number;
  /**
   * Commits pending events (best effort), stops heartbeats, ends local readers (`unavailable`),
   * closes the subscriber.
   */
  close(): Promise<void>;
}

/**
 * Creates the Valkey stream store. Semantics are those of the memory store (see its TSDoc);
 * what only a shared store needs:
 * - Group commit (valkey-stream-commits.ts): the producing instance numbers a stream's events
 *   itself and commits them in batches, at most `commitIntervalMs` apart, one script per batch;
 *   `endStream` commits at once. An event is visible to readers, here and on every other
 *   instance, only once committed, so no reader gets an event that another instance could not
 *   resume after. A failed commit fails the stream's next `appendEvent` or `endStream`.
 *   `getStream` commits first on the producing instance, so `lastSequence` counts its appends.
 * - Local delivery: readers on the producing instance take what it just committed from the
 *   stream's in-memory tail (valkey-stream-tail.ts), woken directly; this instance's own
 *   PUBLISHes are recognised as echoes and wake nobody. Readers elsewhere, or behind the tail,
 *   read Valkey as below.
 * - Every change of a stream (event, end, deletion) is PUBLISHed on one tail channel. Each
 *   instance holds ONE subscriber connection and wakes its local readers of that stream; a
 *   caught-up reader then re-reads with XRANGE. This scales to thousands of concurrent readers
 *   with two connections per instance, unlike XREAD BLOCK, which holds a connection per
 *   waiting reader. The cost: every instance receives every stream's change notifications.
 * - The producer holds a lease (`leaseMs`), refreshed by a heartbeat. A reader that finds the
 *   stream running but the lease gone ends it, atomically and once, as failed `unavailable`
 *   ("its lease expired; send the prompt again"), so every reader on every instance gets the
 *   same explicit end within about `leaseMs`. No instance takes the generation over: the
 *   explicit error is the chosen behaviour (a takeover would restart the upstream call).
 * - Cancel works from any instance: the request is stored and PUBLISHed; the producer's
 *   instance calls its local callbacks (also found by the heartbeat if a message was lost).
 * - Atomic: each script below (create, append, end, cancel, delete) on the stream's keys. Not
 *   atomic with it (other hash tags, same pipeline): the session's stream set and latest-stream
 *   pointer, and the retention index (`stream:{_retention}:running|ended`).
 * - Expiry is logical (`now()` against `endTimeMs + retentionMs`) and physical (PEXPIRE).
 * - No byte bound like the memory store's `maxRetainedBytes`: the events live in Valkey's
 *   memory, which its own `maxmemory` governs.
 */
export function createValkeyStreamStore(options: ValkeyStreamStoreOptions): ValkeyStreamStore {
  const { keys, retentionMs, maxRetainedStreams, maxEventsPerStream, leaseMs, now, log } = options;
  const scripts = defineStreamScripts(options.client);
  const { commands } = scripts;
  // A running stream's keys outlive a dead producer by a retention window at most.
  const keyTtlMs = retentionMs + leaseMs;
  // A deleted stream's tombstone must outlive the wake-up timer of its remote readers.
  const tombstoneTtlMs = Math.max(retentionMs, 10 * leaseMs);
  const retention = createStreamRetention({
    scripts,
    keys,
    retentionMs,
    maxRetainedStreams,
    keyTtlMs,
    now,
  });
  const waiters = createStreamWaiters();
  const commits = createStreamCommits({
    scripts,
    keys,
    commitIntervalMs: options.commitIntervalMs,
    maxEventsPerStream,
    keyTtlMs,
    onTailChange: (streamId) => waiters.wakeLocal(streamId),
  });
  const cancels = createStreamCancels();
  const heartbeat = createStreamHeartbeat({
    scripts,
    keys,
    runningIndexKey: retention.runningIndexKey,
    instanceId: options.instanceId,
    leaseMs,
    keyTtlMs,
    onStop: (streamId) => cancels.notify(streamId),
    log,
  });
  const subscriber = createStreamSubscriber({
    client: options.client,
    tailChannel: keys.streamTailChannel(),
    cancelChannel: keys.streamCancelChannel(),
    onTail: (streamId) => {
      if (!commits.isOwnEcho(streamId)) waiters.wake(streamId);
    },
    onCancel: (streamId) => cancels.notify(streamId),
    onGap: () => {
      commits.forgetEchoes();
      waiters.wakeAll();
    },
    log,
  });

  function isExpired(hash: StreamHash): boolean {
    return hash.state !== "running" && now() >= hash.endTimeMs + retentionMs;
  }

  /** The stream's hash if it is retained (not deleted, not past retention). 1 round trip. */
  async function findStream(streamId: string): Promise<StreamHash | undefined> {
    const reply = await options.client.hmget(keys.stream(streamId), ...STREAM_FIELDS);
    const hash = logCorruption(log, streamId, () => parseStreamHash(reply));
    if (hash === undefined || hash.state === "deleted" || isExpired(hash)) return undefined;
    return hash;
  }

  return {
    start: () => subscriber.start(),
    startInBackground: () => subscriber.startInBackground(),
    waitingReaders: () => waiters.waiting(),

    async close() {
      heartbeat.close();
      await commits.close();
      waiters.close();
      cancels.clear();
      await subscriber.close();
    },

    /** 1 round trip (+1 when streams are evicted over the cap). */
    createStream(stream: NewStream) {
      return withValkey(async () => {
        const { streamId, sessionId } = stream;
        const pipeline = scripts.pipeline();
        pipeline.sbStreamCreate(
          keys.stream(streamId),
          keys.streamLease(streamId),
          streamId,
          sessionId,
          stream.owner,
          now(),
          options.instanceId,
          leaseMs,
          keyTtlMs,
        );
        pipeline
          .sadd(keys.sessionStreams(sessionId), streamId)
          .pexpire(keys.sessionStreams(sessionId), keyTtlMs)
          .set(keys.sessionLatestStream(sessionId), streamId, "PX", keyTtlMs);
        retention.queueAdmit(pipeline, streamId);
        const [created, , , , evicted] = await execPipeline(pipeline);
        // Stream ids are server-made UUIDs: a clash is a bug, found after the fact.
        if (created !== 1) throw new GatewayError("internal", `stream ${streamId} already exists`);
        heartbeat.add(streamId, sessionId);
        commits.add(streamId);
        if (Array.isArray(evicted)) await retention.deleteStreams(evicted.map(String));
      });
    },

    /**
     * A stream this instance produces: no round trip (the event is committed with the next
     * batch, see valkey-stream-commits.ts). Any other stream: 1 round trip (one script: check,
     * number, XADD, PUBLISH).
     */
    appendEvent(streamId: string, payload: StreamEventPayload) {
      return (
        commits.append(streamId, payload) ??
        withValkey(async () => {
          const reply = await commands.sbStreamAppend(
            keys.stream(streamId),
            keys.streamEvents(streamId),
            JSON.stringify(payload),
            maxEventsPerStream,
            keys.streamTailChannel(),
            streamId,
            keyTtlMs,
          );
          const failure = appendReplyError(reply, streamId, maxEventsPerStream);
          if (failure !== undefined) throw failure;
          return Number(reply);
        })
      );
    },

    /**
     * 2 round trips: the end script, then the session keys and the retention index; 1 more
     * first to commit the pending events of a stream this instance produces.
     */
    endStream(streamId: string, streamEnd: StreamEnd) {
      heartbeat.remove(streamId);
      cancels.forget(streamId);
      return withValkey(() =>
        commits.end(streamId, streamEnd, (end) => retention.end(streamId, end, false)),
      );
    },

    /**
     * 1 round trip; 1 more first to commit the pending events of a stream this instance
     * produces, so that `lastSequence` counts every event it appended.
     */
    getStream(streamId: string) {
      return withValkey(async (): Promise<StreamRecord | undefined> => {
        await commits.commitNow(streamId);
        const hash = await findStream(streamId);
        if (hash === undefined) return undefined;
        return Object.freeze({
          streamId: hash.streamId,
          sessionId: hash.sessionId,
          owner: hash.owner,
          state: hash.state === "deleted" ? "failed" : hash.state,
          end: hash.end,
          createTimeMs: hash.createTimeMs,
          lastSequence: hash.lastSequence,
        });
      });
    },

    /** 2 round trips: the session's pointer, then the stream's owner and retention. */
    latestStream(owner: string, sessionId: string) {
      return withValkey(async () => {
        const streamId = await options.client.get(keys.sessionLatestStream(sessionId));
        if (streamId === null) return undefined;
        const hash = await findStream(streamId);
        return hash?.owner === owner ? streamId : undefined;
      });
    },

    readStream: createStreamReader({
      scripts,
      keys,
      waiters,
      localTail: (streamId) => commits.tail(streamId),
      leaseMs,
      isExpired,
      endLeaseLost: (streamId) => retention.end(streamId, LEASE_EXPIRED_END, true),
      log,
    }),

    /** 1 round trip (one script; the producer's instance is told through pub/sub). */
    requestCancel(streamId: string) {
      return withValkey(async (): Promise<StreamState | undefined> => {
        const reply = await commands.sbStreamCancel(
          keys.stream(streamId),
          now(),
          retentionMs,
          keys.streamCancelChannel(),
          streamId,
        );
        if (reply === null) return undefined;
        if (reply === "canceled" || reply === "completed" || reply === "failed") return reply;
        throw new GatewayError("internal", "unexpected Valkey reply");
      });
    },

    /** Registers at once; 1 round trip in the background catches a cancel requested before. */
    onCancelRequested(streamId: string, onCancel: () => void) {
      const unsubscribe = cancels.add(streamId, onCancel);
      options.client.hmget(keys.stream(streamId), "state", "cancelRequested").then(
        ([state, cancelRequested]) => {
          if (state === "running" && cancelRequested === "1") cancels.notify(streamId);
          else if (state !== "running") unsubscribe();
        },
        (error: unknown) => log.debug({ err: error, streamId }, "cannot check a stream's cancel"),
      );
      return unsubscribe;
    },

    /** 3 round trips: see `deleteSessionStreams` in valkey-stream-deletion.ts. */
    deleteSessionStreams(owner: string, sessionId: string) {
      return withValkey(async () => {
        const deleted = await deleteSessionStreams(
          { scripts, keys, retention, tombstoneTtlMs },
          owner,
          sessionId,
        );
        for (const id of deleted) heartbeat.remove(id);
      });
    },
  };
}
