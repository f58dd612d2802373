import { create } from "@bufbuild/protobuf";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import {
  CancelStreamResponseSchema,
  type PromptRequest,
  PromptResponseSchema,
  type PromptService,
  type StreamPromptRequest,
  StreamState,
} from "../../gen/switchboard/v1/prompt_service_pb.js";
import type { Engine } from "../engine/create-engine.js";
import { defaultOwner, type PromptInput } from "../engine/prompt-input.js";
import { GatewayError } from "../gateway-error.js";
import type { StreamState as DomainStreamState } from "../storage/records.js";
import { fromProtoOptions, toProtoAttempts, toProtoResult, toProtoUsage } from "./map-common.js";
import { toStreamResponse } from "./map-stream-event.js";
import { requestLog, throwIfCallAborted } from "./request-log.js";

/** The response header that carries the session id (AI Warp's convention). */
export const sessionIdHeader = "x-session-id";

const streamStates: Readonly<Record<DomainStreamState, StreamState>> = {
  running: StreamState.RUNNING,
  completed: StreamState.COMPLETED,
  failed: StreamState.FAILED,
  canceled: StreamState.CANCELED,
};

function toPromptInput(request: PromptRequest | StreamPromptRequest): PromptInput {
  return {
    owner: defaultOwner,
    prompt: request.prompt,
    sessionId: request.sessionId,
    system: request.system,
    models: request.models,
    options: fromProtoOptions(request.options),
    metadata: request.metadata,
  };
}

/** `switchboard.v1.PromptService` over the engine. */
export function createPromptService(engine: Engine): ServiceImpl<typeof PromptService> {
  return {
    async prompt(request, context) {
      try {
        const answer = await engine.prompt(
          toPromptInput(request),
          context.signal,
          requestLog(context),
        );
        // Empty when answered statelessly while the storage was down: no session to name.
        if (answer.sessionId !== "") context.responseHeader.set(sessionIdHeader, answer.sessionId);
        return create(PromptResponseSchema, {
          text: answer.text,
          sessionId: answer.sessionId,
          result: toProtoResult(answer.result),
          model: answer.model,
          usage: toProtoUsage(answer.usage),
          attempts: toProtoAttempts(answer.attempts),
        });
      } catch (error) {
        throwIfCallAborted(context);
        throw error;
      }
    },

    async *streamPrompt(request, context) {
      const opened = await engine.streamPrompt(
        {
          ...toPromptInput(request),
          resumeToken: request.resumeToken,
          resumeLatest: request.resumeLatest,
        },
        context.signal,
        requestLog(context),
      );
      context.responseHeader.set(sessionIdHeader, opened.sessionId);
      // An event counts as received once the transport asks for the next one: connect-node
      // asks only after it has handed the previous one to the connection. It stops asking (and
      // ends this generator at its `yield`) when the write fails or the call is aborted.
      let delivered = false;
      let writing = false;
      try {
        for await (const read of opened.reads) {
          if (read.kind === "event") {
            const token = engine.resumeToken(opened.streamId, read.event.sequence);
            writing = true;
            yield toStreamResponse(read.event, token, opened.resumed);
            writing = false;
            delivered = true;
            continue;
          }
          if (read.end.state === "completed") return;
          if (read.end.state === "canceled") {
            throw new GatewayError("canceled", "the stream was canceled by CancelStream");
          }
          throw GatewayError.fromData(read.end.error);
        }
        // The reads stop without an end only when this call was aborted.
        endAbortedStream(context);
      } finally {
        // The client left before it got any event, so it holds no resume token.
        if (!delivered && (writing || context.signal.aborted)) opened.abandon();
      }
    },

    async cancelStream(request) {
      const { streamId, state } = await engine.cancelStream(defaultOwner, {
        streamId: request.streamId,
        resumeToken: request.resumeToken,
      });
      return create(CancelStreamResponseSchema, { streamId, state: streamStates[state] });
    },
  };
}

function endAbortedStream(context: HandlerContext): never {
  throwIfCallAborted(context);
  throw new GatewayError("internal", "the stream ended without its final state");
}
