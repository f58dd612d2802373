/** Options of `createCommitTimer`. */
export interface CommitTimerOptions<T> {
  /** How long an item waits from `add` until it is due, in milliseconds. */
  readonly intervalMs: number;
  /** Items due within this of each other are handed over together, in milliseconds. */
  readonly coalesceMs: number;
  /** Called with the items due, oldest first; it `delete`s those it commits. */
  readonly onDue: (due: readonly T[]) => void;
  /** An item the timer need not wake up for (it will commit by other means). */
  readonly isHandledElsewhere: (item: T) => boolean;
}

/** When each stream's pending batch falls due, with ONE timer for all of them. */
export interface CommitTimer<T> {
  /** Starts the wait of `item` now; does nothing when it already waits. */
  add(item: T): void;
  /** Ends the wait of `item` (its batch was taken, or it is gone). */
  delete(item: T): void;
  /** Ends every wait and the timer; returns the items that waited, oldest first. */
  takeAll(): T[];
}

/**
 * Creates the commit timer of a stream store: ONE `setTimeout` at a time, set for the earliest
 * item due and only while some item waits, whatever the number of streams. Items are kept in
 * the order they started waiting, so the earliest due is the first one.
 */
export function createCommitTimer<T>(options: CommitTimerOptions<T>): CommitTimer<T> {
  const { intervalMs, coalesceMs, onDue, isHandledElsewhere } = options;
  /** The waiting items and when each started waiting, `performance.now()` milliseconds. */
  const since = new Map<T, number>();
  let timer: NodeJS.Timeout | undefined;

  function arm(): void {
    if (timer !== undefined) return;
    for (const [item, sinceMs] of since) {
      if (isHandledElsewhere(item)) continue;
      timer = setTimeout(fire, Math.max(0, sinceMs + intervalMs - performance.now()));
      return;
    }
  }

  function fire(): void {
    timer = undefined;
    const dueBy = performance.now() + coalesceMs - intervalMs;
    const due: T[] = [];
    for (const [item, sinceMs] of since) {
      if (sinceMs > dueBy) break;
      due.push(item);
    }
    if (due.length > 0) onDue(due);
    arm();
  }

  return {
    add(item) {
      if (since.has(item)) return;
      since.set(item, performance.now());
      arm();
    },
    delete(item) {
      since.delete(item);
    },
    takeAll() {
      clearTimeout(timer);
      timer = undefined;
      const items = [...since.keys()];
      since.clear();
      return items;
    },
  };
}
