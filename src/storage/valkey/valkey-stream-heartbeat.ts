import type { Logger } from "pino";
import type { ValkeyKeys } from "./valkey-keys.js";
import type { ValkeyStreamClient } from "./valkey-stream-scripts.js";

/** Options of `createStreamHeartbeat`. */
export interface StreamHeartbeatOptions {
  readonly scripts: ValkeyStreamClient;
  readonly keys: ValkeyKeys;
  /** The sorted set of running streams scored by the real time they are presumed dead. */
  readonly runningIndexKey: string;
  readonly instanceId: string;
  /** The lease; the heartbeat refreshes it every third of it. */
  readonly leaseMs: number;
  /** Physical TTL of a running stream's keys, refreshed with the lease, in milliseconds. */
  readonly keyTtlMs: number;
  /** The stream's cancellation was requested, or it was ended or deleted by someone else. */
  readonly onStop: (streamId: string) => void;
  readonly log: Logger;
}

/** The producer side of the leases: the streams this instance is generating. */
export interface StreamHeartbeat {
  /** Starts refreshing the stream's lease (the create script took it). */
  add(streamId: string, sessionId: string): void;
  /** Stops refreshing it (the stream ended). */
  remove(streamId: string): void;
  /** Stops every refresh: the leases then expire and remote readers end those streams. */
  close(): void;
}

/**
 * Creates the heartbeat: ONE `unref()`ed interval per instance, running only while this
 * instance produces a stream, and ONE pipeline per tick for all of them (a script per stream
 * that refreshes lease and key TTLs and reports a requested cancel, plus the session keys and
 * the running index). It also catches a cancel whose pub/sub message was lost. Failures are
 * logged once per outage and retried on the next tick.
 */
export function createStreamHeartbeat(options: StreamHeartbeatOptions): StreamHeartbeat {
  const { scripts, keys, leaseMs, keyTtlMs, log } = options;
  const intervalMs = Math.max(1, Math.floor(leaseMs / 3));
  const sessionByStream = new Map<string, string>();
  let timer: NodeJS.Timeout | undefined;
  let inFlight = false;
  let failing = false;

  async function tick(): Promise<void> {
    if (inFlight || sessionByStream.size === 0) return;
    inFlight = true;
    const streamIds = [...sessionByStream.keys()];
    const pipeline = scripts.pipeline();
    const deadline = Date.now() + keyTtlMs;
    const members: (string | number)[] = [];
    for (const [streamId, sessionId] of sessionByStream) {
      pipeline.sbStreamHeartbeat(
        keys.stream(streamId),
        keys.streamEvents(streamId),
        keys.streamLease(streamId),
        options.instanceId,
        leaseMs,
        keyTtlMs,
      );
      pipeline.pexpire(keys.sessionStreams(sessionId), keyTtlMs);
      pipeline.pexpire(keys.sessionLatestStream(sessionId), keyTtlMs);
      members.push(deadline, streamId);
    }
    pipeline.zadd(options.runningIndexKey, "XX", ...members);
    try {
      const replies = (await pipeline.exec()) ?? [];
      streamIds.forEach((streamId, index) => {
        const [error, reply] = replies[index * 3] ?? [new Error("no reply"), undefined];
        if (error) throw error;
        if (reply === "running" || !sessionByStream.has(streamId)) return;
        if (reply === "gone") sessionByStream.delete(streamId);
        options.onStop(streamId);
      });
      if (failing) log.info("the stream heartbeat reached Valkey again");
      failing = false;
    } catch (error) {
      if (!failing) log.warn({ err: error }, "the stream heartbeat cannot reach Valkey");
      failing = true;
    } finally {
      inFlight = false;
      if (sessionByStream.size === 0) stop();
    }
  }

  function stop(): void {
    clearInterval(timer);
    timer = undefined;
  }

  return {
    add(streamId, sessionId) {
      sessionByStream.set(streamId, sessionId);
      if (timer !== undefined) return;
      timer = setInterval(() => void tick(), intervalMs);
      timer.unref();
    },
    remove(streamId) {
      sessionByStream.delete(streamId);
      if (sessionByStream.size === 0) stop();
    },
    close() {
      sessionByStream.clear();
      stop();
    },
  };
}
