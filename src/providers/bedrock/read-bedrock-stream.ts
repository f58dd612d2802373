import type { ConverseStreamOutput } from "@aws-sdk/client-bedrock-runtime";
import type { Logger } from "pino";
import type { ChatEvent, FinishReason, TokenUsage } from "../chat-provider.js";
import { ProviderError } from "../provider-error.js";
import { createMalformedEventBudget } from "../stream/malformed-event-budget.js";
import { classifyBedrockError } from "./classify-bedrock-error.js";
import { mapBedrockStopReason } from "./map-bedrock-stop-reason.js";
import { mapBedrockUsage } from "./map-bedrock-usage.js";

/** The in-stream exception members of the ConverseStream union. */
const EXCEPTION_MEMBERS = [
  "internalServerException",
  "modelStreamErrorException",
  "validationException",
  "throttlingException",
  "serviceUnavailableException",
] as const;

/** Options of `readBedrockStream`. */
export interface ReadBedrockStreamOptions {
  /** The configured provider name, for error messages. */
  readonly providerName: string;
  /** Logs skipped events at warn, with the running count. */
  readonly log: Logger;
  /** Default 3. */
  readonly maxMalformedEvents?: number | undefined;
}

/**
 * Turns the SDK's ConverseStream events into chat events: each non-empty
 * `contentBlockDelta.delta.text` is a delta; reasoning, tool-use and citation deltas are
 * ignored (the gateway requests neither tools nor reasoning, and reasoning text is not part of
 * the answer); messageStart and contentBlockStart/Stop carry nothing the gateway needs. The
 * answer finishes when both `messageStop` (the stop reason) and `metadata` (the usage, which
 * follows it) arrived, or when the stream ends after `messageStop` (then without usage).
 *
 * Throws `ProviderError("interrupted")` when the stream ends before `messageStop`, the
 * classified error for an exception member in the stream, and `ProviderError("malformed")`
 * after more than `maxMalformedEvents` events it cannot use (each one skipped is logged at warn
 * with the running count). Errors of the event source propagate unchanged; stopping early does
 * not call its `return`, so the caller decides whether to drain or cut the connection.
 */
export async function* readBedrockStream(
  events: AsyncIterator<ConverseStreamOutput>,
  options: ReadBedrockStreamOptions,
): AsyncGenerator<ChatEvent, void, undefined> {
  const malformed = createMalformedEventBudget({
    providerName: options.providerName,
    log: options.log,
    maxMalformed: options.maxMalformedEvents,
    noun: "event",
  });
  let finishReason: FinishReason | undefined;
  let usage: TokenUsage | undefined;
  let sawMetadata = false;

  while (finishReason === undefined || !sawMetadata) {
    const result = await events.next();
    if (result.done === true) break;
    const event = result.value;
    for (const member of EXCEPTION_MEMBERS) {
      const exception = event[member];
      if (exception !== undefined) {
        throw classifyBedrockError(options.providerName, exception, "stream");
      }
    }
    if (event.contentBlockDelta !== undefined) {
      const text = event.contentBlockDelta.delta?.text;
      if (typeof text === "string" && text !== "" && finishReason === undefined) {
        yield { type: "delta", text };
      }
    } else if (event.messageStop !== undefined) {
      const { stopReason } = event.messageStop;
      if (typeof stopReason === "string") finishReason ??= mapBedrockStopReason(stopReason);
      else malformed.skip({ event: "messageStop" });
    } else if (event.metadata !== undefined) {
      sawMetadata = true;
      usage = mapBedrockUsage(event.metadata.usage);
    } else if (
      event.messageStart === undefined &&
      event.contentBlockStart === undefined &&
      event.contentBlockStop === undefined
    ) {
      malformed.skip({ event: "unknown" });
    }
  }

  if (finishReason === undefined) {
    throw new ProviderError(
      "interrupted",
      `${options.providerName}: the answer stream ended before its stop reason`,
    );
  }
  yield { type: "finish", reason: finishReason, usage };
}
