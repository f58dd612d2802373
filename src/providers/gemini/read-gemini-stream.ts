import type { Logger } from "pino";
import type { ChatEvent, FinishReason, TokenUsage } from "../chat-provider.js";
import { ProviderError } from "../provider-error.js";
import type { SseEvent } from "../sse/sse-parser.js";
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
export interface ReadGeminiStreamOptions {
  readonly providerName: string;
  readonly log: Logger;
  /** How long to wait for the usage or the body end after the finish reason, in ms. Default 1000. */
  readonly finishGraceMs?: number | undefined;
  /** Malformed events skipped before the stream fails as `malformed`. Default 3. */
  readonly maxMalformedEvents?: number | undefined;
  /** Called once the answer is complete, before `finish` is yielded, to release the body. */
  readonly onComplete?: ((end: GeminiStreamEnd) => void) | undefined;
}

const DEFAULT_FINISH_GRACE_MS = 1000;
const DEFAULT_MAX_MALFORMED_EVENTS = 3;
const TIMED_OUT = Symbol("timed out");

/**
 * Turns the SSE events of `streamGenerateContent?alt=sse` (each one `GenerateContentResponse`)
 * into `ChatEvent`s: a `delta` per non-empty text part of `candidates[0]`, then one `finish`.
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
  events: AsyncIterable<SseEvent>,
  options: ReadGeminiStreamOptions,
): AsyncGenerator<ChatEvent, void, undefined> {
  const finishGraceMs = options.finishGraceMs ?? DEFAULT_FINISH_GRACE_MS;
  const maxMalformedEvents = options.maxMalformedEvents ?? DEFAULT_MAX_MALFORMED_EVENTS;
  const iterator = events[Symbol.asyncIterator]();
  let finishReason: FinishReason | undefined;
  let finishedAtMs = 0;
  let usage: TokenUsage | undefined;
  let malformedEvents = 0;
  let abandoned: Promise<IteratorResult<SseEvent>> | undefined;
  let end: GeminiStreamEnd;

  try {
    for (;;) {
      let result: IteratorResult<SseEvent>;
      if (finishReason === undefined) {
        result = await iterator.next();
      } else {
        const next = iterator.next();
        const raced = await withTimeout(next, finishedAtMs + finishGraceMs - Date.now());
        if (raced === TIMED_OUT) {
          abandoned = next;
          end = "grace_timeout";
          break;
        }
        result = raced;
      }
      if (result.done === true) {
        end = "body_end";
        break;
      }
      const response = parseResponse(result.value.data, options.providerName);
      if (response === undefined) {
        malformedEvents++;
        options.log.warn({ malformedEvents }, "skipped a malformed upstream stream event");
        options.log.debug({ data: result.value.data.slice(0, 500) }, "malformed event data");
        if (malformedEvents > maxMalformedEvents) {
          throw new ProviderError(
            "malformed",
            `${options.providerName}: more than ${maxMalformedEvents} malformed stream events`,
          );
        }
        continue;
      }
      if (finishReason === undefined) {
        yield* textDeltas(response);
        finishReason = finishReasonOf(response);
        finishedAtMs = Date.now();
      }
      const responseUsage = mapGeminiUsage(response.usageMetadata);
      if (responseUsage !== undefined) usage = responseUsage;
      if (finishReason !== undefined && responseUsage !== undefined) {
        end = "usage";
        break;
      }
    }
  } finally {
    if (abandoned === undefined) {
      await iterator.return?.();
    } else {
      // The read still pending settles when the body is released; nobody awaits it.
      abandoned.catch(() => undefined);
      iterator.return?.()?.catch(() => undefined);
    }
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

function* textDeltas(response: GeminiResponse): Generator<ChatEvent, void, undefined> {
  for (const part of response.candidates?.[0]?.content?.parts ?? []) {
    if (part.thought === true) continue;
    if (part.text !== undefined && part.text !== "") yield { type: "delta", text: part.text };
  }
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

async function withTimeout<T>(
  promise: Promise<T>,
  timeoutMs: number,
): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, timeoutMs), TIMED_OUT);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
