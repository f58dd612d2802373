import type { Attempt, Result, Usage } from "../../gen/switchboard/v1/types_pb.js";

/** What every event carries: where it is in its stream, and the token to resume after it. */
export interface StreamPosition {
  /** 1, 2, 3 … with no gap and no repeat, even across resumes. */
  readonly sequence: bigint;
  /** Pass to `stream({ resumeToken })` later to continue after this event. */
  readonly resumeToken: string;
}

/** The stream has begun (sent once, never again after a resume). */
export interface StreamStartedEvent extends StreamPosition {
  readonly type: "started";
  readonly sessionId: string;
  /** For `cancel(streamId)`. */
  readonly streamId: string;
  /** The first model the route will try. */
  readonly model: string;
}

/** A piece of answer text to append to what was received so far. */
export interface StreamTextEvent extends StreamPosition {
  readonly type: "text";
  readonly text: string;
}

/** The answering model failed mid-answer and another one takes over. */
export interface StreamModelSwitchEvent extends StreamPosition {
  /**
   * `restart`: drop the text received so far, the new model sends the whole answer again.
   * `switched`: keep it, the new model continues it.
   */
  readonly type: "restart" | "switched";
  readonly fromModel: string;
  readonly toModel: string;
  /** Why the first model failed. */
  readonly reason: string;
}

/** The last event of a successful stream. */
export interface StreamCompletedEvent extends StreamPosition {
  readonly type: "completed";
  /** The whole answer, with every `restart` applied. */
  readonly text: string;
  readonly sessionId: string;
  /** The "provider:model" that produced the answer. */
  readonly model: string;
  readonly result: Result;
  readonly usage: Usage | undefined;
  /** Every attempt made, the successful one last. */
  readonly attempts: readonly Attempt[];
}

/** One event of `stream()`. */
export type ClientStreamEvent =
  | StreamStartedEvent
  | StreamTextEvent
  | StreamModelSwitchEvent
  | StreamCompletedEvent;

/** Reads a stream to its end and returns its `completed` event (which holds the whole text). */
export async function collectCompleted(
  events: AsyncIterable<ClientStreamEvent>,
): Promise<StreamCompletedEvent> {
  for await (const event of events) if (event.type === "completed") return event;
  throw new Error("the stream ended without a completed event");
}
