import { createSseParser, type SseEvent } from "./sse-parser.js";

/**
 * Parses a byte stream (an HTTP response body) into Server-Sent Events, yielding each event
 * as soon as its terminating blank line arrives. See `createSseParser` for the rules.
 * Errors of the byte stream propagate unchanged. Returning early returns the byte stream's
 * iterator, so pass a non-destroying iterator when the body must stay usable.
 */
export async function* parseSse(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<SseEvent> {
  const parser = createSseParser();
  for await (const chunk of chunks) {
    yield* parser.push(chunk);
  }
  yield* parser.end();
}
