import type { Logger } from "pino";
import { z } from "zod";
import type { MessageRecord, SessionRecord } from "../records.js";

/**
 * The fields of a session hash, in the order every HMGET of this store asks for them. `id` is
 * not stored: it is in the key.
 */
export const SESSION_FIELDS = [
  "owner",
  "system",
  "title",
  "metadata",
  "messageCount",
  "createTimeMs",
  "updateTimeMs",
  "expireTimeMs",
] as const;

const metadataSchema = z.record(z.string(), z.string());
// Hash fields are strings; a missing one (null) must fail, which `z.coerce` would turn into 0.
const integerFieldSchema = z.string().regex(/^\d+$/).transform(Number);

const sessionFieldsSchema = z.object({
  owner: z.string(),
  system: z.string(),
  title: z.string(),
  metadata: z.string(),
  messageCount: integerFieldSchema,
  createTimeMs: integerFieldSchema,
  updateTimeMs: integerFieldSchema,
  expireTimeMs: integerFieldSchema,
});

const messageSchema = z.object({
  role: z.enum(["user", "assistant"]),
  text: z.string(),
  model: z.string().optional(),
  usage: z.object({ inputTokens: z.number().int(), outputTokens: z.number().int() }).optional(),
  result: z.enum(["complete", "max_tokens", "content_filter", "unknown"]).optional(),
  metadata: metadataSchema.optional(),
  createTimeMs: z.number().int(),
});

/** The HSET arguments (field, value, …) of a session record. */
export function encodeSession(record: SessionRecord): string[] {
  return [
    ...["owner", record.owner, "system", record.system, "title", record.title],
    ...["metadata", JSON.stringify(record.metadata)],
    ...["messageCount", String(record.messageCount)],
    ...["createTimeMs", String(record.createTimeMs), "updateTimeMs", String(record.updateTimeMs)],
    ...["expireTimeMs", String(record.expireTimeMs)],
  ];
}

/**
 * The session from the values of an HMGET of `SESSION_FIELDS`; undefined when the hash does
 * not exist, and also (logged) when it is corrupted, so that one bad value cannot crash a
 * request loop: a corrupted session is reported as unknown.
 */
export function decodeSession(
  sessionId: string,
  values: readonly (string | null)[],
  log: Logger,
): SessionRecord | undefined {
  if (values.every((value) => value === null)) return undefined;
  const fields = Object.fromEntries(SESSION_FIELDS.map((field, i) => [field, values[i]]));
  const parsed = sessionFieldsSchema.safeParse(fields);
  const metadata = parsed.success
    ? metadataSchema.safeParse(parseJson(parsed.data.metadata))
    : undefined;
  if (!parsed.success || metadata === undefined || !metadata.success) {
    log.error({ sessionId }, "ignoring a corrupted session record in Valkey");
    return undefined;
  }
  return { id: sessionId, ...parsed.data, metadata: metadata.data };
}

/** The JSON of a stored message. */
export function encodeMessage(message: MessageRecord): string {
  return JSON.stringify(message);
}

/**
 * The messages stored as `encoded`, oldest first. A corrupted entry is logged and left out
 * rather than failing the whole history.
 */
export function decodeMessages(
  sessionId: string,
  encoded: readonly string[],
  log: Logger,
): MessageRecord[] {
  const messages: MessageRecord[] = [];
  for (const json of encoded) {
    const parsed = messageSchema.safeParse(parseJson(json));
    if (parsed.success) messages.push(parsed.data);
    else log.error({ sessionId }, "ignoring a corrupted message in Valkey");
  }
  return messages;
}

function parseJson(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    return undefined;
  }
}
