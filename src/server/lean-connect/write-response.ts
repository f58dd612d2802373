import type { HttpResponse } from "../http-handler.js";

/**
 * Writes a whole response in one go: status, headers (the ones set earlier on `res`, such as
 * the request id, stay) and body, which Node sends in one socket write.
 */
export function writeWholeResponse(
  res: HttpResponse,
  status: number,
  header: Headers,
  body: Uint8Array,
): void {
  if (res.destroyed) return;
  for (const [name, value] of header) res.setHeader(name, value);
  res.setHeader("content-length", body.byteLength);
  res.writeHead(status);
  res.end(body);
}
