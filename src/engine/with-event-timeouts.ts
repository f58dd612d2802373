import type { ChatEvent } from "../providers/chat-provider.js";
import { ProviderError } from "../providers/provider-error.js";

/** Limits on the silences of one upstream stream. */
export interface EventTimeoutsOptions {
  /** From the start of the attempt to its first event. */
  readonly firstTokenMs: number;
  /** Between two events after the first. */
  readonly stallMs: number;
  /** Aborted to stop the upstream request when a limit passes; must feed the provider's signal. */
  readonly controller: AbortController;
  /** Names the model in the error message. */
  readonly modelId: string;
}

/**
 * Passes the provider's events through and enforces the time-to-first-token and stall limits.
 * When a limit passes it aborts the upstream request (so the socket is released) and throws
 * `ProviderError("timeout")`.
 *
 * One timer serves the whole stream: an event only notes the time, and the timer, when it
 * fires, checks how long the upstream has really been silent and sleeps again for the rest (a
 * relayed chunk costs a clock read, not a timer reset).
 */
export async function* withEventTimeouts(
  events: AsyncIterable<ChatEvent>,
  options: EventTimeoutsOptions,
): AsyncGenerator<ChatEvent> {
  const { controller, modelId } = options;
  let timedOut: ProviderError | undefined;
  let limitMs = options.firstTokenMs;
  let what = "sent no first token";
  let silentSinceMs = performance.now();
  // Only upstream silence counts: the clock is off while the consumer handles an event.
  let consuming = false;
  const check = () => {
    const silentMs = consuming ? 0 : performance.now() - silentSinceMs;
    if (silentMs >= limitMs) {
      timedOut = new ProviderError("timeout", `${modelId} ${what} within ${limitMs} ms`);
      controller.abort(timedOut);
      return;
    }
    timer = setTimeout(check, consuming ? limitMs : limitMs - silentMs);
  };
  let timer = setTimeout(check, limitMs);
  try {
    for await (const event of events) {
      consuming = true;
      yield event;
      consuming = false;
      silentSinceMs = performance.now();
      if (limitMs !== options.stallMs) {
        // From the first event on, the stall limit applies: the timer may sleep too long now.
        limitMs = options.stallMs;
        what = "stalled: no data";
        clearTimeout(timer);
        timer = setTimeout(check, limitMs);
      }
    }
  } catch (error) {
    throw timedOut ?? error;
  } finally {
    clearTimeout(timer);
  }
  if (timedOut) throw timedOut;
}
