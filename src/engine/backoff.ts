/**
 * The wait before retry number `retry` (1-based): "full jitter", a random time in
 * [0, min(maxDelayMs, baseDelayMs * 2^(retry - 1))), so that many clients retrying the same
 * failure spread out instead of arriving together.
 */
export function fullJitterDelayMs(
  retry: number,
  baseDelayMs: number,
  maxDelayMs: number,
  random: () => number = Math.random,
): number {
  const ceilingMs = Math.min(maxDelayMs, baseDelayMs * 2 ** (retry - 1));
  return Math.floor(random() * ceilingMs);
}
