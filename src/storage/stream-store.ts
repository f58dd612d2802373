import { GatewayError } from "../gateway-error.js";
import type {
  StreamEnd,
  StreamEventPayload,
  StreamRead,
  StreamRecord,
  StreamState,
} from "./records.js";

/** Identity of a new stream. */
export interface NewStream {
  readonly streamId: string;
  readonly sessionId: string;
  readonly owner: string;
}

/**
 * Stream logs: the events of each generation, kept while it runs and for the retention window
 * after it ends, so that readers can replay and follow them. One producer (the generation)
 * appends; any number of readers read.
 */
export interface StreamStore {
  /** Registers a running stream; it becomes its session's latest stream. */
  createStream(stream: NewStream): Promise<void>;
  /**
   * Appends one event and returns its sequence (1, 2, 3 …). A store may commit the events of
   * the stream's producer in batches (Valkey: `streaming.commitInterval`): it then resolves
   * before readers can see the event, which they get once it is committed, and a failed commit
   * fails the producer's next `appendEvent` or `endStream` instead.
   */
  appendEvent(streamId: string, payload: StreamEventPayload): Promise<number>;
  /**
   * Marks the stream ended, after committing the events appended before; readers receive `end`
   * after the last event. Idempotent: the first end wins.
   */
  endStream(streamId: string, end: StreamEnd): Promise<void>;
  /** The stream, or undefined when unknown or past retention. */
  getStream(streamId: string): Promise<StreamRecord | undefined>;
  /** The id of the owner's session's latest stream, if it is still retained. */
  latestStream(owner: string, sessionId: string): Promise<string | undefined>;
  /**
   * The events after `afterSequence`, then the live ones as they are appended, then one `end`.
   * Stops early (without `end`) when `signal` aborts. Throws `GatewayError("not_found")` when
   * the stream is unknown, and `aheadOfStream` (`out_of_range`) at once when `afterSequence` is
   * past the last event appended so far, running stream or ended.
   */
  readStream(
    streamId: string,
    afterSequence: number,
    signal: AbortSignal,
  ): AsyncIterable<StreamRead>;
  /**
   * Asks the stream's producer to stop. Returns the state after the request: "canceled" for a
   * running stream, or the state it had already ended in. Undefined when unknown.
   */
  requestCancel(streamId: string): Promise<StreamState | undefined>;
  /** Calls `onCancel` once when `requestCancel` is made for the stream; returns an unsubscribe function. */
  onCancelRequested(streamId: string, onCancel: () => void): () => void;
  /** Deletes every stream of the session. */
  deleteSessionStreams(owner: string, sessionId: string): Promise<void>;
}

/**
 * The error of a read that starts after a sequence the stream does not have (yet): a resume
 * token that no reader could have received from this stream.
 */
export function aheadOfStream(afterSequence: number, lastSequence: number): GatewayError {
  return new GatewayError(
    "out_of_range",
    `resume_token is ahead of the stream: it names event ${afterSequence}, but the stream has ${lastSequence} events; resume with the token of the last event you received`,
  );
}
