import { create } from "@bufbuild/protobuf";
import {
  type StreamPromptResponse,
  StreamPromptResponseSchema,
} from "../../gen/switchboard/v1/prompt_service_pb.js";
import type { StreamEventRecord } from "../storage/records.js";
import { toProtoAttempts, toProtoResult, toProtoUsage } from "./map-common.js";

/**
 * A stored stream event → the wire event. `resumed` marks the replayed `started` event of a
 * stream that this call resumed rather than started.
 */
export function toStreamResponse(
  record: StreamEventRecord,
  resumeToken: string,
  resumed: boolean,
): StreamPromptResponse {
  const { payload } = record;
  const sequence = BigInt(record.sequence);
  switch (payload.type) {
    case "started":
      return create(StreamPromptResponseSchema, {
        resumeToken,
        sequence,
        event: {
          case: "started",
          value: {
            sessionId: payload.sessionId,
            streamId: payload.streamId,
            model: payload.model,
            resumed,
          },
        },
      });
    case "delta":
      return create(StreamPromptResponseSchema, {
        resumeToken,
        sequence,
        event: { case: "delta", value: { text: payload.text } },
      });
    case "model_switched":
      return create(StreamPromptResponseSchema, {
        resumeToken,
        sequence,
        event: {
          case: "modelSwitched",
          value: {
            fromModel: payload.fromModel,
            toModel: payload.toModel,
            reason: payload.reason,
            discardPreviousText: payload.discardPreviousText,
          },
        },
      });
    case "completed":
      return create(StreamPromptResponseSchema, {
        resumeToken,
        sequence,
        event: {
          case: "completed",
          value: {
            result: toProtoResult(payload.result),
            usage: toProtoUsage(payload.usage),
            model: payload.model,
            attempts: toProtoAttempts(payload.attempts),
          },
        },
      });
  }
}
