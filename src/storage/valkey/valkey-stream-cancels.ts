/** The cancel callbacks registered on this instance, by stream id. */
export interface StreamCancels {
  /** Registers `onCancel`; returns the unsubscribe function. */
  add(streamId: string, onCancel: () => void): () => void;
  /**
   * Calls (each in its own microtask, so a throwing one cannot break the others) and forgets
   * every callback of the stream: each is called at most once however many messages arrive.
   */
  notify(streamId: string): void;
  /** Forgets the stream's callbacks without calling them (the stream ended). */
  forget(streamId: string): void;
  /** Forgets every callback. */
  clear(): void;
}

/** Creates an empty registry of cancel callbacks. */
export function createStreamCancels(): StreamCancels {
  const byStream = new Map<string, Set<() => void>>();
  return {
    add(streamId, onCancel) {
      // A wrapper per subscription, so that the same function subscribed twice is called twice.
      const callback = (): void => onCancel();
      let callbacks = byStream.get(streamId);
      if (callbacks === undefined) {
        callbacks = new Set();
        byStream.set(streamId, callbacks);
      }
      callbacks.add(callback);
      return () => {
        const current = byStream.get(streamId);
        current?.delete(callback);
        if (current?.size === 0) byStream.delete(streamId);
      };
    },
    notify(streamId) {
      const callbacks = byStream.get(streamId);
      if (callbacks === undefined) return;
      byStream.delete(streamId);
      for (const callback of callbacks) queueMicrotask(callback);
    },
    forget(streamId) {
      byStream.delete(streamId);
    },
    clear() {
      byStream.clear();
    },
  };
}
