import type { Dispatcher } from "undici";

/** The body of an undici response. */
export type ResponseBody = Dispatcher.ResponseData["body"];

/** A non-2xx body is read up to this size to find the provider's message, in bytes. */
export const MAX_ERROR_BODY_BYTES = 64 * 1024;

/**
 * After a complete answer the rest of the body (a closing marker, the chunk terminator) is
 * drained so that the keep-alive connection can be reused, for at most this long, in ms.
 */
const DRAIN_TIMEOUT_MS = 500;

/**
 * Destroys a body that will not be read to its end, which closes its connection. undici
 * reports that as an "aborted" error event; nobody listens any more, so it is swallowed.
 */
export function discardBody(body: ResponseBody): void {
  if (body.destroyed) return;
  body.on("error", () => undefined);
  body.destroy();
}

/**
 * Reads what is left of a complete answer's body in the background, so that its connection
 * goes back to the pool; a body that does not end within half a second is cut instead.
 */
export function drainBody(body: ResponseBody): void {
  // A plain timer, cleared when the body ends: `AbortSignal.timeout` would fire (and build a
  // DOMException) for every answer, long after its body ended.
  const timer = setTimeout(() => discardBody(body), DRAIN_TIMEOUT_MS);
  const settle = () => clearTimeout(timer);
  body.dump({ limit: Number.MAX_SAFE_INTEGER }).then(settle, settle);
}

/**
 * The body's chunks, for a reader that may stop early: leaving the loop does not destroy the
 * body, so that a complete answer can still be drained (`drainBody`) or a broken one discarded.
 */
export function bodyChunks(body: ResponseBody): AsyncIterable<Uint8Array> {
  return { [Symbol.asyncIterator]: () => body.iterator({ destroyOnReturn: false }) };
}

/**
 * Reads up to `maxBytes` of a body as UTF-8 (an error response's message); a read error gives
 * what was read so far. The caller's abort is rethrown as its reason.
 */
export async function readBodyText(
  body: ResponseBody,
  signal: AbortSignal,
  maxBytes: number = MAX_ERROR_BODY_BYTES,
): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  // Leaving the loop early destroys the body, which undici reports as an error event.
  body.on("error", () => undefined);
  try {
    for await (const chunk of body) {
      parts.push(Buffer.from(chunk));
      size += chunk.byteLength;
      if (size >= maxBytes) break;
    }
  } catch {
    if (signal.aborted) throw signal.reason;
  } finally {
    discardBody(body);
  }
  return Buffer.concat(parts).subarray(0, maxBytes).toString("utf8");
}
