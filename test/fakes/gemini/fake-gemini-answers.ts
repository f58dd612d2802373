import { answerPieces, fakeAnswerText, promptTokensOf } from "../fake-answer-pieces.js";
import type { FakeAnswerStep } from "../fake-upstream-server.js";
import type { FakeGeminiFault } from "./fake-gemini-faults.js";
import {
  blockedBody,
  errorJson,
  finishChunk,
  type ResponseJson,
  sseData,
  textChunk,
  unaryBody,
  usageOf,
} from "./gemini-fixtures.js";

/** The parts of a `generateContent` request the fake uses. */
export interface ParsedGeminiRequest {
  /** From the path, decoded. */
  readonly model: string;
  readonly stream: boolean;
  /** Every text of `systemInstruction` and `contents`, with the content's role. */
  readonly messages: readonly { readonly role: string; readonly text: string }[];
}

/** The thought the "thoughts" fault sends before its answer. */
export const FAKE_THOUGHT = "Thinking about the question first.";
const THOUGHT_TOKENS = 5;

/** The normal answer of a model to a request. */
export function fakeGeminiAnswer(model: string, messages: ParsedGeminiRequest["messages"]): string {
  return fakeAnswerText(model, messages.findLast((m) => m.role === "user")?.text ?? "");
}

function answerOf(request: ParsedGeminiRequest) {
  const text = fakeGeminiAnswer(request.model, request.messages);
  const { pieces, words } = answerPieces(text);
  return { text, pieces, promptTokens: promptTokensOf(request.messages.map((m) => m.text)), words };
}

/** The steps of a streamed answer under a fault. */
export function streamSteps(
  request: ParsedGeminiRequest,
  fault: FakeGeminiFault,
): FakeAnswerStep[] {
  const { model } = request;
  const { pieces, promptTokens } = answerOf(request);
  const write = (data: unknown): FakeAnswerStep => ({ kind: "write", data: sseData(data) });
  if (fault.kind === "safety-block") {
    return [write(blockedBody(model, promptTokens)), { kind: "end" }];
  }
  const thoughts = fault.kind === "thoughts" ? THOUGHT_TOKENS : 0;
  const steps: FakeAnswerStep[] = [];
  if (fault.kind === "thoughts") {
    const thought = { text: FAKE_THOUGHT, thought: true };
    steps.push(write(textChunk(model, [thought], usageOf(promptTokens, 0, thoughts))));
  }
  let sent = 0;
  const last = pieces.length - 1;
  for (const [index, piece] of pieces.entries()) {
    sent += piece.words;
    const usage = usageOf(promptTokens, sent, thoughts);
    const parts = [{ text: piece.text }];
    if (index === last && fault.kind !== "no-finish-reason") {
      const reason = fault.kind === "finish" ? fault.reason : "STOP";
      const chunk: ResponseJson = finishChunk(model, parts, reason, usage);
      if (fault.kind === "hold-after-finish") {
        return [...steps, write({ ...chunk, usageMetadata: undefined }), { kind: "hold" }];
      }
      steps.push(write(chunk));
    } else {
      steps.push(write(textChunk(model, parts, usage)));
    }
    if (fault.kind === "malformed" && index === 0) {
      for (let count = 0; count < fault.count; count++) steps.push(write("{not json"));
    }
    if (index === 1) {
      if (fault.kind === "cut-mid-stream") return [...steps, { kind: "destroy" }];
      if (fault.kind === "stall-mid-stream") return [...steps, { kind: "hold" }];
      if (fault.kind === "stream-error") {
        return [...steps, write(errorJson("internal")), { kind: "end" }];
      }
      if (fault.kind === "finish" && fault.afterPieces === 2) {
        const usage = usageOf(promptTokens, sent);
        return [...steps, write(finishChunk(model, [], fault.reason, usage)), { kind: "end" }];
      }
    }
  }
  if (fault.kind === "late-end") steps.push({ kind: "wait", ms: 200 });
  return [...steps, { kind: "end" }];
}

/** The steps of a non-streamed answer under a fault. */
export function unarySteps(request: ParsedGeminiRequest, fault: FakeGeminiFault): FakeAnswerStep[] {
  const { model } = request;
  const { text, promptTokens, words } = answerOf(request);
  const whole = (body: unknown): FakeAnswerStep[] => [
    { kind: "write", data: JSON.stringify(body) },
    { kind: "end" },
  ];
  switch (fault.kind) {
    case "safety-block":
      return whole(blockedBody(model, promptTokens));
    case "finish":
      return whole(unaryBody(model, text, fault.reason, usageOf(promptTokens, words)));
    case "cut-mid-stream":
      return [
        {
          kind: "write",
          data: JSON.stringify(unaryBody(model, text, "STOP", usageOf(promptTokens, words))).slice(
            0,
            40,
          ),
        },
        { kind: "destroy" },
      ];
    case "stall-mid-stream":
      return [{ kind: "hold" }];
    default:
      return whole(unaryBody(model, text, "STOP", usageOf(promptTokens, words)));
  }
}
