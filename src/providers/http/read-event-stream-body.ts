import type { ChatCallOptions, ChatEvent } from "../chat-provider.js";
import { ProviderError } from "../provider-error.js";
import { parseSse } from "../sse/parse-sse.js";
import type { SseEvent } from "../sse/sse-parser.js";
import { bodyChunks, discardBody, drainBody, type ResponseBody } from "./response-body.js";

/**
 * What becomes of the body once an answer is complete: "drain" reads the little that is left
 * in the background so that the connection is reused; "discard" cuts a body still open (its
 * closing marker did not come in time); "ended" leaves a body that already ended.
 */
export type BodyRelease = "drain" | "discard" | "ended";

/** Options of `readEventStreamBody`. */
export interface ReadEventStreamBodyOptions<End extends string> {
  /** The configured provider name, for error messages. */
  readonly providerName: string;
  readonly call: ChatCallOptions;
  /** What a complete answer carries ("finish reason", "stop reason"), named when it broke. */
  readonly awaited: string;
  /** The body's release for each way the provider's reader reports completing the answer. */
  readonly releaseOnEnd: Readonly<Record<End, BodyRelease>>;
  /**
   * The provider's stream reader over the body's events; it calls `onComplete` once the
   * answer is complete, before it yields `finish`.
   */
  readonly read: (
    events: AsyncIterable<readonly SseEvent[]>,
    onComplete: (end: End) => void,
  ) => AsyncIterable<ChatEvent>;
}

/**
 * Reads the event stream of a 2xx response body with the provider's reader and settles the
 * connection: a complete answer releases the body as `releaseOnEnd` says; an answer that
 * failed or was abandoned mid-way discards it (the connection cannot be reused).
 *
 * The caller's abort is rethrown as the signal's reason, never classified; a `ProviderError`
 * of the reader propagates; any other error (the socket broke) becomes
 * `ProviderError("interrupted")` with the error as cause.
 */
export async function* readEventStreamBody<End extends string>(
  body: ResponseBody,
  options: ReadEventStreamBodyOptions<End>,
): AsyncGenerator<ChatEvent, void, undefined> {
  const { call } = options;
  let completion: End | undefined;
  const onComplete = (end: End): void => {
    completion = end;
    const release = options.releaseOnEnd[end];
    if (release === "drain") drainBody(body);
    else if (release === "discard") discardBody(body);
  };
  try {
    yield* options.read(parseSse(bodyChunks(body)), onComplete);
  } catch (error) {
    if (call.signal.aborted) throw call.signal.reason;
    if (error instanceof ProviderError) throw error;
    throw new ProviderError(
      "interrupted",
      `${options.providerName}: the answer stream broke before its ${options.awaited}`,
      { cause: error },
    );
  } finally {
    // Failed or abandoned mid-answer: the connection cannot be reused.
    if (completion === undefined) discardBody(body);
  }
}
