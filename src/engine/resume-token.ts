import { GatewayError } from "../gateway-error.js";

/** A position in a stream: the event with this sequence was processed. */
export interface StreamPosition {
  readonly streamId: string;
  readonly sequence: number;
}

/**
 * Encodes a position as an opaque token. Clients must not parse it: the format (today
 * base64url of "streamId:sequence") may change.
 */
export function encodeResumeToken(position: StreamPosition): string {
  return Buffer.from(`${position.streamId}:${position.sequence}`).toString("base64url");
}

/** Decodes a token; throws `invalid_argument` when it was not made by `encodeResumeToken`. */
export function decodeResumeToken(token: string): StreamPosition {
  const decoded = token.length <= 200 ? Buffer.from(token, "base64url").toString("utf8") : "";
  const colon = decoded.lastIndexOf(":");
  const streamId = decoded.slice(0, colon);
  const sequence = Number(decoded.slice(colon + 1));
  if (
    colon < 1 ||
    !/^[0-9a-f-]{36}$/i.test(streamId) ||
    !Number.isSafeInteger(sequence) ||
    sequence < 0
  ) {
    throw new GatewayError(
      "invalid_argument",
      "resume_token is not valid: pass a resume_token exactly as the gateway sent it",
    );
  }
  return { streamId, sequence };
}
