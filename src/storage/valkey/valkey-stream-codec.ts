import type { Logger } from "pino";
import { z } from "zod";
import type { AttemptOutcome, GatewayErrorCode } from "../../gateway-error.js";
import { GatewayError } from "../../gateway-error.js";
import type { StreamEnd, StreamEventPayload, StreamEventRecord, StreamState } from "../records.js";

/*
 * Parsing of what the Valkey stream store reads back. Valkey is shared with other processes and
 * versions, so every value is checked: a corrupted one becomes `GatewayError("internal")` (the
 * caller logs it) instead of a crash or a malformed event sent to a client.
 */

const ERROR_CODES = [
  "invalid_argument",
  "not_found",
  "resource_exhausted",
  "unavailable",
  "failed_precondition",
  "deadline_exceeded",
  "canceled",
  "storage_unavailable",
  "internal",
] as const satisfies readonly GatewayErrorCode[];

const OUTCOMES = [
  "succeeded",
  "rate_limited",
  "overloaded",
  "timeout",
  "unreachable",
  "unauthorized",
  "rejected",
  "context_too_long",
  "content_filtered",
  "malformed",
  "interrupted",
  "skipped_cooling_down",
  "skipped_rate_limited",
  "skipped_disabled",
  "skipped_context_too_small",
  "canceled",
] as const satisfies readonly AttemptOutcome[];

const attemptSchema = z.object({
  model: z.string(),
  outcome: z.enum(OUTCOMES),
  durationMs: z.number(),
  reason: z.string(),
});

const usageSchema = z.object({ inputTokens: z.number(), outputTokens: z.number() });

const payloadSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("started"),
    sessionId: z.string(),
    streamId: z.string(),
    model: z.string(),
  }),
  z.object({ type: z.literal("delta"), text: z.string() }),
  z.object({
    type: z.literal("model_switched"),
    fromModel: z.string(),
    toModel: z.string(),
    reason: z.string(),
    discardPreviousText: z.boolean(),
  }),
  z.object({
    type: z.literal("completed"),
    result: z.enum(["complete", "max_tokens", "content_filter", "unknown"]),
    // JSON has no undefined: a missing usage comes back absent.
    usage: usageSchema.optional(),
    model: z.string(),
    attempts: z.array(attemptSchema),
  }),
]);

const endSchema = z.discriminatedUnion("state", [
  z.object({ state: z.literal("completed") }),
  z.object({ state: z.literal("canceled") }),
  z.object({
    state: z.literal("failed"),
    error: z.object({
      code: z.enum(ERROR_CODES),
      message: z.string(),
      attempts: z.array(attemptSchema).optional(),
      retryAfterMs: z.number().optional(),
    }),
  }),
]);

function parseJson<T>(schema: z.ZodType<T>, text: string, what: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw corrupted(what, error);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw corrupted(what, parsed.error);
  return parsed.data;
}

function corrupted(what: string, cause: unknown): GatewayError {
  return new GatewayError("internal", `corrupted ${what} in Valkey`, { cause });
}

/** Parses a stored stream end. */
export function parseStreamEnd(text: string): StreamEnd {
  return parseJson(endSchema, text, "stream end");
}

/** Parses a stored event payload. */
export function parseEventPayload(text: string): StreamEventPayload {
  const payload = parseJson(payloadSchema, text, "stream event");
  if (payload.type !== "completed") return payload;
  // The record type wants the key present even when undefined.
  return { ...payload, usage: payload.usage };
}

/**
 * Parses an XRANGE reply (`[[id, [field, value, …]], …]`) into events; the sequence is the
 * entry id's first part (`<sequence>-0`).
 */
export function parseEventEntries(reply: unknown): StreamEventRecord[] {
  if (!Array.isArray(reply)) throw corrupted("stream events", reply);
  return reply.map((entry: unknown): StreamEventRecord => {
    if (!Array.isArray(entry)) throw corrupted("stream event", entry);
    const [id, fields] = entry as unknown[];
    const sequence = typeof id === "string" ? Number(id.split("-")[0]) : Number.NaN;
    if (!Number.isSafeInteger(sequence) || !Array.isArray(fields) || fields[0] !== "p") {
      throw corrupted("stream event", id);
    }
    const text = fields[1];
    if (typeof text !== "string") throw corrupted("stream event", id);
    return Object.freeze({ sequence, payload: parseEventPayload(text) });
  });
}

/** A stream hash as read with `STREAM_FIELDS`. */
export interface StreamHash {
  readonly streamId: string;
  readonly sessionId: string;
  readonly owner: string;
  /** "deleted" for the tombstone of a stream deleted with its session. */
  readonly state: StreamState | "deleted";
  readonly end: StreamEnd | undefined;
  readonly createTimeMs: number;
  readonly lastSequence: number;
  readonly endTimeMs: number;
}

/** The hash fields `parseStreamHash` expects, in order (for HMGET). */
export const STREAM_FIELDS = [
  "streamId",
  "sessionId",
  "owner",
  "state",
  "end",
  "createTimeMs",
  "lastSequence",
  "endTimeMs",
] as const;

const STATES: readonly string[] = ["running", "completed", "failed", "canceled", "deleted"];

/** Parses an HMGET reply of `STREAM_FIELDS`; undefined when the stream does not exist. */
export function parseStreamHash(reply: unknown): StreamHash | undefined {
  if (!Array.isArray(reply)) throw corrupted("stream record", reply);
  const [streamId, sessionId, owner, state, end, createTimeMs, lastSequence, endTimeMs] = reply as (
    | string
    | null
    | undefined
  )[];
  if (state === null || state === undefined) return undefined;
  if (!STATES.includes(state)) throw corrupted("stream record", state);
  if (state === "deleted") {
    return {
      streamId: streamId ?? "",
      sessionId: sessionId ?? "",
      owner: owner ?? "",
      state,
      end: undefined,
      createTimeMs: 0,
      lastSequence: 0,
      endTimeMs: 0,
    };
  }
  const numbers = [createTimeMs, lastSequence, endTimeMs].map((text) => Number(text ?? ""));
  if (
    streamId == null ||
    sessionId == null ||
    owner == null ||
    numbers.some((value) => !Number.isFinite(value))
  ) {
    throw corrupted("stream record", streamId);
  }
  return {
    streamId,
    sessionId,
    owner,
    state: state as StreamState,
    end: state === "running" ? undefined : parseStreamEnd(end ?? ""),
    createTimeMs: numbers[0] ?? 0,
    lastSequence: numbers[1] ?? 0,
    endTimeMs: numbers[2] ?? 0,
  };
}

/** Runs a parse; a corrupted value is logged here and reaches the caller as `internal`. */
export function logCorruption<T>(log: Logger, streamId: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    log.error({ err: error, streamId }, "corrupted stream data in Valkey");
    throw error;
  }
}
