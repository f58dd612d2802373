/** A clock that moves only when the test says so, for cooldown and expiry maths. */
export interface ManualClock {
  readonly now: () => number;
  advance(ms: number): void;
}

/** Starts at the real current time so that timestamps look real. */
export function createManualClock(startMs = Date.now()): ManualClock {
  let current = startMs;
  return {
    now: () => current,
    advance(ms) {
      current += ms;
    },
  };
}
