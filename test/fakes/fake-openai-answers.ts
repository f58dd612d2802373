import { answerPieces, fakeAnswerText, promptTokensOf } from "./fake-answer-pieces.js";
import { jsonBodySteps } from "./fake-common-faults.js";
import type { FakeFault } from "./fake-openai-faults.js";
import type { FakeAnswerStep } from "./fake-upstream-server.js";
import {
  type AnswerIdentity,
  azureContentChunk,
  azurePromptFilterChunk,
  completionBody,
  contentChunk,
  finishChunk,
  finishChunkWithUsage,
  roleChunk,
  sseData,
  usageChunk,
  usageOf,
} from "./openai-fixtures.js";

/** The parts of a Chat Completions request the fake uses. */
export interface ParsedRequest {
  readonly model: string;
  readonly stream: boolean;
  readonly includeUsage: boolean;
  readonly messages: readonly { readonly content: string; readonly role: string }[];
  /** Came over an Azure deployment path: chunks carry Azure's content filter annotations. */
  readonly azure: boolean;
}

/** The normal answer of a model to a request. */
export function fakeAnswer(model: string, messages: ParsedRequest["messages"]): string {
  return fakeAnswerText(model, messages.findLast((m) => m.role === "user")?.content ?? "");
}

function answerOf(request: ParsedRequest) {
  const text = fakeAnswer(request.model, request.messages);
  const { pieces, words } = answerPieces(text);
  const promptTokens = promptTokensOf(request.messages.map((m) => m.content));
  return { text, pieces: pieces.map((piece) => piece.text), usage: usageOf(promptTokens, words) };
}

/** The steps of a streamed answer under a fault. */
export function streamSteps(
  request: ParsedRequest,
  identity: AnswerIdentity,
  fault: FakeFault,
): FakeAnswerStep[] {
  const { pieces, usage } = answerOf(request);
  const write = (data: unknown): FakeAnswerStep => ({ kind: "write", data: sseData(data) });
  const steps: FakeAnswerStep[] = [];
  if (request.azure) steps.push(write(azurePromptFilterChunk()));
  steps.push(write(roleChunk(identity)));
  if (fault.kind === "slow-first-token") steps.push({ kind: "wait", ms: fault.delayMs });
  for (const [index, piece] of pieces.entries()) {
    const chunk = request.azure
      ? azureContentChunk(identity, piece)
      : contentChunk(identity, piece);
    steps.push(write(chunk));
    if (fault.kind === "malformed" && index === 0) {
      for (let count = 0; count < fault.count; count++) steps.push(write("{not json"));
    }
    if (index === 1 && fault.kind === "cut-mid-stream") return [...steps, { kind: "destroy" }];
    if (index === 1 && fault.kind === "end-mid-stream") return [...steps, { kind: "end" }];
    if (index === 1 && fault.kind === "stall-mid-stream") return [...steps, { kind: "hold" }];
    if (index === 1 && fault.kind === "content-filter-mid-stream") {
      steps.push(write(finishChunk(identity, "content_filter")));
      if (request.includeUsage) steps.push(write(usageChunk(identity, usage)));
      return [...steps, write("[DONE]"), { kind: "end" }];
    }
  }
  if (fault.kind === "usage-in-finish-chunk" || fault.kind === "x-groq-usage") {
    const style = fault.kind === "x-groq-usage" ? "x_groq" : "usage";
    steps.push(write(finishChunkWithUsage(identity, "stop", usage, style)));
    return [...steps, write("[DONE]"), { kind: "end" }];
  }
  steps.push(write(finishChunk(identity, "stop")));
  if (fault.kind === "no-usage-no-done") return [...steps, { kind: "hold" }];
  if (request.includeUsage) steps.push(write(usageChunk(identity, usage)));
  if (fault.kind === "no-done") return [...steps, { kind: "hold" }];
  if (fault.kind === "late-done") steps.push({ kind: "wait", ms: fault.delayMs });
  return [...steps, write("[DONE]"), { kind: "end" }];
}

/** The steps of a non-streamed answer under a fault. */
export function completionSteps(
  request: ParsedRequest,
  identity: AnswerIdentity,
  fault: FakeFault,
): FakeAnswerStep[] {
  const { text, usage } = answerOf(request);
  const json = JSON.stringify(completionBody(identity, text, usage));
  return jsonBodySteps(json, fault);
}
