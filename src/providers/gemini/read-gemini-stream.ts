import type { ChatEvent, FinishReason, TokenUsage } from "../chat-provider.js";
import { ProviderError } from "../provider-error.js";
import type { SseEvent } from "../sse/sse-parser.js";
import type { AnswerStreamOptions } from "../stream/answer-stream-options.js";
import { createGraceIterator, GRACE_PASSED } from "../stream/grace-iterator.js";
import { createMalformedEventBudget } from "../stream/malformed-event-budget.js";
import { classifyGeminiStreamError } from "./classify-gemini-error.js";
import { type GeminiResponse, geminiResponseSchema } from "./gemini-wire-schema.js";
import { mapGeminiFinishReason } from "./map-gemini-finish-reason.js";
import { mapGeminiUsage } from "./map-gemini-usage.js";

/** What completed an answer stream. */
export type GeminiStreamEnd =
  /** The finish reason arrived with (or before a chunk carrying) usage; the rest is not awaited. */
  | "usage"
  /** The body ended after the finish reason. */
  | "body_end"
  /** Nothing followed the finish reason within the grace time; the body is still open. */
  | "grace_timeout";

/** Options of `readGeminiStream`. */
export interface ReadGeminiStreamOptions extends AnswerStreamOptions<GeminiStreamEnd> {
  /** How long to wait for the usage or the body end after the finish reason, in ms. Default 1000. */
  readonly finishGraceMs?: number | undefined;
  /** Malformed events skipped before the stream fails as `malformed`. Default 3. */
  readonly maxMalformedEvents?: number | undefined;
}

/**
 * Turns the SSE events of `streamGenerateContent?alt=sse` (each one `GenerateContentResponse`)
 * into `ChatEvent`s: one `delta` per arrival of responses (see `parseSse`) with the text parts
 * of their `candidates[0]`, none when that text is empty, then one `finish`.
 * Parts marked `thought: true` (thought summaries of thinking models, only sent when asked for)
 * are skipped: they are not the answer. Gemini sends no `[DONE]`; the answer is complete once
 * `candidates[0].finishReason` arrived and either a chunk carrying `usageMetadata` (the last
 * chunk normally carries both), the end of the body, or `finishGraceMs` of silence followed.
 * A prompt refused outright (`promptFeedback.blockReason`, no candidates) finishes with
 * `content_filter` and no text. `usageMetadata` is cumulative: the last one seen wins.
 *
 * Throws `ProviderError("interrupted")` when the stream ends without a finish reason or sends
 * an error object, and `ProviderError("malformed")` after more than `maxMalformedEvents` events
 * that are not JSON responses (each one skipped is logged at warn with the running count).
 * Errors of the event source propagate unchanged.
 */
export async function* readGeminiStream(
  events: AsyncIterable<readonly SseEvent[]>,
  options: ReadGeminiStreamOptions,
): AsyncGenerator<ChatEvent, void, undefined> {
  const source = createGraceIterator(events, options.finishGraceMs);
  const malformed = createMalformedEventBudget({
    providerName: options.providerName,
    log: options.log,
    maxMalformed: options.maxMalformedEvents,
    noun: "event",
  });
  let finishReason: FinishReason | undefined;
  let usage: TokenUsage | undefined;
  let end: GeminiStreamEnd;

  try {
    for (;;) {
      const result = await source.next();
      if (result === GRACE_PASSED) {
        end = "grace_timeout";
        break;
      }
      if (result.done === true) {
        end = "body_end";
        break;
      }
      // The text of the responses that arrived together goes on as one delta.
      let text = "";
      let ended = false;
      try {
        for (const sse of result.value) {
          const response = parseResponse(sse.data, options.providerName);
          if (response === undefined) {
            malformed.skip({ data: sse.data });
            continue;
          }
          if (finishReason === undefined) {
            text += answerText(response);
            finishReason = finishReasonOf(response);
            if (finishReason !== undefined) source.startGrace();
          }
          const responseUsage = mapGeminiUsage(response.usageMetadata);
          if (responseUsage !== undefined) usage = responseUsage;
          if (finishReason !== undefined && responseUsage !== undefined) {
            ended = true;
            break;
          }
        }
      } catch (error) {
        // Text that arrived before an in-stream error was still sent by the model.
        if (text !== "") yield { type: "delta", text };
        throw error;
      }
      if (text !== "") yield { type: "delta", text };
      if (ended) {
        end = "usage";
        break;
      }
    }
  } finally {
    await source.close();
  }

  if (finishReason === undefined) {
    throw new ProviderError(
      "interrupted",
      `${options.providerName}: the answer stream ended before its finish reason`,
    );
  }
  options.onComplete?.(end);
  yield { type: "finish", reason: finishReason, usage };
}

/** The answer text of a response: its first candidate's parts that are not thoughts. */
function answerText(response: GeminiResponse): string {
  let text = "";
  for (const part of response.candidates?.[0]?.content?.parts ?? []) {
    if (part.thought !== true && part.text !== undefined) text += part.text;
  }
  return text;
}

/**
 * The finish reason a response carries, if any. Every `blockReason` of a refused prompt is a
 * content filter: the prompt was not answered because of what it contains.
 */
function finishReasonOf(response: GeminiResponse): FinishReason | undefined {
  const candidate = response.candidates?.[0];
  if (candidate?.finishReason !== undefined) return mapGeminiFinishReason(candidate.finishReason);
  if (candidate === undefined && response.promptFeedback?.blockReason !== undefined) {
    return "content_filter";
  }
  return undefined;
}

/** A response, or undefined when the data is not one. Throws for an in-stream error. */
function parseResponse(data: string, providerName: string): GeminiResponse | undefined {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (typeof json === "object" && json !== null && "error" in json) {
    throw classifyGeminiStreamError(providerName, json);
  }
  const parsed = geminiResponseSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}
