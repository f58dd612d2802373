/**
 * How often this process ran degraded because its storage was unavailable (with
 * `storage.whenUnavailable: "stateless"`). Counted in process, reported in the log lines of each
 * occurrence; a metrics endpoint could read them with `degradedCounters()`.
 */
export interface DegradedCounters {
  /** Rate-limit checks that let a request through because the shared counter was unreachable. */
  readonly rateLimitFailOpenTotal: number;
  /** `Prompt`s answered without storing a session because the storage was unreachable. */
  readonly statelessPromptsTotal: number;
}

const counts = { rateLimitFailOpenTotal: 0, statelessPromptsTotal: 0 };

/** The counts so far (a copy). */
export function degradedCounters(): DegradedCounters {
  return { ...counts };
}

/** Counts one rate-limit check that failed open; returns the new counts for the log line. */
export function countRateLimitFailOpen(): DegradedCounters {
  counts.rateLimitFailOpenTotal++;
  return degradedCounters();
}

/** Counts one prompt answered without a stored session; returns the new counts for the log line. */
export function countStatelessPrompt(): DegradedCounters {
  counts.statelessPromptsTotal++;
  return degradedCounters();
}
