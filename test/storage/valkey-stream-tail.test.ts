import { describe, expect, it } from "vitest";
import type { StreamEventPayload } from "../../src/storage/records.js";
import {
  createStreamTail,
  type NumberedEvent,
  TAIL_MAX_CHARS,
  TAIL_MAX_EVENTS,
} from "../../src/storage/valkey/valkey-stream-tail.js";
import { delta } from "./stream-fixtures.js";

/** Events `from` … `to` with `text` as each delta's text, as a commit hands them over. */
function events(from: number, to: number, text = "x"): NumberedEvent[] {
  return Array.from({ length: to - from + 1 }, (_, i) => {
    const payload: StreamEventPayload = delta(text);
    return { record: { sequence: from + i, payload }, json: JSON.stringify(payload) };
  });
}

describe("stream tail", () => {
  it("holds the committed events, in order, and nothing past the last", () => {
    const tail = createStreamTail();
    expect(tail.eventAt(1)).toBeUndefined();
    tail.commit(events(1, 3));
    tail.commit(events(4, 5));
    expect(tail.lastSequence).toBe(5);
    expect([1, 2, 3, 4, 5].map((sequence) => tail.eventAt(sequence)?.sequence)).toEqual([
      1, 2, 3, 4, 5,
    ]);
    expect(tail.eventAt(0)).toBeUndefined();
    expect(tail.eventAt(6)).toBeUndefined();
  });

  it(`keeps only the newest ${TAIL_MAX_EVENTS} events`, () => {
    const tail = createStreamTail();
    const total = TAIL_MAX_EVENTS * 2 + 7;
    for (let from = 1; from <= total; from += 10)
      tail.commit(events(from, Math.min(total, from + 9)));
    const oldest = total - TAIL_MAX_EVENTS + 1;
    expect(tail.eventAt(oldest - 1)).toBeUndefined();
    expect(tail.eventAt(oldest)?.sequence).toBe(oldest);
    expect(tail.eventAt(total)?.sequence).toBe(total);
  });

  it("drops the oldest events over its character bound, but never the newest one", () => {
    const tail = createStreamTail();
    const big = "y".repeat(TAIL_MAX_CHARS / 4);
    tail.commit(events(1, 6, big));
    // Each event is a quarter of the bound plus its JSON: three fit, not four.
    expect(tail.eventAt(3)).toBeUndefined();
    expect([4, 5, 6].map((sequence) => tail.eventAt(sequence)?.sequence)).toEqual([4, 5, 6]);
    tail.commit(events(7, 7, "y".repeat(TAIL_MAX_CHARS * 2)));
    expect(tail.eventAt(6)).toBeUndefined();
    expect(tail.eventAt(7)?.sequence).toBe(7);
  });

  it("serves nothing once detached, and keeps the end it was given", () => {
    const tail = createStreamTail();
    tail.commit(events(1, 2));
    tail.detach();
    expect(tail.detached).toBe(true);
    expect(tail.eventAt(2)).toBeUndefined();
    tail.commit(events(3, 3));
    expect(tail.eventAt(3)).toBeUndefined();

    const ended = createStreamTail();
    const end = { state: "completed" } as const;
    ended.finish(end);
    expect(ended.end).toEqual(end);
    expect(Object.isFrozen(ended.end)).toBe(true);
  });
});
