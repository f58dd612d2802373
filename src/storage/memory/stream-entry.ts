import type { StreamEnd, StreamEventRecord } from "../records.js";
import { frozenCopy } from "./frozen-copy.js";

/** One stream as the memory stream store holds it. */
export interface StreamEntry {
  readonly streamId: string;
  readonly sessionId: string;
  readonly owner: string;
  readonly createTimeMs: number;
  /** The event of sequence n is at index n - 1. */
  readonly events: StreamEventRecord[];
  /** The stream's estimated memory: see retained-bytes.ts. */
  bytes: number;
  end: StreamEnd | undefined;
  /** When `end` was set, epoch milliseconds. */
  endTimeMs: number;
  /** Set when the stream was deleted with its session; its readers stop at once. */
  deleted: boolean;
  cancelRequested: boolean;
  readonly cancelCallbacks: Set<() => void>;
  /** Wakes the readers waiting for the next change (event, end or deletion). */
  readonly waiters: Set<() => void>;
}

/** What readers of a stream deleted with its session receive instead of the rest. */
export const DELETED_STREAM_END: StreamEnd = frozenCopy({
  state: "failed",
  error: { code: "not_found", message: "the stream was deleted with its session" },
});

/** Wakes every reader waiting on the stream; each registers again if it has to wait more. */
export function wake(entry: StreamEntry): void {
  const waiters = [...entry.waiters];
  entry.waiters.clear();
  for (const waiter of waiters) waiter();
}

/**
 * Resolves true at the stream's next change, false when `signal` aborts first. Whichever
 * comes first removes the other listener, so a reader holds listeners only while it waits.
 */
export function changeOf(entry: StreamEntry, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const onChange = (): void => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    };
    const onAbort = (): void => {
      entry.waiters.delete(onChange);
      resolve(false);
    };
    entry.waiters.add(onChange);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
