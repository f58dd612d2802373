import { answerPieces, fakeAnswerText, promptTokensOf } from "../fake-answer-pieces.js";
import { jsonBodySteps } from "../fake-common-faults.js";
import type { FakeAnswerStep } from "../fake-upstream-server.js";
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
  return fakeAnswerText(model, messages.findLast((m) => m.role === "user")?.content ?? "");
}

function answerOf(request: ParsedAnthropicRequest, fault: FakeAnthropicFault) {
  const text = fakeAnthropicAnswer(request.model, request.messages);
  const { pieces, words } = answerPieces(text, { spaceBefore: true });
  const inputTokens = promptTokensOf([request.system, ...request.messages.map((m) => m.content)]);
  const cache = fault.kind === "cached" ? { creation: 7, read: 100 } : undefined;
  const stopReason = fault.kind === "stop-reason" ? fault.reason : "end_turn";
  return {
    text,
    pieces: pieces.map((piece) => piece.text),
    inputTokens,
    outputTokens: words,
    cache,
    stopReason,
  };
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
  return jsonBodySteps(json, fault);
}
