import type { ChatCallOptions, ChatEvent } from "../chat-provider.js";
import { type OpenEventStreamOptions, openEventStream } from "./open-event-stream.js";
import { type ReadEventStreamBodyOptions, readEventStreamBody } from "./read-event-stream-body.js";
import type { UpstreamPool, UpstreamRequest } from "./upstream-pool.js";

/** Options of `streamUpstreamAnswer`. */
export interface StreamUpstreamAnswerOptions<End extends string>
  extends OpenEventStreamOptions,
    Omit<ReadEventStreamBodyOptions<End>, "providerName" | "call"> {}

/**
 * One streamed answer of an SSE provider: posts the request and checks the response
 * (`openEventStream`), then reads its event stream with the provider's reader and settles the
 * connection (`readEventStreamBody`). Throws as those two do.
 */
export async function* streamUpstreamAnswer<End extends string>(
  pool: UpstreamPool,
  request: UpstreamRequest,
  call: ChatCallOptions,
  options: StreamUpstreamAnswerOptions<End>,
): AsyncGenerator<ChatEvent, void, undefined> {
  const body = await openEventStream(pool, request, call, options);
  yield* readEventStreamBody(body, { ...options, call });
}
