import { GatewayError } from "../../gateway-error.js";
import { frozenCopy } from "../memory/frozen-copy.js";
import type { StreamEnd, StreamEventPayload } from "../records.js";
import { createCommitTimer } from "./valkey-commit-timer.js";
import { toStorageError } from "./valkey-connection.js";
import type { ValkeyKeys } from "./valkey-keys.js";
import {
  appendReplyError,
  tooManyEventsError,
  type ValkeyStreamClient,
  type ValkeyStreamPipeline,
} from "./valkey-stream-scripts.js";
import {
  createStreamTail,
  type NumberedEvent,
  type StreamTail,
  type StreamTailView,
} from "./valkey-stream-tail.js";

/** Events a stream's pending batch holds before `append` waits for their commit. */
export const MAX_PENDING_EVENTS = 256;

/** Characters of event JSON a stream's pending batch holds before `append` waits (1 Mi). */
export const MAX_PENDING_CHARS = 1024 * 1024;

/** Options of `createStreamCommits`. */
export interface StreamCommitsOptions {
  readonly scripts: ValkeyStreamClient;
  readonly keys: ValkeyKeys;
  /**
   * How long an event may wait for its commit, in milliseconds (`streaming.commitInterval`).
   * 0: each append is committed before it resolves.
   */
  readonly commitIntervalMs: number;
  /** Events per stream at most; one more is `resource_exhausted`. */
  readonly maxEventsPerStream: number;
  /** Physical TTL of a running stream's keys, in milliseconds. */
  readonly keyTtlMs: number;
  /** A stream's tail changed (events committed, the end, a failure): wake its local readers. */
  readonly onTailChange: (streamId: string) => void;
}

/**
 * Ends a stream in Valkey (the first end wins); resolves with whether this call ended it (and
 * PUBLISHed the end).
 */
export type EndInValkey = (end: StreamEnd) => Promise<boolean>;

/** The producer side of the streams this instance generates: group commit and tails. */
export interface StreamCommits {
  /** Starts numbering the events of a stream this instance just created (last sequence 0). */
  add(streamId: string): void;
  /** The tail of a stream this instance produces, for its local readers; else undefined. */
  tail(streamId: string): StreamTailView | undefined;
  /**
   * Numbers the event and queues it for the stream's next commit. Resolves with its sequence
   * at once; once it is committed when `commitIntervalMs` is 0 or the batch is over its bound
   * (`MAX_PENDING_EVENTS`, `MAX_PENDING_CHARS`: back-pressure). Undefined for a stream this
   * instance does not produce. Throws the failure of an earlier commit of the stream (each
   * time: its events cannot follow lost ones), `internal` after `end`, `resource_exhausted`
   * past `maxEventsPerStream`.
   */
  append(streamId: string, payload: StreamEventPayload): Promise<number> | undefined;
  /** Commits the stream's pending events now; a failure is kept for the next append or end. */
  commitNow(streamId: string): Promise<void>;
  /**
   * Ends the stream: commits its pending events at once, then `endInValkey(end)`, then gives
   * the end to the local readers. When a commit failed and no append reported it yet, ends the
   * stream as failed with that error instead (as its producer would have) and throws it.
   */
  end(streamId: string, end: StreamEnd, endInValkey: EndInValkey): Promise<void>;
  /**
   * Whether a tail message about `streamId` is the echo of this instance's own commit or end,
   * whose local readers were woken already: each commit and end expects one echo.
   */
  isOwnEcho(streamId: string): boolean;
  /** Forgets the echoes expected (the subscriber may have lost messages). */
  forgetEchoes(): void;
  /** Commits every pending event (failures ignored) and forgets every stream. */
  close(): Promise<void>;
}

interface Producer {
  readonly streamId: string;
  readonly tail: StreamTail;
  /** Numbered, not yet sent. */
  pending: NumberedEvent[];
  pendingChars: number;
  /** The last sequence Valkey confirmed. */
  committed: number;
  /** A commit of this stream is in flight (never two at once). */
  flushing: boolean;
  /** Someone waits for a commit: flush again as soon as the one in flight settles. */
  urgent: boolean;
  ending: Promise<void> | undefined;
  /** The first failed commit; every later append fails with it. */
  failure: GatewayError | undefined;
  /** An append or end has thrown `failure` to the producer. */
  failureReported: boolean;
  /** PUBLISHes of this instance's commits and end not yet heard back by the subscriber. */
  echoes: number;
  /** Called when the flush in flight settles. */
  onSettled: (() => void)[];
}

