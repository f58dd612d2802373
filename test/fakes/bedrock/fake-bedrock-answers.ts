import { EventStreamCodec } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import { answerPieces, fakeAnswerText, promptTokensOf } from "../fake-answer-pieces.js";
import type { FakeAnswerStep } from "../fake-upstream-server.js";
import {
  converseResponse,
  eventPayload,
  type StreamExceptionFixture,
  streamExceptionOf,
} from "./bedrock-fixtures.js";
import type { FakeBedrockFault } from "./fake-bedrock-faults.js";

/** The parts of a Converse request the fake uses. */
export interface ParsedConverseRequest {
  readonly modelId: string;
  readonly system: readonly string[];
  readonly messages: readonly { readonly role: string; readonly text: string }[];
}

const codec = new EventStreamCodec(toUtf8, fromUtf8);

/** The normal answer of a model to a request. */
export function fakeBedrockAnswer(
  modelId: string,
  messages: ParsedConverseRequest["messages"],
): string {
  return fakeAnswerText(modelId, messages.findLast((m) => m.role === "user")?.text ?? "");
}

/** The answer in ~5 pieces, with its usage {input: characters / 4 rounded up, output: words}. */
export function answerOf(request: ParsedConverseRequest) {
  const text = fakeBedrockAnswer(request.modelId, request.messages);
  const { pieces, words } = answerPieces(text);
  const inputTokens = promptTokensOf([...request.system, ...request.messages.map((m) => m.text)]);
  const usage = { inputTokens, outputTokens: words, totalTokens: inputTokens + words };
  return { text, pieces: pieces.map((piece) => piece.text), usage };
}

/** One binary event-stream message of `:message-type: event`. */
export function eventFrame(eventType: string, payload: unknown): Uint8Array {
  return codec.encode({
    headers: {
      ":event-type": { type: "string", value: eventType },
      ":content-type": { type: "string", value: "application/json" },
      ":message-type": { type: "string", value: "event" },
    },
    body: fromUtf8(JSON.stringify(payload)),
  });
}

/** One binary event-stream message of `:message-type: exception`. */
export function exceptionFrame(exceptionType: StreamExceptionFixture): Uint8Array {
  return codec.encode({
    headers: {
      ":exception-type": { type: "string", value: exceptionType },
      ":content-type": { type: "string", value: "application/json" },
      ":message-type": { type: "string", value: "exception" },
    },
    body: fromUtf8(JSON.stringify(streamExceptionOf(exceptionType))),
  });
}

/** The steps of a ConverseStream answer under a fault. */
export function streamSteps(
  request: ParsedConverseRequest,
  fault: FakeBedrockFault,
): FakeAnswerStep[] {
  const { pieces, usage } = answerOf(request);
  const frames: Uint8Array[] = [eventFrame("messageStart", eventPayload("messageStart"))];
  const steps = (): FakeAnswerStep[] =>
    frames.map((data): FakeAnswerStep => ({ kind: "write", data }));
  for (const [index, piece] of pieces.entries()) {
    frames.push(
      eventFrame(
        "contentBlockDelta",
        eventPayload("contentBlockDelta", { delta: { text: piece } }),
      ),
    );
    if (index !== 1) continue;
    if (fault.kind === "cut-mid-stream") return [...steps(), { kind: "destroy" }];
    if (fault.kind === "end-mid-stream") return [...steps(), { kind: "end" }];
    if (fault.kind === "stall-mid-stream") return [...steps(), { kind: "hold" }];
    if (fault.kind === "stream-exception") {
      frames.push(exceptionFrame(fault.exception));
      return [...steps(), { kind: "end" }];
    }
    if (fault.kind === "stop-reason" && fault.afterDeltas === 2) break;
  }
  const stopReason = fault.kind === "stop-reason" ? fault.stopReason : "end_turn";
  frames.push(eventFrame("contentBlockStop", eventPayload("contentBlockStop")));
  frames.push(eventFrame("messageStop", eventPayload("messageStop", { stopReason })));
  if (fault.kind !== "no-metadata") {
    frames.push(eventFrame("metadata", eventPayload("metadata", { usage })));
  }
  if (fault.kind === "one-byte-chunks") {
    const bytes = Buffer.concat(frames);
    const oneByOne = [...bytes].map(
      (byte): FakeAnswerStep => ({
        kind: "write",
        data: Uint8Array.of(byte),
      }),
    );
    return [...oneByOne, { kind: "end" }];
  }
  return [...steps(), { kind: "end" }];
}

/** The JSON body of a non-streamed Converse answer. */
export function converseBody(request: ParsedConverseRequest, fault: FakeBedrockFault): string {
  const { text, usage } = answerOf(request);
  const stopReason = fault.kind === "stop-reason" ? fault.stopReason : "end_turn";
  return JSON.stringify({
    ...converseResponse,
    output: { message: { role: "assistant", content: [{ text }] } },
    stopReason,
    usage,
  });
}
