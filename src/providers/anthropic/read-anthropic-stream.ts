import type { ChatEvent, FinishReason } from "../chat-provider.js";
import { ProviderError } from "../provider-error.js";
import type { SseEvent } from "../sse/sse-parser.js";
import type { AnswerStreamOptions } from "../stream/answer-stream-options.js";
import { createGraceIterator, GRACE_PASSED } from "../stream/grace-iterator.js";
import { createMalformedEventBudget } from "../stream/malformed-event-budget.js";
import { type AnthropicStreamEvent, anthropicStreamEventSchema } from "./anthropic-wire-schema.js";
import { classifyAnthropicStreamError } from "./classify-anthropic-error.js";
import { mapAnthropicFinishReason } from "./map-anthropic-finish-reason.js";
import {
  type AnthropicInputTokens,
  anthropicInputTokens,
  mapAnthropicUsage,
} from "./map-anthropic-usage.js";

/** What completed an answer stream. */
export type AnthropicStreamEnd =
  /** `message_stop`. */
  | "message_stop"
  /** The body ended after the stop reason. */
  | "body_end"
  /** `message_stop` did not follow the stop reason in time; the body is still open. */
  | "stop_timeout";

/** Options of `readAnthropicStream`. */
export interface ReadAnthropicStreamOptions extends AnswerStreamOptions<AnthropicStreamEnd> {
  /** How long to wait for `message_stop` after the stop reason, in milliseconds. Default 1000. */
  readonly stopGraceMs?: number | undefined;
  /** Malformed events skipped before the stream fails as `malformed`. Default 3. */
  readonly maxMalformedEvents?: number | undefined;
}

const KNOWN_EVENT_TYPES = new Set([
  "message_start",
  "content_block_start",
  "content_block_delta",
  "content_block_stop",
  "message_delta",
  "message_stop",
  "ping",
  "error",
]);

/** A parsed event, an event type this reader does not know, or data that is not an event. */
type ParsedEvent = AnthropicStreamEvent | { readonly type: "unknown" } | undefined;

/**
 * Turns the SSE events of a streamed Messages API answer, as they arrived together (see
 * `parseSse`), into `ChatEvent`s: one `delta` per arrival with the text of its `text_delta`s
 * (and of a `text` block start, which the API sends empty), none when that text is empty;
 * other deltas — thinking, signature, input_json, citations — are not answer text and are
 * ignored, as are `ping` and event types added after this was written. Then one `finish` with
 * the mapped `stop_reason` of `message_delta` and the usage (input of `message_start`, or of
 * `message_delta` when it repeats it; cumulative output of the last `message_delta`), as soon
 * as `message_stop` arrives, the body ends after the stop reason, or `stopGraceMs` after the
 * stop reason (an answer known to be complete finishes promptly).
 *
 * Throws `ProviderError("interrupted")` when the stream ends without a stop reason, the
 * classified error of an `error` event (overloaded_error → overloaded …), and
 * `ProviderError("malformed")` after more than `maxMalformedEvents` events that are not JSON
 * events (each one skipped is logged at warn with the running count). Errors of the event
 * source propagate unchanged.
 */
export async function* readAnthropicStream(
  events: AsyncIterable<readonly SseEvent[]>,
  options: ReadAnthropicStreamOptions,
): AsyncGenerator<ChatEvent, void, undefined> {
  const source = createGraceIterator(events, options.stopGraceMs);
  const malformed = createMalformedEventBudget({
    providerName: options.providerName,
    log: options.log,
    maxMalformed: options.maxMalformedEvents,
    noun: "event",
  });
  let finishReason: FinishReason | undefined;
  let input: AnthropicInputTokens | undefined;
  let outputTokens: number | undefined;
  let end: AnthropicStreamEnd;

  try {
    for (;;) {
      const result = await source.next();
      if (result === GRACE_PASSED) {
        end = "stop_timeout";
        break;
      }
      if (result.done === true) {
        end = "body_end";
        break;
      }
      // The text of the events that arrived together goes on as one delta.
      let text = "";
      let stopped = false;
      try {
        for (const sse of result.value) {
          const event = parseEvent(sse, options.providerName);
          if (event === undefined) {
            malformed.skip({ data: sse.data });
            continue;
          }
          if (event.type === "unknown") continue;
          if (event.type === "message_stop") {
            stopped = true;
            break;
          }
          if (event.type === "message_start") {
            const usage = event.message.usage;
            if (usage !== null && usage !== undefined) {
              input = anthropicInputTokens(usage);
              outputTokens = usage.output_tokens;
            }
          } else if (event.type === "message_delta") {
            if (event.usage !== null && event.usage !== undefined) {
              input = anthropicInputTokens(event.usage) ?? input;
              outputTokens = event.usage.output_tokens;
            }
            const reason = event.delta.stop_reason;
            if (finishReason === undefined && reason !== null && reason !== undefined) {
              finishReason = mapAnthropicFinishReason(reason);
              source.startGrace();
            }
          } else if (finishReason === undefined) {
            text += textOf(event) ?? "";
          }
        }
      } catch (error) {
        // Text that arrived before an error event was still sent by the model.
        if (text !== "") yield { type: "delta", text };
        throw error;
      }
      if (text !== "") yield { type: "delta", text };
      if (stopped) {
        end = "message_stop";
        break;
      }
    }
  } finally {
    await source.close();
  }

  if (finishReason === undefined) {
    const how = end === "message_stop" ? "sent message_stop" : "ended";
    throw new ProviderError(
      "interrupted",
      `${options.providerName}: the answer stream ${how} before its stop reason`,
    );
  }
  options.onComplete?.(end);
  yield { type: "finish", reason: finishReason, usage: mapAnthropicUsage(input, outputTokens) };
}

function textOf(event: AnthropicStreamEvent): string | undefined {
  if (event.type === "content_block_delta" && event.delta.type === "text_delta") {
    return event.delta.text;
  }
  if (event.type === "content_block_start" && event.content_block.type === "text") {
    return event.content_block.text;
  }
  return undefined;
}

/** Parses one SSE event. Throws the classified error of an `error` event. */
function parseEvent(sse: SseEvent, providerName: string): ParsedEvent {
  let json: unknown;
  try {
    json = JSON.parse(sse.data);
  } catch {
    // An error event is an error even when its data cannot be read.
    if (sse.event === "error") throw classifyAnthropicStreamError(providerName, undefined);
    return undefined;
  }
  if (sse.event === "error") throw classifyAnthropicStreamError(providerName, json);
  if (typeof json !== "object" || json === null || !("type" in json)) return undefined;
  if (typeof json.type !== "string") return undefined;
  // Anthropic may add event types (its versioning policy says so): skip them quietly.
  if (!KNOWN_EVENT_TYPES.has(json.type)) return { type: "unknown" };
  if (json.type === "error") throw classifyAnthropicStreamError(providerName, json);
  const parsed = anthropicStreamEventSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}
