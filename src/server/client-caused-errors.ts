import { Code, ConnectError } from "@connectrpc/connect";

/**
 * Messages of errors that connect-es raises with INTERNAL although the request caused them: a
 * message that is not valid protobuf ("parse binary: premature EOF", "illegal tag" …). The
 * caller sent bad input, not the server: DESIGN maps bad input to INVALID_ARGUMENT (as
 * connect-es already does for malformed JSON) and keeps INTERNAL for bugs.
 *
 * An envelope flagged as compressed in a call that named no compression ("received compressed
 * envelope, but do not know how to decompress") stays INTERNAL: the gRPC spec says it MUST
 * (doc/compression.md, "ill-constructed message"), and the Connect conformance suite expects it
 * over Connect, gRPC and gRPC-Web alike (`unexpected-compressed-message`).
 */
const clientCausedPrefixes = ["parse binary:"];

/** Whether an error with this code and (unencoded) message was caused by the request. */
export function isClientCausedInternal(code: Code, message: string): boolean {
  return code === Code.Internal && clientCausedPrefixes.some((p) => message.startsWith(p));
}

/** `error` as INVALID_ARGUMENT when the request caused it (see above), else `error` itself. */
export function reclassifyClientCaused(error: ConnectError): ConnectError {
  if (!isClientCausedInternal(error.code, error.rawMessage)) return error;
  return new ConnectError(error.rawMessage, Code.InvalidArgument, error.metadata, undefined, error);
}
