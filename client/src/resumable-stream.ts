import type { MessageInitShape } from "@bufbuild/protobuf";
import { type Client, Code, ConnectError } from "@connectrpc/connect";
import type {
  PromptService,
  StreamPromptRequestSchema,
  StreamPromptResponse,
} from "../../gen/switchboard/v1/prompt_service_pb.js";
import type { ClientStreamEvent } from "./client-stream-event.js";
import { isResumableFailure } from "./resumable-failure.js";
import { toSwitchboardError } from "./switchboard-error.js";

/** How `stream()` behaves on a broken connection and on abort. */
export interface StreamOptions {
  /** Stops reading; the stream throws a `SwitchboardError` with `Code.Canceled`. */
  readonly signal?: AbortSignal;
  /** Resumes in a row without receiving an event before giving up. Default 5. */
  readonly maxResumes?: number;
  /** Delay before the first resume, doubled for each further one in a row. Default 200 ms. */
  readonly backoffMs?: number;
  /** Upper bound of the resume delay. Default 5,000 ms. */
  readonly maxBackoffMs?: number;
  /**
   * On abort, also stop the generation on the gateway with `CancelStream` (its other readers end
   * with `CANCELED`). By default aborting only closes this connection and the generation runs
   * on, resumable with the last event's `resumeToken`. Default false.
   */
  readonly stopGenerationOnAbort?: boolean;
}

/**
 * Runs `StreamPrompt` and follows the stream to its `completed` event, resuming after the last
 * received event whenever the connection breaks (see `isResumableFailure`). Events are yielded
 * once each, in sequence order. A failure before the first event retries the original request:
 * nothing was yielded yet, at worst the gateway generated an answer nobody reads.
 */
export async function* streamWithResume(
  prompts: Client<typeof PromptService>,
  request: MessageInitShape<typeof StreamPromptRequestSchema>,
  options: StreamOptions = {},
): AsyncGenerator<ClientStreamEvent, void, undefined> {
  const { signal, maxResumes = 5, backoffMs = 200, maxBackoffMs = 5_000 } = options;
  let lastSequence = 0n;
  let lastToken = request.resumeToken ?? "";
  let sessionId = request.sessionId ?? "";
  let text = "";
  let resumesInARow = 0;
  for (;;) {
    const call = lastToken === "" ? request : { resumeToken: lastToken };
    try {
      for await (const response of prompts.streamPrompt(call, { signal })) {
        // Resume returns only later events; this guards the promise "never twice" regardless.
        if (response.sequence <= lastSequence) continue;
        lastSequence = response.sequence;
        lastToken = response.resumeToken;
        resumesInARow = 0;
        const event = toClientEvent(response, text, sessionId);
        if (event === undefined) continue;
        if (event.type === "started") sessionId = event.sessionId;
        if (event.type === "text") text += event.text;
        if (event.type === "restart") text = "";
        yield event;
        if (event.type === "completed") return;
      }
      // The gateway ends every stream with `completed` or an error status.
      throw new ConnectError("the stream ended without a completed event", Code.Internal);
    } catch (reason) {
      if (signal?.aborted) {
        if (options.stopGenerationOnAbort && lastToken !== "") {
          await prompts.cancelStream({ resumeToken: lastToken }).catch(() => undefined);
        }
        throw toSwitchboardError(signal.reason ?? reason);
      }
      if (!isResumableFailure(reason) || resumesInARow >= maxResumes) {
        throw toSwitchboardError(reason);
      }
      // Resolves early on abort: the next call then fails at once and takes the abort path.
      await delay(Math.min(backoffMs * 2 ** resumesInARow, maxBackoffMs), signal);
      resumesInARow += 1;
    }
  }
}

function toClientEvent(
  response: StreamPromptResponse,
  text: string,
  sessionId: string,
): ClientStreamEvent | undefined {
  const position = { sequence: response.sequence, resumeToken: response.resumeToken };
  const { event } = response;
  switch (event.case) {
    case "started":
      return {
        type: "started",
        ...position,
        sessionId: event.value.sessionId,
        streamId: event.value.streamId,
        model: event.value.model,
      };
    case "delta":
      return { type: "text", ...position, text: event.value.text };
    case "modelSwitched":
      return {
        type: event.value.discardPreviousText ? "restart" : "switched",
        ...position,
        fromModel: event.value.fromModel,
        toModel: event.value.toModel,
        reason: event.value.reason,
      };
    case "completed":
      return {
        type: "completed",
        ...position,
        text,
        sessionId,
        model: event.value.model,
        result: event.value.result,
        usage: event.value.usage,
        attempts: event.value.attempts,
      };
    default:
      // An event this client version does not know: skip it rather than fail the stream.
      return undefined;
  }
}

/** Waits `ms`, or less when `signal` aborts first; never rejects. */
function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
