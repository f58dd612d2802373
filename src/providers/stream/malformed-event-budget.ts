import type { Logger } from "pino";
import { ProviderError } from "../provider-error.js";

/** What one item of the stream is called in logs and errors: OpenAI streams chunks. */
export type StreamItemNoun = "chunk" | "event";

/** Options of `createMalformedEventBudget`. */
export interface MalformedEventBudgetOptions {
  /** The configured provider name, for the error message. */
  readonly providerName: string;
  /** Logs each skipped item at warn with the running count. */
  readonly log: Logger;
  /** Skipped items tolerated; one more fails the stream. Default 3. */
  readonly maxMalformed?: number | undefined;
  /** "chunk": logs `malformedChunks` and says "chunk(s)"; "event": `malformedEvents`, "event(s)". */
  readonly noun: StreamItemNoun;
}

const DEFAULT_MAX_MALFORMED = 3;

/** One item skipped: its raw data, or the kind of event it was when it has no raw text. */
export interface SkippedItem {
  /** The raw data; logged at debug only, cut to 500 characters + "…" (it may hold answer text). */
  readonly data?: string | undefined;
  /** A name for what was skipped, logged at warn as `event`. */
  readonly event?: string | undefined;
}

/** Counts the unusable items of one answer stream. */
export interface MalformedEventBudget {
  /**
   * Counts one skipped item: logs "skipped a malformed upstream stream <noun>" at warn with the
   * running count (and `event` when given), then its `data` at debug. Throws
   * `ProviderError("malformed")` once more than `maxMalformed` items were skipped.
   */
  skip(item: SkippedItem): void;
}

/**
 * Creates the budget of malformed items of one answer stream: a few broken items are skipped
 * (a proxy may mangle one), a stream of them fails as `malformed` rather than hang on garbage.
 */
export function createMalformedEventBudget(
  options: MalformedEventBudgetOptions,
): MalformedEventBudget {
  const { providerName, log, noun } = options;
  const maxMalformed = options.maxMalformed ?? DEFAULT_MAX_MALFORMED;
  const countField = noun === "chunk" ? "malformedChunks" : "malformedEvents";
  let count = 0;
  return {
    skip(item) {
      count++;
      const fields = item.event === undefined ? {} : { event: item.event };
      log.warn({ [countField]: count, ...fields }, `skipped a malformed upstream stream ${noun}`);
      if (item.data !== undefined) {
        // Marked "…" when cut: the logger's secret redaction then also hides a cut-off secret.
        const data = item.data.length > 500 ? `${item.data.slice(0, 500)}…` : item.data;
        log.debug({ data }, `malformed ${noun} data`);
      }
      if (count > maxMalformed) {
        throw new ProviderError(
          "malformed",
          `${providerName}: more than ${maxMalformed} malformed stream ${noun}s`,
        );
      }
    },
  };
}
