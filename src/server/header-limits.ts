import type { HttpRequest } from "./http-handler.js";

/**
 * Largest request header list, in bytes of names and values: Node's HTTP/1.1 limit
 * (`--max-http-header-size`, 16 KiB), which it applies only loosely (a request of 1,000 short
 * headers, 18.8 KB, passes), and which HTTP/2 does not apply at all (nghttp2 takes 64 KiB).
 */
export const maxHeaderBytes = 16 * 1024;

/** Most header fields in one request: HTTP/2's limit in Node (`maxHeaderListPairs`), for HTTP/1.1 too. */
export const maxHeaderFields = 128;

/**
 * Whether the request's headers exceed `maxHeaderBytes` or `maxHeaderFields`, on any protocol;
 * such a request is answered 431. Counts what Node has already parsed: a few additions per request.
 */
export function headersTooLarge(req: HttpRequest): boolean {
  const raw = req.rawHeaders;
  if (raw.length > maxHeaderFields * 2) return true;
  let bytes = 0;
  for (const part of raw) bytes += part.length;
  return bytes > maxHeaderBytes;
}
