import { frozenCopy } from "../memory/frozen-copy.js";
import type { StreamEnd, StreamEventRecord } from "../records.js";

/** Committed events a tail holds at most: the newest ones. */
export const TAIL_MAX_EVENTS = 256;

/**
 * Characters of event JSON a tail holds at most (64 Ki): the oldest events go first, the
 * newest one always stays. With `server.limits.maxConcurrentGenerations` generations at once,
 * tails hold at most that many times this.
 */
export const TAIL_MAX_CHARS = 64 * 1024;

/** An event numbered by its producer, with the JSON sent to Valkey. */
export interface NumberedEvent {
  readonly record: StreamEventRecord;
  readonly json: string;
}

/** What a reader on the producing instance sees of the stream's tail. */
export interface StreamTailView {
  /** The last sequence the producer numbered, committed or not (0 before the first). */
  readonly appendedSequence: number;
  /** The last sequence committed to Valkey (0 before the first). */
  readonly lastSequence: number;
  /** How the stream ended, once this instance ended it; undefined before. */
  readonly end: StreamEnd | undefined;
  /**
   * The tail no longer follows the stream (a commit failed, or someone else ended it): only a
   * read of Valkey tells what happened.
   */
  readonly detached: boolean;
  /** The committed event `sequence`, when the tail (still) holds it. */
  eventAt(sequence: number): StreamEventRecord | undefined;
}

/** The producer's side of a tail. */
export interface StreamTail extends StreamTailView {
  appendedSequence: number;
  /** Adds events just committed; their sequences follow `lastSequence`. */
  commit(events: readonly NumberedEvent[]): void;
  /** Records the end this instance committed. */
  finish(end: StreamEnd): void;
  /** Stops following the stream and drops the events held. */
  detach(): void;
}

/**
 * Creates the tail of a stream this instance produces: a ring of its newest committed events
 * (`TAIL_MAX_EVENTS`, `TAIL_MAX_CHARS`), so that its local readers take what was just committed
 * without reading it back from Valkey. Events are frozen and shared by every reader, as the
 * memory store does.
 */
export function createStreamTail(): StreamTail {
  const slots: (StreamEventRecord | undefined)[] = new Array(TAIL_MAX_EVENTS);
  const slotChars: number[] = new Array(TAIL_MAX_EVENTS).fill(0);
  // The oldest sequence held.
  let oldest = 1;
  let lastSequence = 0;
  let charsHeld = 0;
  let end: StreamEnd | undefined;
  let detached = false;

  function dropOldest(): void {
    const slot = oldest % TAIL_MAX_EVENTS;
    charsHeld -= slotChars[slot] ?? 0;
    slots[slot] = undefined;
    oldest += 1;
  }

  return {
    appendedSequence: 0,
    get lastSequence() {
      return lastSequence;
    },
    get end() {
      return end;
    },
    get detached() {
      return detached;
    },
    eventAt(sequence) {
      if (sequence < oldest || sequence > lastSequence) return undefined;
      return slots[sequence % TAIL_MAX_EVENTS];
    },
    commit(events) {
      if (detached) return;
      for (const { record, json } of events) {
        if (record.sequence - oldest >= TAIL_MAX_EVENTS) dropOldest();
        const slot = record.sequence % TAIL_MAX_EVENTS;
        slots[slot] = record;
        slotChars[slot] = json.length;
        charsHeld += json.length;
        lastSequence = record.sequence;
      }
      while (charsHeld > TAIL_MAX_CHARS && oldest < lastSequence) dropOldest();
    },
    finish(streamEnd) {
      end = frozenCopy(streamEnd);
    },
    detach() {
      detached = true;
      slots.fill(undefined);
      oldest = lastSequence + 1;
      charsHeld = 0;
    },
  };
}
