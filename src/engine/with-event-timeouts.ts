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
 */
export async function* withEventTimeouts(
  events: AsyncIterable<ChatEvent>,
  options: EventTimeoutsOptions,
): AsyncGenerator<ChatEvent> {
  const { controller, modelId } = options;
  let timedOut: ProviderError | undefined;
  let timer: NodeJS.Timeout | undefined;
  const arm = (ms: number, what: string) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = new ProviderError("timeout", `${modelId} ${what} within ${ms} ms`);
      controller.abort(timedOut);
    }, ms);
  };
  arm(options.firstTokenMs, "sent no first token");
  try {
    for await (const event of events) {
      // Only upstream silence counts: the timer is off while the consumer handles the event.
      clearTimeout(timer);
      yield event;
      arm(options.stallMs, "stalled: no data");
    }
  } catch (error) {
    throw timedOut ?? error;
  } finally {
    clearTimeout(timer);
  }
  if (timedOut) throw timedOut;
}
