/** Why a reader's wait ended. */
export type WaitOutcome = "changed" | "timeout" | "aborted" | "closed";

/** One reader's registration for wake-ups of one stream. */
export interface StreamWatch {
  /**
   * Forgets earlier wake-ups. Call it right BEFORE reading the stream: a wake-up that arrives
   * while the read is in flight then makes the next `wait` return at once, so no event is
   * missed between the read and the wait.
   */
  reset(): void;
  /**
   * Resolves at the next wake-up since `reset` ("changed"), after `timeoutMs` ("timeout", to
   * re-check the producer's lease and cover a lost message), when `signal` aborts ("aborted")
   * or when the registry closes ("closed"). Holds its timer and listener only while waiting.
   */
  wait(signal: AbortSignal, timeoutMs: number): Promise<WaitOutcome>;
  /**
   * Whether a wake-up since `reset` came from Valkey (a pub/sub message, a reconnect) rather
   * than from this instance's own commits: only a read of Valkey tells what changed.
   */
  wokenByValkey(): boolean;
  /** Unregisters; call when the reader stops. */
  dispose(): void;
}

/** The readers of this instance, by stream id, woken by the pub/sub subscriber. */
export interface StreamWaiters {
  watch(streamId: string): StreamWatch;
  /** Wakes every reader of the stream: Valkey says it changed (a pub/sub message). */
  wake(streamId: string): void;
  /** Wakes every reader of the stream: this instance changed its tail (commit, end, failure). */
  wakeLocal(streamId: string): void;
  /** Wakes every reader (after a reconnect, when messages may have been lost). */
  wakeAll(): void;
  /** Readers currently inside `wait`. */
  waiting(): number;
  /** Ends every current and future wait with "closed". */
  close(): void;
}

interface Watcher {
  changed: boolean;
  changedInValkey: boolean;
  settle: ((outcome: WaitOutcome) => void) | undefined;
}

/**
 * Creates the registry of waiting readers: a Map of sets, so that one pub/sub message costs a
 * lookup and one wake-up per local reader of that stream, whatever the number of streams.
 */
export function createStreamWaiters(): StreamWaiters {
  const byStream = new Map<string, Set<Watcher>>();
  let waitingCount = 0;
  let closed = false;

  function notify(watcher: Watcher, outcome: WaitOutcome, inValkey: boolean): void {
    watcher.changed = true;
    if (inValkey) watcher.changedInValkey = true;
    watcher.settle?.(outcome);
  }

  function wakeStream(streamId: string, inValkey: boolean): void {
    const watchers = byStream.get(streamId);
    if (watchers === undefined) return;
    for (const watcher of watchers) notify(watcher, "changed", inValkey);
  }

  return {
    watch(streamId) {
      const watcher: Watcher = { changed: false, changedInValkey: false, settle: undefined };
      let watchers = byStream.get(streamId);
      if (watchers === undefined) {
        watchers = new Set();
        byStream.set(streamId, watchers);
      }
      watchers.add(watcher);
      return {
        reset() {
          watcher.changed = false;
          watcher.changedInValkey = false;
        },
        wokenByValkey: () => watcher.changedInValkey,
        wait(signal, timeoutMs) {
          if (closed) return Promise.resolve("closed");
          if (signal.aborted) return Promise.resolve("aborted");
          if (watcher.changed) return Promise.resolve("changed");
          waitingCount += 1;
          return new Promise<WaitOutcome>((resolve) => {
            const settle = (outcome: WaitOutcome): void => {
              watcher.settle = undefined;
              waitingCount -= 1;
              clearTimeout(timer);
              signal.removeEventListener("abort", onAbort);
              resolve(outcome);
            };
            const onAbort = (): void => settle("aborted");
            const timer = setTimeout(() => settle("timeout"), timeoutMs);
            // A waiting reader must not keep a process alive that is otherwise done.
            timer.unref();
            signal.addEventListener("abort", onAbort, { once: true });
            watcher.settle = settle;
          });
        },
        dispose() {
          watcher.settle?.("aborted");
          const current = byStream.get(streamId);
          current?.delete(watcher);
          if (current?.size === 0) byStream.delete(streamId);
        },
      };
    },
    wake: (streamId) => wakeStream(streamId, true),
    wakeLocal: (streamId) => wakeStream(streamId, false),
    wakeAll() {
      for (const watchers of byStream.values()) {
        for (const watcher of watchers) notify(watcher, "changed", true);
      }
    },
    waiting: () => waitingCount,
    close() {
      closed = true;
      for (const watchers of byStream.values()) {
        for (const watcher of watchers) notify(watcher, "closed", true);
      }
    },
  };
}
