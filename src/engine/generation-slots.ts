import { GatewayError } from "../gateway-error.js";

/**
 * How long a caller refused for want of a slot is told to wait, in milliseconds (sent as
 * `google.rpc.RetryInfo`). A second: generations take seconds, so a slot is likely free by then,
 * and a client that honours the delay does not hammer a saturated gateway.
 */
export const GENERATION_RETRY_AFTER_MS = 1_000;

/** The process-wide count of answers being generated, with its cap. */
export interface GenerationSlots {
  /**
   * Takes a slot for one generation and returns the function that frees it. Calling that
   * function more than once frees the slot once. Throws `resource_exhausted` (with a retry
   * delay of `GENERATION_RETRY_AFTER_MS`) when every slot is taken.
   */
  acquire(): () => void;
  /** Slots taken now. */
  readonly inUse: number;
}

/**
 * Creates the slots of `server.limits.maxConcurrentGenerations`: one per `Prompt` answer and
 * one per detached `StreamPrompt` generation, from before the turn is prepared until the
 * generation has ended in any way. A refusal costs a comparison: nothing is stored and no
 * provider is called.
 */
export function createGenerationSlots(max: number): GenerationSlots {
  let inUse = 0;
  return {
    get inUse() {
      return inUse;
    },
    acquire() {
      if (inUse >= max) {
        throw new GatewayError(
          "resource_exhausted",
          `the gateway is at its limit of ${max} concurrent generations; retry in a second`,
          { retryAfterMs: GENERATION_RETRY_AFTER_MS },
        );
      }
      inUse++;
      let held = true;
      return () => {
        if (!held) return;
        held = false;
        inUse--;
      };
    },
  };
}
