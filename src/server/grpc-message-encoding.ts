import type { HttpRequest, HttpResponse } from "./http-handler.js";

/**
 * The gRPC spec percent-encodes only what cannot travel as is in `grpc-message`: bytes outside
 * printable ASCII, and `%` itself. connect-node encodes with `encodeURIComponent`, which is
 * legal but also encodes `:`, `;`, `,`, `/` …, and @grpc/grpc-js decodes with `decodeURI`,
 * which leaves those encoded: grpc-js users would read "demo%3Aecho" in every error message.
 * Re-encoding to the spec's minimal form reads right in every client.
 */
export function toMinimalGrpcMessage(encoded: string): string {
  let text: string;
  try {
    text = decodeURIComponent(encoded);
  } catch {
    return encoded; // not ours to repair: pass it through as connect-node wrote it
  }
  let minimal = "";
  for (const byte of Buffer.from(text, "utf8")) {
    minimal +=
      byte >= 0x20 && byte <= 0x7e && byte !== 0x25
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return minimal;
}

/**
 * Makes a gRPC response's `grpc-message` trailer use the minimal encoding of the gRPC spec (see
 * `toMinimalGrpcMessage`). Only gRPC (not gRPC-Web, whose trailers travel in the body, nor
 * Connect) sends HTTP trailers, so other requests are left alone at no cost.
 */
export function useMinimalGrpcMessageEncoding(req: HttpRequest, res: HttpResponse): void {
  const contentType = req.headers["content-type"];
  if (contentType === undefined || !/^application\/grpc(\+|;|$)/.test(contentType)) return;
  // node:http and node:http2 responses both take a header object here (connect-node's form).
  const response = res as { addTrailers(trailers: Record<string, unknown>): void };
  const addTrailers = response.addTrailers.bind(response);
  response.addTrailers = (trailers) => {
    const message = trailers["grpc-message"];
    if (typeof message === "string") {
      addTrailers({ ...trailers, "grpc-message": toMinimalGrpcMessage(message) });
    } else {
      addTrailers(trailers);
    }
  };
}
