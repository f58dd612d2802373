import { createSseParser, type SseEvent } from "./sse-parser.js";

/**
 * Parses a byte stream (an HTTP response body) into Server-Sent Events, yielding the events of
 * each network read together, as soon as the read arrives (reads that complete no event yield
 * nothing). A reader handles what arrived at the same time in one step: an upstream that sends
 * twenty chunks in one write costs one hop through the stream's layers, not twenty. See
 * `createSseParser` for the rules. Errors of the byte stream propagate unchanged. Returning
 * early returns the byte stream's iterator, so pass a non-destroying iterator when the body
 * must stay usable.
 */
export async function* parseSse(
  chunks: AsyncIterable<Uint8Array>,
): AsyncGenerator<readonly SseEvent[]> {
  const parser = createSseParser();
  for await (const chunk of chunks) {
    const events = parser.push(chunk);
    if (events.length > 0) yield events;
  }
  parser.end();
}
