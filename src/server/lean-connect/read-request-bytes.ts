import { Code, ConnectError } from "@connectrpc/connect";
import type { HttpRequest } from "../http-handler.js";

/**
 * Reads a whole request body, refusing more than `readMaxBytes` as connect-es does (same codes
 * and messages): a declared `content-length` above the limit is refused before a byte is read,
 * a body that does not match its declared length is INVALID_ARGUMENT. Errors of the request
 * (the client went away) reject with the error.
 */
export function readRequestBytes(req: HttpRequest, readMaxBytes: number): Promise<Uint8Array> {
  const declared = req.headers["content-length"];
  const hint = declared === undefined ? Number.NaN : Number(declared);
  if (hint > readMaxBytes) {
    return Promise.reject(
      new ConnectError(
        `message size ${hint} is larger than configured readMaxBytes ${readMaxBytes}`,
        Code.ResourceExhausted,
      ),
    );
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const fail = (error: unknown) => {
      cleanup();
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > readMaxBytes) {
        fail(
          new ConnectError(
            `message size is larger than configured readMaxBytes ${readMaxBytes}`,
            Code.ResourceExhausted,
          ),
        );
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      if (!Number.isNaN(hint) && size !== hint) {
        reject(
          new ConnectError(
            `protocol error: promised ${hint} bytes, received ${size}`,
            Code.InvalidArgument,
          ),
        );
        return;
      }
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onClose = () => {
      if (!req.readableEnded)
        fail(new ConnectError("the client closed the request", Code.Canceled));
    };
    const cleanup = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", fail);
      req.off("close", onClose);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", fail);
    req.on("close", onClose);
  });
}
