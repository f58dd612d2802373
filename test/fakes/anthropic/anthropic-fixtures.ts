import { readFileSync } from "node:fs";

/**
 * Builders of Anthropic Messages API bodies from the fixtures in test/fixtures/anthropic/: every
 * field comes from a documented example; only ids, model, texts, reasons and counts are set here.
 */

/** The `usage` object of `message_start` or of a message. */
export interface UsageJson {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
  [field: string]: unknown;
}

type Json = Record<string, unknown>;

/** Identity shared by the events of one answer. */
export interface AnswerIdentity {
  readonly id: string;
  readonly model: string;
}

/** The text of a fixture file. */
export function readAnthropicFixture(name: string): string {
  return readFileSync(new URL(`../../fixtures/anthropic/${name}`, import.meta.url), "utf8");
}

function template<T>(name: string): () => T {
  const text = readAnthropicFixture(name);
  // Our own fixture files, shaped like the documented bodies; parsed afresh for every use.
  return () => JSON.parse(text) as T;
}

const messageTemplate = template<
  Json & { id: string; model: string; content: Json[]; stop_reason: string; usage: UsageJson }
>("message.json");
const messageStartTemplate = template<{
  type: string;
  message: Json & { id: string; model: string; usage: UsageJson };
}>("stream-message-start.json");
const blockStartTemplate = template<Json>("stream-content-block-start.json");
const pingTemplate = template<Json>("stream-ping.json");
const textDeltaTemplate = template<Json & { delta: Json }>("stream-content-block-delta.json");
const blockStopTemplate = template<Json>("stream-content-block-stop.json");
const messageDeltaTemplate = template<Json & { delta: Json; usage: Json }>(
  "stream-message-delta.json",
);
const messageStopTemplate = template<Json>("stream-message-stop.json");

/** The named error body fixtures. */
export type ErrorFixture =
  | "invalid-request"
  | "trailing-whitespace"
  | "missing-version"
  | "prompt-too-long"
  | "authentication"
  | "missing-api-key"
  | "permission"
  | "not-found"
  | "request-too-large"
  | "rate-limit"
  | "api-error"
  | "overloaded";

/** An error body, as the JSON text the API sends, with this request id. */
export function errorBody(name: ErrorFixture, requestId: string): string {
  const body = JSON.parse(readAnthropicFixture(`error-${name}.json`)) as Json;
  body.request_id = requestId;
  return JSON.stringify(body);
}

/** Token counts; cache counts only when given. */
export function usageOf(
  inputTokens: number,
  outputTokens: number,
  cache?: { creation: number; read: number },
): UsageJson {
  const usage: UsageJson = { input_tokens: inputTokens, output_tokens: outputTokens };
  if (cache !== undefined) {
    usage.cache_creation_input_tokens = cache.creation;
    usage.cache_read_input_tokens = cache.read;
  }
  return usage;
}

/** `message_start`: the message with empty content and the input usage. */
export function messageStart(identity: AnswerIdentity, usage: UsageJson): Json {
  const event = messageStartTemplate();
  event.message.id = identity.id;
  event.message.model = identity.model;
  event.message.usage = usage;
  return event;
}

/** `content_block_start` of an empty text block. */
export function contentBlockStart(index: number): Json {
  return { ...blockStartTemplate(), index };
}

/** `ping`. */
export function ping(): Json {
  return pingTemplate();
}

/** A `text_delta` carrying `text`. */
export function textDelta(index: number, text: string): Json {
  const event = textDeltaTemplate();
  event.index = index;
  event.delta.text = text;
  return event;
}

/** The events of an extended-thinking block at `index` (not answer text). */
export function thinkingBlock(index: number): Json[] {
  return [
    "stream-thinking-block-start.json",
    "stream-thinking-delta.json",
    "stream-signature-delta.json",
  ].map((name) => ({ ...(JSON.parse(readAnthropicFixture(name)) as Json), index }));
}

/** `content_block_stop`. */
export function contentBlockStop(index: number): Json {
  return { ...blockStopTemplate(), index };
}

/** `message_delta` with the stop reason and the cumulative output tokens. */
export function messageDelta(stopReason: string, outputTokens: number): Json {
  const event = messageDeltaTemplate();
  event.delta.stop_reason = stopReason;
  event.usage.output_tokens = outputTokens;
  return event;
}

/** The `error` event sent mid-stream: overloaded_error. */
export function overloadedStreamError(): Json {
  return JSON.parse(readAnthropicFixture("stream-error-overloaded.json")) as Json;
}

/** `message_stop`. */
export function messageStop(): Json {
  return messageStopTemplate();
}

/** A non-streamed `message`. */
export function messageBody(
  identity: AnswerIdentity,
  text: string,
  stopReason: string,
  usage: UsageJson,
): Json {
  const body = messageTemplate();
  body.id = identity.id;
  body.model = identity.model;
  body.content = [{ type: "text", text }];
  body.stop_reason = stopReason;
  body.usage = usage;
  return body;
}

/** One SSE event named like the data's `type` (as the API does), or `name` for raw data. */
export function sseEvent(data: Json | string, name?: string): string {
  const event = name ?? (typeof data === "string" ? "message" : String(data.type));
  return `event: ${event}\ndata: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`;
}
