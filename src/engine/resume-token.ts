import { GatewayError } from "../gateway-error.js";

/** A position in a stream: the event with this sequence was processed. */
export interface StreamPosition {
  readonly streamId: string;
  readonly sequence: number;
}

const streamIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Exactly what `encodeResumeToken` writes: "0", or digits without a leading zero. `Number()`
// alone would also take "1e1", "05", " 5", "+5" and "5.0".
const sequencePattern = /^(?:0|[1-9][0-9]{0,15})$/;

/** Whether `id` is a stream id the gateway could have made (a UUID). */
export function isStreamId(id: string): boolean {
  return streamIdPattern.test(id);
}

/**
 * Encodes a position as an opaque token. Clients must not parse it: the format (today
 * base64url of "streamId:sequence") may change.
 */
export function encodeResumeToken(position: StreamPosition): string {
  return Buffer.from(`${position.streamId}:${position.sequence}`).toString("base64url");
}

/**
 * Decodes a token strictly; throws `invalid_argument` when it was not made by
 * `encodeResumeToken`: a stream id that is not a UUID, a sequence that is not a canonical
 * decimal safe integer, or base64url that is not exactly what the encoder writes (padding,
 * stray characters).
 */
export function decodeResumeToken(token: string): StreamPosition {
  const decoded = token.length <= 200 ? Buffer.from(token, "base64url").toString("utf8") : "";
  const colon = decoded.lastIndexOf(":");
  const streamId = decoded.slice(0, colon);
  const digits = decoded.slice(colon + 1);
  const sequence = sequencePattern.test(digits) ? Number(digits) : Number.NaN;
  if (
    colon < 1 ||
    !isStreamId(streamId) ||
    !Number.isSafeInteger(sequence) ||
    encodeResumeToken({ streamId, sequence }) !== token
  ) {
    throw new GatewayError(
      "invalid_argument",
      "resume_token is not valid: pass a resume_token exactly as the gateway sent it",
    );
  }
  return { streamId, sequence };
}
