import type { ChatEvent, FinishReason, TokenUsage } from "../chat-provider.js";
import { ProviderError } from "../provider-error.js";
import type { SseEvent } from "../sse/sse-parser.js";
import type { AnswerStreamOptions } from "../stream/answer-stream-options.js";
import { createGraceIterator, GRACE_PASSED } from "../stream/grace-iterator.js";
import { createMalformedEventBudget } from "../stream/malformed-event-budget.js";
import { classifyOpenAiStreamError } from "./classify-openai-error.js";
import { mapOpenAiFinishReason } from "./map-openai-finish-reason.js";
import { mapOpenAiUsage } from "./map-openai-usage.js";
import { type OpenAiChatChunk, openAiChatChunkSchema } from "./openai-wire-schema.js";

/** What completed an answer stream. */
export type OpenAiStreamEnd =
  /** The finish reason and the usage chunk both arrived; the rest (`[DONE]`) is not awaited. */
  | "usage"
  /** `data: [DONE]`. */
  | "done"
  /** The body ended after the finish reason. */
  | "body_end"
  /** The usage did not follow the finish reason in time; the body is still open. */
  | "usage_timeout";

/** Options of `readOpenAiStream`. */
export interface ReadOpenAiStreamOptions extends AnswerStreamOptions<OpenAiStreamEnd> {
  /** How long to wait for the usage chunk after the finish reason, in milliseconds. Default 1000. */
  readonly usageGraceMs?: number | undefined;
  /** Malformed chunks skipped before the stream fails as `malformed`. Default 3. */
  readonly maxMalformedChunks?: number | undefined;
}

/**
 * Turns the SSE events of a streamed Chat Completion, as they arrived together (see
 * `parseSse`), into `ChatEvent`s: one `delta` with the `choices[0].delta.content` of the chunks
 * of each arrival (none when that text is empty), then one `finish` as soon as the answer is known to be complete —
 * finish reason plus usage, `[DONE]`, the end of the body after the finish reason, or
 * `usageGraceMs` after the finish reason (a server that never sends `[DONE]` still finishes
 * promptly). Usage is taken from `usage` (its own chunk after the finish reason, or the finish
 * chunk itself as Mistral, Together and Cerebras send it) or from Groq's `x_groq.usage`. Usage
 * sent before the finish reason (servers that repeat it cumulatively) is used only when no later
 * usage arrives. Chunks without choices (Azure's `prompt_filter_results` chunk) carry no text.
 *
 * Throws `ProviderError("interrupted")` when the stream ends without a finish reason or reports
 * an error, and `ProviderError("malformed")` after more than `maxMalformedChunks` chunks that
 * are not JSON chunks (each one skipped is logged at warn with the running count). Errors of the
 * event source propagate unchanged.
 */
export async function* readOpenAiStream(
  events: AsyncIterable<readonly SseEvent[]>,
  options: ReadOpenAiStreamOptions,
): AsyncGenerator<ChatEvent, void, undefined> {
  const source = createGraceIterator(events, options.usageGraceMs);
  const malformed = createMalformedEventBudget({
    providerName: options.providerName,
    log: options.log,
    maxMalformed: options.maxMalformedChunks,
    noun: "chunk",
  });
  let finishReason: FinishReason | undefined;
  let usage: TokenUsage | undefined;
  let usageBeforeFinish: TokenUsage | undefined;
  let end: OpenAiStreamEnd;

  try {
    for (;;) {
      const result = await source.next();
      if (result === GRACE_PASSED) {
        end = "usage_timeout";
        break;
      }
      if (result.done === true) {
        end = "body_end";
        break;
      }
      // The text of the chunks that arrived together goes on as one delta.
      let text = "";
      let ended: OpenAiStreamEnd | undefined;
      try {
        for (const sse of result.value) {
          if (sse.data === "[DONE]") {
            ended = "done";
            break;
          }
          const chunk = parseChunk(sse.data, options.providerName);
          if (chunk === undefined) {
            malformed.skip({ data: sse.data });
            continue;
          }
          const choice = chunk.choices?.[0];
          if (finishReason === undefined) {
            const content = choice?.delta?.content;
            if (content !== undefined && content !== null) text += content;
            if (choice?.finish_reason !== undefined && choice.finish_reason !== null) {
              finishReason = mapOpenAiFinishReason(choice.finish_reason);
              source.startGrace();
            }
          }
          const chunkUsage = mapOpenAiUsage(chunk.usage ?? chunk.x_groq?.usage);
          if (chunkUsage !== undefined) {
            if (finishReason === undefined) usageBeforeFinish = chunkUsage;
            else usage = chunkUsage;
          }
          if (finishReason !== undefined && usage !== undefined) {
            ended = "usage";
            break;
          }
        }
      } catch (error) {
        // Text that arrived before an in-stream error was still sent by the model.
        if (text !== "") yield { type: "delta", text };
        throw error;
      }
      if (text !== "") yield { type: "delta", text };
      if (ended !== undefined) {
        end = ended;
        break;
      }
    }
  } finally {
    await source.close();
  }

  if (finishReason === undefined) {
    const how = end === "done" ? "sent [DONE]" : "ended";
    throw new ProviderError(
      "interrupted",
      `${options.providerName}: the answer stream ${how} before its finish reason`,
    );
  }
  options.onComplete?.(end);
  yield { type: "finish", reason: finishReason, usage: usage ?? usageBeforeFinish };
}

/** A chunk, or undefined when the data is not a JSON chunk. Throws for an in-stream error. */
function parseChunk(data: string, providerName: string): OpenAiChatChunk | undefined {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (typeof json === "object" && json !== null && "error" in json) {
    throw classifyOpenAiStreamError(providerName, json);
  }
  const parsed = openAiChatChunkSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}
