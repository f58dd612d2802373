/** What `within` resolves with when time ran out first. */
export const TIMED_OUT = Symbol("timed out");

/**
 * Waits for `promise` at most `ms` milliseconds: resolves with its value, or with `TIMED_OUT`
 * once the time is up. The timer is cleared either way, so nothing is left pending.
 */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(resolve, ms, TIMED_OUT);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
