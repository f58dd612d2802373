import type { FakeFault } from "./fake-openai-faults.js";
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

/** One thing the fake does while answering. */
export type FakeAnswerStep =
  | { readonly kind: "write"; readonly data: string }
  | { readonly kind: "wait"; readonly ms: number }
  /** Destroy the socket, end the response, or leave it open. */
  | { readonly kind: "destroy" | "end" | "hold" };

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
  const lastUser = messages.findLast((message) => message.role === "user")?.content ?? "";
  return lastUser === "" ? `Answer from ${model}.` : `Answer from ${model}: ${lastUser}`;
}

function answerOf(request: ParsedRequest) {
  const text = fakeAnswer(request.model, request.messages);
  const words = text.match(/\S+\s*/g) ?? [text];
  const perPiece = Math.ceil(words.length / 5);
  const pieces: string[] = [];
  for (let index = 0; index < words.length; index += perPiece) {
    pieces.push(words.slice(index, index + perPiece).join(""));
  }
  const characters = request.messages.reduce((total, m) => total + m.content.length, 0);
  return { text, pieces, usage: usageOf(Math.ceil(characters / 4), words.length) };
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