/**
 * Creates the group commit of a Valkey stream store. The single producer of a stream numbers
 * its events here and queues them. A stream's batch is committed when its oldest event has
 * waited `commitIntervalMs`, by ONE script (`sbStreamAppendBatch`: the checks, N XADDs, one
 * PUBLISH); the batches of all streams that fall due within `commitIntervalMs / 5` of each other
 * share ONE pipeline, sent by the instance's ONE timer (valkey-commit-timer.ts). So an event
 * waits at most `commitIntervalMs` plus a round trip. The end, and a caller waiting for a commit
 * (interval 0, a full batch, `commitNow`), commit the stream at once. A stream never has two
 * commits in flight, so its batches land in order. Committed events go to the stream's tail and
 * its local readers are woken directly; readers everywhere see an event only once committed.
 */
export function createStreamCommits(options: StreamCommitsOptions): StreamCommits {
  const { scripts, keys, commitIntervalMs, maxEventsPerStream, keyTtlMs, onTailChange } = options;
  const producers = new Map<string, Producer>();
  /** Producers with pending events that no commit has taken yet. */
  const waiting = createCommitTimer<Producer>({
    intervalMs: commitIntervalMs,
    coalesceMs: commitIntervalMs / 5,
    onDue(due) {
      const ready: Producer[] = [];
      for (const producer of due) {
        // Due while a commit is in flight: the next one follows as soon as it settles.
        if (producer.flushing) producer.urgent = true;
        else ready.push(producer);
      }
      if (ready.length > 0) void flush(ready);
    },
    isHandledElsewhere: (producer) => producer.urgent,
  });

  function requestFlush(producer: Producer): void {
    if (producer.flushing) producer.urgent = true;
    else if (producer.pending.length > 0) void flush([producer]);
  }

  /** Takes the producer's pending events into `pipeline`. */
  function take(producer: Producer, pipeline: ValkeyStreamPipeline): NumberedEvent[] {
    const events = producer.pending;
    const { streamId } = producer;
    producer.pending = [];
    producer.pendingChars = 0;
    producer.flushing = true;
    producer.urgent = false;
    producer.echoes += 1;
    waiting.delete(producer);
    pipeline.sbStreamAppendBatch(
      keys.stream(streamId),
      keys.streamEvents(streamId),
      events[0]?.record.sequence ?? 0,
      maxEventsPerStream,
      keys.streamTailChannel(),
      streamId,
      keyTtlMs,
      ...events.map((event) => event.json),
    );
    return events;
  }

  /** Commits the pending events of every producer in `batch`, in one round trip. Never throws. */
  async function flush(batch: readonly Producer[]): Promise<void> {
    const pipeline = scripts.pipeline();
    const flights = batch.map((producer) => ({ producer, events: take(producer, pipeline) }));
    let replies: [Error | null, unknown][] | null = null;
    let lost: unknown = new Error("the Valkey pipeline was discarded");
    try {
      replies = await pipeline.exec();
    } catch (error) {
      lost = error;
    }
    flights.forEach(({ producer, events }, index) => {
      const [error, reply] = replies?.[index] ?? [lost, undefined];
      settle(producer, events, error === null ? undefined : toStorageError(error), reply);
    });
  }

  function settle(
    producer: Producer,
    events: readonly NumberedEvent[],
    error: GatewayError | undefined,
    reply: unknown,
  ): void {
    producer.flushing = false;
    const last = events.at(-1)?.record.sequence;
    const failure =
      error ??
      appendReplyError(reply, producer.streamId, maxEventsPerStream) ??
      (reply === last ? undefined : new GatewayError("internal", "unexpected Valkey reply"));
    if (failure === undefined) {
      producer.committed = last ?? producer.committed;
      producer.tail.commit(events);
      onTailChange(producer.streamId);
    } else {
      fail(producer, failure);
    }
    const settled = producer.onSettled;
    producer.onSettled = [];
    for (const resolve of settled) resolve();
    if (producer.failure === undefined && producer.urgent) requestFlush(producer);
  }

  function fail(producer: Producer, failure: GatewayError): void {
    producer.failure ??= failure;
    producer.pending = [];
    producer.pendingChars = 0;
    producer.echoes = 0;
    waiting.delete(producer);
    producer.tail.detach();
    onTailChange(producer.streamId);
  }

  /** Resolves once `sequence` is committed, or cannot be any more (see `failure`). */
  async function committed(producer: Producer, sequence: number): Promise<void> {
    while (producer.failure === undefined && producer.committed < sequence) {
      if (!producer.flushing && producer.pending.length === 0) return;
      requestFlush(producer);
      await new Promise<void>((resolve) => producer.onSettled.push(resolve));
    }
  }

  function reportFailure(producer: Producer, failure: GatewayError): GatewayError {
    producer.failureReported = true;
    return failure;
  }

  async function appendTo(producer: Producer, payload: StreamEventPayload): Promise<number> {
    if (producer.failure !== undefined) throw reportFailure(producer, producer.failure);
    if (producer.ending !== undefined) {
      throw new GatewayError("internal", `stream ${producer.streamId} got an event after its end`);
    }
    const sequence = producer.tail.appendedSequence + 1;
    if (sequence > maxEventsPerStream) throw tooManyEventsError(maxEventsPerStream);
    const json = JSON.stringify(payload);
    producer.pending.push({
      record: Object.freeze({ sequence, payload: frozenCopy(payload) }),
      json,
    });
    producer.pendingChars += json.length;
    producer.tail.appendedSequence = sequence;
    if (
      commitIntervalMs > 0 &&
      producer.pending.length < MAX_PENDING_EVENTS &&
      producer.pendingChars < MAX_PENDING_CHARS
    ) {
      waiting.add(producer);
      return sequence;
    }
    await committed(producer, sequence);
    if (producer.failure !== undefined) throw reportFailure(producer, producer.failure);
    return sequence;
  }

  async function endProduced(
    producer: Producer,
    end: StreamEnd,
    endInValkey: EndInValkey,
  ): Promise<void> {
    try {
      await committed(producer, producer.tail.appendedSequence);
      const { failure } = producer;
      if (failure !== undefined) {
        if (producer.failureReported) {
          await endInValkey(end);
          return;
        }
        // The producer never learnt that its last events were lost: end the stream as it
        // would have, had an append failed (a no-op when the stream is gone or ended).
        await endInValkey({ state: "failed", error: failure.toData() }).catch(() => undefined);
        throw reportFailure(producer, failure);
      }
      // The end's PUBLISH is an echo too: local readers get the end from the tail.
      producer.echoes += 1;
      let endedHere = false;
      try {
        endedHere = await endInValkey(end);
      } finally {
        if (endedHere) {
          producer.tail.finish(end);
        } else {
          // Ended (or deleted) by someone else first: only Valkey knows how.
          producer.echoes = Math.max(0, producer.echoes - 1);
          producer.tail.detach();
        }
        onTailChange(producer.streamId);
      }
    } finally {
      producers.delete(producer.streamId);
      waiting.delete(producer);
    }
  }

  return {
    add(streamId) {
      producers.set(streamId, {
        streamId,
        tail: createStreamTail(),
        pending: [],
        pendingChars: 0,
        committed: 0,
        flushing: false,
        urgent: false,
        ending: undefined,
        failure: undefined,
        failureReported: false,
        echoes: 0,
        onSettled: [],
      });
    },

    tail: (streamId) => producers.get(streamId)?.tail,

    append(streamId, payload) {
      const producer = producers.get(streamId);
      return producer === undefined ? undefined : appendTo(producer, payload);
    },

    async commitNow(streamId) {
      const producer = producers.get(streamId);
      if (producer !== undefined) await committed(producer, producer.tail.appendedSequence);
    },

    async end(streamId, end, endInValkey) {
      const producer = producers.get(streamId);
      if (producer === undefined) {
        await endInValkey(end);
        return;
      }
      if (producer.ending !== undefined) {
        // A second end: the first one wins in Valkey, after the first one's commit.
        await producer.ending.catch(() => undefined);
        await endInValkey(end);
        return;
      }
      producer.ending = endProduced(producer, end, endInValkey);
      await producer.ending;
    },

    isOwnEcho(streamId) {
      const producer = producers.get(streamId);
      if (producer === undefined || producer.echoes === 0 || producer.tail.detached) return false;
      producer.echoes -= 1;
      return true;
    },

    forgetEchoes() {
      for (const producer of producers.values()) producer.echoes = 0;
    },

    async close() {
      const due = waiting.takeAll().filter((producer) => !producer.flushing);
      if (due.length > 0) await flush(due);
      producers.clear();
    },
  };
}
