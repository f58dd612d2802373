/** What `GraceIterator.next` gives when the grace time ran out before the next item arrived. */
export const GRACE_PASSED = Symbol("grace passed");

/** The grace time used when none is given, in milliseconds. */
const DEFAULT_GRACE_MS = 1000;

/**
 * Reads an answer's event stream one item at a time, and once the answer is known to be
 * complete (`startGrace`), waits for what still follows (usage, `[DONE]`, `message_stop`) only
 * for a grace time: a server that never sends its closing marker still finishes promptly.
 */
export interface GraceIterator<T> {
  /**
   * The next item; after `startGrace`, `GRACE_PASSED` when it is not there within the grace
   * time counted from that call. The read that lost the race stays pending: it settles when
   * the source is released, and `close` then does not wait for it. Errors of the source
   * propagate.
   */
  next(): Promise<IteratorResult<T> | typeof GRACE_PASSED>;
  /** Starts the grace time, now; later calls keep the first start. */
  startGrace(): void;
  /**
   * Returns the source's iterator. After a lost race it is asked to return without waiting
   * (it cannot finish before the pending read settles), and the errors of both are swallowed.
   */
  close(): Promise<void>;
}

/** Creates a `GraceIterator` over `source`, with a grace time of `graceMs` (default 1000). */
export function createGraceIterator<T>(
  source: AsyncIterable<T>,
  graceMs: number = DEFAULT_GRACE_MS,
): GraceIterator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let graceStartedAtMs: number | undefined;
  let abandoned: Promise<IteratorResult<T>> | undefined;
  return {
    async next() {
      if (graceStartedAtMs === undefined) return iterator.next();
      const next = iterator.next();
      const raced = await withTimeout(next, graceStartedAtMs + graceMs - Date.now());
      if (raced === GRACE_PASSED) abandoned = next;
      return raced;
    },
    startGrace() {
      graceStartedAtMs ??= Date.now();
    },
    async close() {
      if (abandoned === undefined) {
        await iterator.return?.();
        return;
      }
      // The read still pending settles when the body is released; nobody awaits it.
      abandoned.catch(() => undefined);
      iterator.return?.()?.catch(() => undefined);
    },
  };
}

async function withTimeout<T>(
  promise: Promise<T>,
  timeoutMs: number,
): Promise<T | typeof GRACE_PASSED> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof GRACE_PASSED>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, timeoutMs), GRACE_PASSED);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
