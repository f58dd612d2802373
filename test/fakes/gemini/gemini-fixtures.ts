import { readFileSync } from "node:fs";

/**
 * Builders of Gemini wire bodies from the fixtures in test/fixtures/gemini/: every field comes
 * from a documented example; only model, texts and counts are set here.
 */

/** `usageMetadata` as the API sends it. */
export interface UsageMetadataJson {
  promptTokenCount: number;
  candidatesTokenCount?: number;
  thoughtsTokenCount?: number;
  totalTokenCount: number;
  [field: string]: unknown;
}

interface PartJson {
  text: string;
  thought?: boolean;
}

interface CandidateJson {
  content?: { parts: PartJson[]; role: string };
  finishReason?: string;
  [field: string]: unknown;
}

/** One `GenerateContentResponse`. */
export interface ResponseJson {
  candidates?: CandidateJson[];
  usageMetadata: UsageMetadataJson;
  modelVersion: string;
  responseId: string;
  [field: string]: unknown;
}

/** The text of a fixture file. */
export function readGeminiFixture(name: string): string {
  return readFileSync(new URL(`../../fixtures/gemini/${name}`, import.meta.url), "utf8");
}

function template<T>(name: string): () => T {
  const text = readGeminiFixture(name);
  return () => JSON.parse(text) as T;
}

const textTemplate = template<ResponseJson>("stream-chunk-text.json");
const finishTemplate = template<ResponseJson>("stream-chunk-finish.json");
const unaryTemplate = template<ResponseJson>("generate-content-response.json");
const blockedTemplate = template<ResponseJson>("prompt-blocked.json");

/** The named error body fixtures. */
export type GeminiErrorFixture =
  | "api-key-invalid"
  | "permission-denied"
  | "resource-exhausted"
  | "resource-exhausted-retry-info"
  | "context-length"
  | "invalid-argument"
  | "not-found"
  | "internal"
  | "unavailable"
  | "deadline-exceeded";

/** An error body as JSON, with RetryInfo's `retryDelay` replaced when given. */
export function errorJson(name: GeminiErrorFixture, retryDelay?: string): unknown {
  const body = JSON.parse(readGeminiFixture(`error-${name}.json`)) as {
    error: { details?: { retryDelay?: string }[] };
  };
  if (retryDelay !== undefined) {
    for (const detail of body.error.details ?? []) {
      if (detail.retryDelay !== undefined) detail.retryDelay = retryDelay;
    }
  }
  return body;
}

/** Token counts; `thoughts` only when the model thought. */
export function usageOf(prompt: number, candidates: number, thoughts = 0): UsageMetadataJson {
  const usage = finishTemplate().usageMetadata;
  usage.promptTokenCount = prompt;
  usage.candidatesTokenCount = candidates;
  if (thoughts > 0) usage.thoughtsTokenCount = thoughts;
  usage.totalTokenCount = prompt + candidates + thoughts;
  usage.promptTokensDetails = [{ modality: "TEXT", tokenCount: prompt }];
  usage.candidatesTokensDetails = [{ modality: "TEXT", tokenCount: candidates }];
  return usage;
}

/** A streamed chunk carrying `parts` and the usage so far. */
export function textChunk(
  model: string,
  parts: PartJson[],
  usage: UsageMetadataJson,
): ResponseJson {
  const chunk = textTemplate();
  const candidate = chunk.candidates?.[0];
  if (candidate?.content !== undefined) candidate.content.parts = parts;
  chunk.usageMetadata = usage;
  chunk.modelVersion = model;
  return chunk;
}

/** The last chunk: `parts` (maybe none), the finish reason and the final usage. */
export function finishChunk(
  model: string,
  parts: PartJson[],
  reason: string,
  usage: UsageMetadataJson,
): ResponseJson {
  const chunk = finishTemplate();
  const candidate = chunk.candidates?.[0];
  if (candidate !== undefined) {
    if (parts.length === 0) delete candidate.content;
    else if (candidate.content !== undefined) candidate.content.parts = parts;
    candidate.finishReason = reason;
  }
  chunk.usageMetadata = usage;
  chunk.modelVersion = model;
  return chunk;
}

/** A non-streamed answer. */
export function unaryBody(
  model: string,
  text: string,
  reason: string,
  usage: UsageMetadataJson,
): ResponseJson {
  const body = unaryTemplate();
  const candidate = body.candidates?.[0];
  if (candidate?.content !== undefined) candidate.content.parts = [{ text }];
  if (candidate !== undefined) candidate.finishReason = reason;
  body.usageMetadata = usage;
  body.modelVersion = model;
  return body;
}

/** A refused prompt: `promptFeedback.blockReason`, no candidates. */
export function blockedBody(model: string, promptTokens: number): ResponseJson {
  const body = blockedTemplate();
  body.usageMetadata = { promptTokenCount: promptTokens, totalTokenCount: promptTokens };
  body.modelVersion = model;
  return body;
}

/** One SSE event carrying `data`, with the CRLF line ends Google's front end sends. */
export function sseData(data: unknown): string {
  return `data: ${typeof data === "string" ? data : JSON.stringify(data)}\r\n\r\n`;
}
