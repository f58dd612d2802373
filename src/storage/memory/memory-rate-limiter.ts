import type { RateLimiter } from "../model-state-store.js";
import type { RateLimitDecision } from "../records.js";

/** A `RateLimiter` held in this process, with the hook its owner needs. */
export interface MemoryRateLimiter extends RateLimiter {
  /** Forgets the counters of windows that have ended by `nowMs`. */
  sweep(nowMs: number): void;
}

interface WindowCounter {
  /** `floor(nowMs / windowMs)` of the counted window. */
  index: number;
  endMs: number;
  taken: number;
}

/**
 * Creates fixed-window counters: the window of `nowMs` is `floor(nowMs / windowMs)`, so every
 * key's windows are aligned to the epoch and a new window starts from zero. A key is expected
 * to keep the same `windowMs`; a key seen with another one starts counting afresh.
 */
export function createMemoryRateLimiter(): MemoryRateLimiter {
  const counters = new Map<string, WindowCounter>();

  function current(key: string, windowMs: number, nowMs: number): WindowCounter | undefined {
    const counter = counters.get(key);
    const index = Math.floor(nowMs / windowMs);
    return counter?.index === index && counter.endMs === (index + 1) * windowMs
      ? counter
      : undefined;
  }

  return {
    async take(key, max, windowMs, nowMs): Promise<RateLimitDecision> {
      let counter = current(key, windowMs, nowMs);
      if (counter === undefined) {
        const index = Math.floor(nowMs / windowMs);
        counter = { index, endMs: (index + 1) * windowMs, taken: 0 };
        counters.set(key, counter);
      }
      if (counter.taken >= max) return { allowed: false, retryAfterMs: counter.endMs - nowMs };
      counter.taken += 1;
      return { allowed: true, retryAfterMs: 0 };
    },

    async remaining(key, max, windowMs, nowMs) {
      return Math.max(0, max - (current(key, windowMs, nowMs)?.taken ?? 0));
    },

    sweep(nowMs) {
      for (const [key, counter] of counters) {
        if (nowMs >= counter.endMs) counters.delete(key);
      }
    },
  };
}
