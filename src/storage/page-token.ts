import { z } from "zod";
import { GatewayError } from "../gateway-error.js";

/** Where a listing of sessions (most recently updated first) resumes: after this session. */
export interface SessionsCursor {
  readonly updateTimeMs: number;
  readonly id: string;
}

// Short keys keep tokens short; `k` tells the two listings' tokens apart, so that a token of
// one listing passed to the other is rejected instead of silently misread.
const sessionsTokenSchema = z.object({ k: z.literal("s"), u: z.number().int(), i: z.string() });
const messagesTokenSchema = z.object({ k: z.literal("m"), o: z.number().int().nonnegative() });

const base64url = /^[A-Za-z0-9_-]+$/;

/** The opaque page token of a sessions listing: base64url of a small JSON cursor. */
export function encodeSessionsPageToken(cursor: SessionsCursor): string {
  return encode({ k: "s", u: cursor.updateTimeMs, i: cursor.id });
}

/** Reads a token made by `encodeSessionsPageToken`; throws `invalid_argument` for any other. */
export function decodeSessionsPageToken(token: string): SessionsCursor {
  const parsed = sessionsTokenSchema.safeParse(decode(token));
  if (!parsed.success) throw invalidToken();
  return { updateTimeMs: parsed.data.u, id: parsed.data.i };
}

/** The opaque page token of a messages listing: the offset of the next message. */
export function encodeMessagesPageToken(offset: number): string {
  return encode({ k: "m", o: offset });
}

/** Reads a token made by `encodeMessagesPageToken`; throws `invalid_argument` for any other. */
export function decodeMessagesPageToken(token: string): number {
  const parsed = messagesTokenSchema.safeParse(decode(token));
  if (!parsed.success) throw invalidToken();
  return parsed.data.o;
}

/**
 * The number of items to return: `defaultSize` for 0, at most `maxSize`. Throws
 * `invalid_argument` for a negative or fractional size.
 */
export function resolvePageSize(pageSize: number, defaultSize: number, maxSize: number): number {
  if (!Number.isInteger(pageSize) || pageSize < 0) {
    throw new GatewayError(
      "invalid_argument",
      `page_size must be a non-negative integer (0 for the default of ${defaultSize}), got ${pageSize}`,
    );
  }
  if (pageSize === 0) return defaultSize;
  return Math.min(pageSize, maxSize);
}

/** The `invalid_argument` error of a token this store did not issue. */
export function invalidToken(): GatewayError {
  return new GatewayError(
    "invalid_argument",
    "page_token is not valid: pass the next_page_token of the previous page unchanged, or an empty token for the first page",
  );
}

function encode(cursor: unknown): string {
  return Buffer.from(JSON.stringify(cursor), "utf8").toString("base64url");
}

function decode(token: string): unknown {
  // Buffer.from(…, "base64url") skips characters it does not know; check them first so that a
  // mangled token is rejected rather than decoded into something else.
  if (!base64url.test(token)) return undefined;
  try {
    return JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
}
