import {
  type AnswerIdentity,
  contentBlockStart,
  contentBlockStop,
  messageBody,
  messageDelta,
  messageStart,
  messageStop,
  overloadedStreamError,
  ping,
  sseEvent,
  textDelta,
  thinkingBlock,
  usageOf,
} from "./anthropic-fixtures.js";
import type { FakeAnthropicFault } from "./fake-anthropic-faults.js";

/** One thing the fake does while answering. */
export type FakeAnswerStep =
  | { readonly kind: "write"; readonly data: string }
  | { readonly kind: "wait"; readonly ms: number }
  /** Destroy the socket, end the response, or leave it open. */
  | { readonly kind: "destroy" | "end" | "hold" };

/** The parts of a Messages API request the fake uses. */
export interface ParsedAnthropicRequest {
  readonly model: string;
  readonly stream: boolean;
  readonly system: string;
  readonly messages: readonly { readonly content: string; readonly role: string }[];
}

/**
 * The normal answer of a model: "Answer from <model>: <last user message>"; when the request
 * ends with an assistant message (a prefill), the model continues it with
 * " and the rest from <model>." — starting with a space, as a real model continuing "Red," does.
 */
export function fakeAnthropicAnswer(
  model: string,
  messages: ParsedAnthropicRequest["messages"],
): string {
  if (messages.at(-1)?.role === "assistant") return ` and the rest from ${model}.`;
  const lastUser = messages.findLast((message) => message.role === "user")?.content ?? "";
  return lastUser === "" ? `Answer from ${model}.` : `Answer from ${model}: ${lastUser}`;
}

function answerOf(request: ParsedAnthropicRequest, fault: FakeAnthropicFault) {
  const text = fakeAnthropicAnswer(request.model, request.messages);
  const words = text.match(/\s*\S+/g) ?? [text];
  const perPiece = Math.ceil(words.length / 5);
  const pieces: string[] = [];
  for (let index = 0; index < words.length; index += perPiece) {
    pieces.push(words.slice(index, index + perPiece).join(""));
  }
  const characters = request.messages.reduce(
    (total, m) => total + m.content.length,
    request.system.length,
  );
  const cache = fault.kind === "cached" ? { creation: 7, read: 100 } : undefined;
  const inputTokens = Math.ceil(characters / 4);
  const stopReason = fault.kind === "stop-reason" ? fault.reason : "end_turn";
  return { text, pieces, inputTokens, outputTokens: words.length, cache, stopReason };
}

/** The steps of a streamed answer under a fault. */
export function streamSteps(
  request: ParsedAnthropicRequest,
  identity: AnswerIdentity,
  fault: FakeAnthropicFault,
): FakeAnswerStep[] {
  const answer = answerOf(request, fault);
  const write = (data: Record<string, unknown>): FakeAnswerStep => ({
    kind: "write",
    data: sseEvent(data),
  });
  const steps: FakeAnswerStep[] = [
    write(messageStart(identity, usageOf(answer.inputTokens, 1, answer.cache))),
  ];
  let index = 0;
  if (fault.kind === "thinking") {
    steps.push(...thinkingBlock(index).map(write), write(contentBlockStop(index)));
    index++;
  }
  steps.push(write(contentBlockStart(index)), write(ping()));
  if (fault.kind === "slow-first-token") steps.push({ kind: "wait", ms: fault.delayMs });
  for (const [position, piece] of answer.pieces.entries()) {
    steps.push(write(textDelta(index, piece)));
    if (fault.kind === "malformed" && position === 0) {
      for (let count = 0; count < fault.count; count++) {
        steps.push({ kind: "write", data: sseEvent("{not json", "content_block_delta") });
      }
    }
    if (position === 1) {
      if (fault.kind === "cut-mid-stream") return [...steps, { kind: "destroy" }];
      if (fault.kind === "end-mid-stream") return [...steps, { kind: "end" }];
      if (fault.kind === "stall-mid-stream") return [...steps, { kind: "hold" }];
      if (fault.kind === "error-event-mid-stream") {
        return [...steps, write(overloadedStreamError()), { kind: "end" }];
      }
    }
  }
  steps.push(write(contentBlockStop(index)));
  steps.push(write(messageDelta(answer.stopReason, answer.outputTokens)));
  if (fault.kind === "no-message-stop") return [...steps, { kind: "hold" }];
  return [...steps, write(messageStop()), { kind: "end" }];
}

/** The steps of a non-streamed answer under a fault. */
export function messageSteps(
  request: ParsedAnthropicRequest,
  identity: AnswerIdentity,
  fault: FakeAnthropicFault,
): FakeAnswerStep[] {
  const answer = answerOf(request, fault);
  const usage = usageOf(answer.inputTokens, answer.outputTokens, answer.cache);
  const json = JSON.stringify(messageBody(identity, answer.text, answer.stopReason, usage));
  const half: FakeAnswerStep = { kind: "write", data: json.slice(0, json.length / 2) };
  switch (fault.kind) {
    case "slow-first-token":
      return [{ kind: "wait", ms: fault.delayMs }, { kind: "write", data: json }, { kind: "end" }];
    case "cut-mid-stream":
      return [half, { kind: "destroy" }];
    case "end-mid-stream":
      return [half, { kind: "end" }];
    case "stall-mid-stream":
      return [half, { kind: "hold" }];
    case "malformed":
      return [{ kind: "write", data: "{not json" }, { kind: "end" }];
    default:
      return [{ kind: "write", data: json }, { kind: "end" }];
  }
}
