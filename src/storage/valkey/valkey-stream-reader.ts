import type { Logger } from "pino";
import { GatewayError } from "../../gateway-error.js";
import type { StreamEnd, StreamRead } from "../records.js";
import { aheadOfStream } from "../stream-store.js";
import { withValkey } from "./valkey-connection.js";
import type { ValkeyKeys } from "./valkey-keys.js";
import {
  logCorruption,
  parseEventEntries,
  parseStreamHash,
  STREAM_FIELDS,
  type StreamHash,
} from "./valkey-stream-codec.js";
import { execPipeline, type ValkeyStreamClient } from "./valkey-stream-scripts.js";
import type { StreamTailView } from "./valkey-stream-tail.js";
import type { StreamWaiters } from "./valkey-stream-waiters.js";

/** Events fetched per XRANGE. */
const READ_BATCH = 256;

/** What readers of a stream deleted with its session receive (as in the memory store). */
const DELETED_END: StreamEnd = Object.freeze({
  state: "failed",
  error: Object.freeze({ code: "not_found", message: "the stream was deleted with its session" }),
});

const VANISHED_END: StreamEnd = Object.freeze({
  state: "failed",
  error: Object.freeze({
    code: "not_found",
    message:
      "the stream expired or was lost before this reader reached its end; send the prompt again",
  }),
});

/** How a stream whose producer's lease expired ends, for every reader on every instance. */
export const LEASE_EXPIRED_END: StreamEnd = Object.freeze({
  state: "failed",
  error: Object.freeze({
    code: "unavailable",
    message:
      "the gateway instance producing this stream stopped before it finished (its lease expired); send the prompt again",
  }),
});

/** Options of `createStreamReader`. */
export interface StreamReaderOptions {
  readonly scripts: ValkeyStreamClient;
  readonly keys: ValkeyKeys;
  readonly waiters: StreamWaiters;
  /** The tail of a stream this instance produces; undefined for any other stream. */
  readonly localTail: (streamId: string) => StreamTailView | undefined;
  /** A caught-up reader re-checks the stream (and its producer's lease) this often, in ms. */
  readonly leaseMs: number;
  /** Whether an ended stream is past its retention by the store's clock. */
  readonly isExpired: (hash: StreamHash) => boolean;
  /** Ends the stream as `LEASE_EXPIRED_END` if its lease is still absent. */
  readonly endLeaseLost: (streamId: string) => Promise<unknown>;
  readonly log: Logger;
}

/** `StreamStore.readStream` over Valkey. */
export type StreamReader = (
  streamId: string,
  afterSequence: number,
  signal: AbortSignal,
) => AsyncGenerator<StreamRead>;

/**
 * Creates the reader. It reads in batches of `READ_BATCH`, 1 round trip each: the hash, XRANGE
 * and the lease, pipelined in that order, so that an end seen in the hash implies that every
 * event is in the XRANGE. A caught-up reader waits for a wake-up, or `leaseMs` at most, then
 * reads again; finding the stream running without a lease, it ends the stream as failed
 * (never a silent hang). A first read after a sequence the stream does not have yet throws
 * `out_of_range` (`aheadOfStream`) at once. A stream gone in the middle of a read ends with
 * `not_found`; a Valkey failure throws `storage_unavailable`; closing the store throws
 * `unavailable`.
 *
 * A reader of a stream this instance produces reads Valkey once, to start; after that, woken
 * by a commit of this instance, it takes the new events (and the end) from the stream's tail,
 * without a command. It reads Valkey again when the tail cannot serve it (it fell behind the
 * tail, a commit failed, someone else ended the stream), when Valkey itself woke it (another
 * instance deleted or ended the stream; a reconnect) and on the `leaseMs` re-check.
 */
export function createStreamReader(options: StreamReaderOptions): StreamReader {
  const { scripts, keys, waiters, leaseMs, log } = options;

  async function readBatch(streamId: string, after: number) {
    const [fields, entries, lease] = await execPipeline(
      scripts
        .pipeline()
        .hmget(keys.stream(streamId), ...STREAM_FIELDS)
        .xrange(keys.streamEvents(streamId), `${after + 1}-0`, "+", "COUNT", READ_BATCH)
        .exists(keys.streamLease(streamId)),
    );
    return logCorruption(log, streamId, () => ({
      hash: parseStreamHash(fields),
      events: parseEventEntries(entries),
      leaseHeld: lease === 1,
    }));
  }

  return async function* readStream(streamId, afterSequence, signal) {
    if (signal.aborted) return;
    const watch = waiters.watch(streamId);
    const tail = options.localTail(streamId);
    try {
      let next = Math.max(0, afterSequence);
      let first = true;
      let readValkey = true;
      while (!signal.aborted) {
        // Before the read: a wake-up during it makes the next wait return at once.
        watch.reset();
        if (!readValkey && tail !== undefined) {
          for (let event = tail.eventAt(next + 1); event; event = tail.eventAt(next + 1)) {
            next = event.sequence;
            yield { kind: "event", event };
            if (signal.aborted) return;
          }
          if (tail.end !== undefined && next === tail.lastSequence) {
            yield { kind: "end", end: tail.end };
            return;
          }
          // Behind what the tail still holds, or the tail stopped following the stream.
          readValkey = tail.detached || next < tail.lastSequence;
        }
        if (readValkey) {
          const { hash, events, leaseHeld } = await withValkey(() => readBatch(streamId, next));
          const gone = hash === undefined || hash.state === "deleted" || options.isExpired(hash);
          if (first && gone) {
            throw new GatewayError("not_found", `stream ${streamId} is unknown or has expired`);
          }
          // The hash is read before XRANGE, in the same pipeline: its lastSequence is the
          // stream's. On the producing instance, events appended but not committed yet count.
          const appended = tail === undefined || tail.detached ? 0 : tail.appendedSequence;
          const lastSequence = Math.max(hash?.lastSequence ?? 0, appended);
          if (first && hash !== undefined && next > lastSequence) {
            throw aheadOfStream(next, lastSequence);
          }
          if (hash === undefined) {
            yield { kind: "end", end: VANISHED_END };
            return;
          }
          if (hash.state === "deleted") {
            yield { kind: "end", end: DELETED_END };
            return;
          }
          first = false;
          for (const event of events) {
            next = event.sequence;
            yield { kind: "event", event };
            if (signal.aborted) return;
          }
          if (events.length === READ_BATCH) continue;
          if (hash.end !== undefined) {
            yield { kind: "end", end: hash.end };
            return;
          }
          if (!leaseHeld) {
            log.warn(
              { streamId },
              "a stream's producer lease expired; ending the stream as failed",
            );
            await withValkey(() => options.endLeaseLost(streamId));
            continue;
          }
        }
        const outcome = await watch.wait(signal, leaseMs);
        if (outcome === "aborted") return;
        if (outcome === "closed") {
          throw new GatewayError(
            "unavailable",
            "this gateway instance is shutting down; resume the stream with its last resume token",
          );
        }
        // Only this instance's commits woke the reader: its tail has what changed.
        readValkey =
          tail === undefined || tail.detached || outcome === "timeout" || watch.wokenByValkey();
      }
    } finally {
      watch.dispose();
    }
  };
}
